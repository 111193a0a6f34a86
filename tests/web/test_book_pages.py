"""Pages beyond a single loan: imports, disasters, vouchers and reversals, periods,
money movements, township reconciliation, liaisons."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import load_workbook

from ledger import dates
from ledger.models import AuditRecord, Disaster, Journal, LossReport, Reversal, WriteOff
from reports.fonts import ENV
from tests.sheets.files import person, table_csv, xlsx
from tests.web.journeys import HENGSHAN, OTHER_TOWN, lend
from tests.web.test_pages import count, error_beside

TODAY = dates.today().isoformat()
TOMORROW = (dates.today() + timedelta(days=1)).isoformat()


def upload(user, path: str, data: bytes, name: str, **form: str):
    return user.post(
        user.f(path), {"file": (io.BytesIO(data), name), **form}, content_type="multipart/form-data"
    )


def test_a_registration_sheet_imports_or_lists_every_bad_row(browser, demo):
    clerk = browser("clerk")
    rows = [
        person(n, township=HENGSHAN, amount="2000.00", **{"批次": "2", "登记日期": TODAY})
        for n in range(900, 903)
    ]
    good = upload(clerk, "imports/registrations", xlsx(rows), "登记表.xlsx")
    assert good.status_code == 303, good.get_data(as_text=True)
    page = clerk.get(good.headers["Location"]).get_data(as_text=True)
    assert "已导入 3 户、3 笔借款申请" in page

    bad = [
        person(n, township=HENGSHAN, amount="2000.00", **{"批次": "2", "登记日期": TODAY})
        for n in range(910, 913)
    ]
    bad[1]["申请金额"] = "abc"
    bad[2]["乡镇代码"] = "999999999"
    before = count(demo, AuditRecord)
    refused = upload(clerk, "imports/registrations", xlsx(bad), "登记表.xlsx")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "全部数据均未导入" in html
    assert re.search(r"<tr><td>3</td><td>申请金额</td><td>[^<]+</td></tr>", html)
    assert re.search(r"<tr><td>4</td><td>乡镇代码</td><td>[^<]+</td></tr>", html)
    assert count(demo, AuditRecord) == before
    missing = clerk.post(clerk.f("imports/registrations"), {})
    assert missing.status_code == 422
    assert error_beside(missing.get_data(as_text=True), "file") == "请选择要导入的登记表(.xlsx)"


def test_a_disaster_its_losses_and_the_batch_write_off(browser, demo):
    clerk, approver = browser("clerk"), browser("approver")
    struck = lend(clerk, OTHER_TOWN, amount="1200.00")
    created = clerk.post(
        clerk.f("disasters"),
        {
            "code": "W2611",
            "name": "11·30风雹灾",
            "date": TODAY,
            "kind": "hail",
            "townships": [OTHER_TOWN],
        },
    )
    assert created.status_code == 303, created.get_data(as_text=True)
    assert created.headers["Location"].endswith("/disasters/W2611")
    refused = clerk.post(
        clerk.f("disasters"),
        {"code": "W2612", "name": "没有乡镇", "date": TODAY, "kind": "hail"},
    )
    assert refused.status_code == 422
    assert error_beside(refused.get_data(as_text=True), "townships")
    assert count(demo, Disaster, Disaster.code == "W2612") == 0

    loss = clerk.post(
        clerk.f("disasters/W2611/loss"),
        {"loan": struck, "assessed_loss": "1000.00", "inspector": "王核定"},
    )
    assert loss.status_code == 303, loss.get_data(as_text=True)
    outside = lend(clerk, HENGSHAN)
    wrong = clerk.post(
        clerk.f("disasters/W2611/loss"),
        {"loan": outside, "assessed_loss": "10.00", "inspector": "王核定"},
    )
    assert wrong.status_code == 422
    assert "受灾乡镇" in error_beside(wrong.get_data(as_text=True), "loss-loan")
    before = (dates.today() - timedelta(days=1)).isoformat()
    early = clerk.post(
        clerk.f("disasters/W2611/loss"),
        {"loan": struck, "assessed_loss": "5.00", "inspector": "王核定", "assessed_on": before},
    )
    assert early.status_code == 422
    assert before in error_beside(early.get_data(as_text=True), "loss-assessed_on")
    assert count(demo, LossReport) >= 1

    proposed = clerk.post(
        clerk.f("disasters/W2611/write-offs"),
        {"share": "loss", "reason": "风雹灾毁", "date": TODAY},
    )
    assert proposed.status_code == 303, proposed.get_data(as_text=True)
    page = clerk.get(proposed.headers["Location"]).get_data(as_text=True)
    assert "已为受灾借款申请核销(1 笔)" in page
    [proposal] = re.findall(r"<tr><td>(\d+)</td><td><a [^>]+>" + re.escape(struck), page)
    decided = approver.post(
        approver.f(f"proposals/write-offs/{proposal}"),
        {"approve": "true", "document_no": "灾[2026]1"},
    )
    assert decided.status_code == 303
    assert count(demo, WriteOff, WriteOff.id == int(proposal), WriteOff.voucher.is_not(None)) == 1
    assert "200.00" in approver.get(approver.f(f"loans/{struck}")).get_data(as_text=True)


def test_a_voucher_is_reversed_only_after_an_approver_agrees(browser, demo):
    clerk, approver = browser("clerk"), browser("approver")
    no = lend(clerk)
    history = clerk.get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    voucher = re.search(r"(记-\d{4}-\d{2}-\d{4})", history).group(1)
    page = clerk.get(clerk.f(f"journals/{voucher}"))
    assert page.status_code == 200 and "借方" in page.get_data(as_text=True)
    empty = clerk.post(clerk.f(f"journals/{voucher}/reversal"), {"reason": ""})
    assert empty.status_code == 422
    assert error_beside(empty.get_data(as_text=True), "reason") == "缺少必填字段。"
    journals = count(demo, Journal)
    asked = clerk.post(clerk.f(f"journals/{voucher}/reversal"), {"reason": "金额录错"})
    assert asked.status_code == 303, asked.get_data(as_text=True)
    assert count(demo, Journal) == journals  # nothing posted yet
    waiting = approver.get(approver.f("proposals")).get_data(as_text=True)
    proposal = int(re.findall(rf'冲销申请 (\d+):凭证 <a href="[^"]+">{voucher}</a>', waiting)[-1])
    decided = approver.post(
        approver.f(f"proposals/reversals/{proposal}"), {"approve": "true", "note": "同意"}
    )
    assert decided.status_code == 303, decided.get_data(as_text=True)
    assert count(demo, Journal) == journals + 1
    assert count(demo, Reversal, Reversal.id == proposal, Reversal.voucher.is_not(None)) == 1
    page = clerk.get(clerk.f(f"journals/{voucher}")).get_data(as_text=True)
    assert "已被冲销" in page and "申请红字冲销" not in page


def test_the_trial_balance_and_closing_a_month(browser):
    clerk, approver = browser("clerk"), browser("approver")
    page = clerk.get(clerk.f("trial-balance")).get_data(as_text=True)
    assert '<span class="ok">平衡</span>' in page
    bad = clerk.get(clerk.f("trial-balance?as_of=2026-13-01"))
    assert bad.status_code == 200 and error_beside(bad.get_data(as_text=True), "as_of")
    closed = clerk.post(clerk.f("periods/close"), {"period": "2009-12"})
    assert closed.status_code == 303, closed.get_data(as_text=True)
    assert "2009-12 已结账" in clerk.get(closed.headers["Location"]).get_data(as_text=True)
    again = clerk.post(clerk.f("periods/close"), {"period": "2009-12"})
    assert again.status_code == 422
    assert error_beside(again.get_data(as_text=True), "close-period")
    own = clerk.post(clerk.f("periods/reopen"), {"period": "2009-12", "reason": "补记"})
    assert own.status_code == 403  # reopening is an approver's
    assert approver.post(approver.f("periods/close"), {"period": "2009-11"}).status_code == 403
    assert clerk.post(clerk.f("periods/delete"), {"period": "2009-12"}).status_code == 404
    reopened = approver.post(approver.f("periods/reopen"), {"period": "2009-12", "reason": "补记"})
    assert reopened.status_code == 303, reopened.get_data(as_text=True)


def test_allocations_and_a_township_remittance(browser, demo):
    clerk, officer = browser("clerk"), browser("hengshan")
    journals = count(demo, Journal)
    sent = clerk.post(
        clerk.f("money/allocation"), {"township": HENGSHAN, "amount": "1000.00", "date": TODAY}
    )
    assert sent.status_code == 303, sent.get_data(as_text=True)
    back = officer.post(
        officer.f("money/remittance"), {"township": HENGSHAN, "amount": "300.00", "date": TODAY}
    )
    assert back.status_code == 303, back.get_data(as_text=True)
    assert "乡镇上缴 300.00 元已记账" in officer.get(back.headers["Location"]).get_data(
        as_text=True
    )
    assert count(demo, Journal) == journals + 2
    other = officer.post(
        officer.f("money/remittance"), {"township": OTHER_TOWN, "amount": "1.00", "date": TODAY}
    )
    assert other.status_code in (404, 422)
    assert count(demo, Journal) == journals + 2
    assert (
        officer.post(
            officer.f("money/allocation"), {"township": HENGSHAN, "amount": "1", "date": TODAY}
        ).status_code
        == 403
    )


def test_a_township_reconciles_its_book(browser):
    officer = browser("hengshan")
    book = table_csv(["日期", "借据号", "类型", "金额"], [["2007-04-01", "", "拨入", "1.00"]])
    shown = upload(officer, "reconciliation", book, "book.csv", to="2007-04-30", format="html")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200, html
    assert "对账结果" in html and '<span class="warn">不符</span>' in html
    pdf = upload(officer, "reconciliation", book, "book.csv", to="2007-04-30", format="pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    broken = upload(officer, "reconciliation", b"not,a\nbook", "book.csv", format="html")
    assert broken.status_code == 422


def test_without_the_font_the_reconciliation_pdf_names_the_package(browser, monkeypatch):
    officer = browser("hengshan")
    monkeypatch.setenv(ENV, "/nonexistent/font.ttc")
    book = table_csv(["日期", "借据号", "类型", "金额"], [["2007-04-01", "", "拨入", "1.00"]])
    refused = upload(officer, "reconciliation", book, "book.csv", to="2007-04-30", format="pdf")
    assert refused.status_code == 503
    assert "apt-get install fonts-wqy-zenhei" in refused.get_data(as_text=True)


def test_a_liaison_page_shows_what_they_answer_for(browser):
    clerk = browser("clerk")
    listing = clerk.get(clerk.f("liaisons")).get_data(as_text=True)
    first = re.search(r'/liaisons/(\d+)"', listing).group(1)
    page = clerk.get(clerk.f(f"liaisons/{first}")).get_data(as_text=True)
    assert "担保借款余额" in page and "担保责任通知书 PDF" in page
    assert clerk.get(clerk.f("liaisons/2147483647")).status_code == 404


def test_extension_project_change_and_liaison_change_from_the_loan_page(browser, demo, set_today):
    clerk, approver = browser("clerk"), browser("approver")
    no = lend(clerk, amount="1800.00")
    extended = clerk.post(
        clerk.f(f"loans/{no}/extension"),
        {
            "first_due": f"{dates.today().year + 1}-06-30",
            "count": "3",
            "every_months": "6",
            "reason": "灾后恢复",
        },
    )
    assert extended.status_code == 303, extended.get_data(as_text=True)
    changed = clerk.post(
        clerk.f(f"loans/{no}/project-change"),
        {"project_type": "pig", "project": "改养生猪 4 头", "reason": "鱼塘被毁"},
    )
    assert changed.status_code == 303, changed.get_data(as_text=True)
    waiting = approver.get(approver.f("proposals")).get_data(as_text=True)
    [extension] = re.findall(rf'展期申请 (\d+):借款 <a href="[^"]+">{no}</a>', waiting)
    decided = approver.post(approver.f(f"proposals/extensions/{extension}"), {"approve": "true"})
    assert decided.status_code == 303, decided.get_data(as_text=True)
    page = clerk.get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    assert "还款计划(已展期)" in page and page.count("600.00</td>") >= 3

    options = re.findall(
        r'<option value="(\d+)"', page[page.index('id="liaison-change-liaison"') :]
    )
    set_today(date.fromisoformat(TOMORROW))  # a handover takes effect after the signing day
    handed = clerk.post(
        clerk.f(f"loans/{no}/liaison-change"),
        {"liaison": options[-1], "effective_on": TOMORROW, "reason": "原联系人调离"},
    )
    assert handed.status_code == 303, handed.get_data(as_text=True)
    refused = clerk.post(
        clerk.f(f"loans/{no}/liaison-change"),
        {"liaison": "999999", "effective_on": TODAY, "reason": ""},  # as a browser sends it
    )
    assert refused.status_code == 422
    assert error_beside(refused.get_data(as_text=True), "liaison-change-reason")
    # A field the page does not show (a hand-made request) is named at the top of the form.
    bare = clerk.post(clerk.f(f"loans/{no}/liaison-change"), {"effective_on": TOMORROW})
    assert bare.status_code == 422
    assert "reason:缺少必填字段。" in bare.get_data(as_text=True)


def test_a_guarantee_call_and_the_salary_deductions_that_repay_it(browser, demo):
    clerk, approver = browser("clerk"), browser("approver")
    overdue = clerk.get(clerk.f("loans?overdue=on&township=" + HENGSHAN)).get_data(as_text=True)
    no = re.search(r'/loans/([0-9-]+)">', overdue).group(1)
    called = approver.post(
        approver.f(f"loans/{no}/guarantee-call"), {"amount": "50.00", "date": TODAY}
    )
    assert called.status_code == 303, called.get_data(as_text=True)
    page = clerk.get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    liaison = re.findall(r'/liaisons/(\d+)">', page)[-1]
    journals = count(demo, Journal)
    paid = clerk.post(
        clerk.f(f"liaisons/{liaison}/salary-deductions"), {"amount": "10.00", "date": TODAY}
    )
    assert paid.status_code == 303, paid.get_data(as_text=True)
    assert "工资代扣已记账" in clerk.get(paid.headers["Location"]).get_data(as_text=True)
    assert count(demo, Journal) == journals + 1
    too_much = clerk.post(
        clerk.f(f"liaisons/{liaison}/salary-deductions"), {"amount": "99999999.00", "date": TODAY}
    )
    assert too_much.status_code == 422
    assert error_beside(too_much.get_data(as_text=True), "amount")
    assert count(demo, Journal) == journals + 1


def test_every_list_exports_to_xlsx(browser):
    clerk = browser("clerk")
    filtered = clerk.get(clerk.f(f"loans.xlsx?township={OTHER_TOWN}&status=closed"))
    assert filtered.status_code == 200
    sheet = load_workbook(io.BytesIO(filtered.get_data())).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))[:-1]  # less the 合计 row
    assert rows and {(row[1], row[8]) for row in rows} == {("佛子岭镇", "已结清")}
    officer = browser("hengshan")
    own = load_workbook(io.BytesIO(officer.get(officer.f("loans.xlsx")).get_data())).active
    assert {row[1] for row in list(own.iter_rows(min_row=2, values_only=True))[:-1]} == {"衡山镇"}
    for path, first in (
        ("liaisons.xlsx", "联系人"),
        ("disasters.xlsx", "编号"),
        ("proposals.xlsx", "申请"),
        ("periods.xlsx", "期间"),
        ("disasters/0708/write-offs.xlsx", "申请"),
    ):
        response = clerk.get(clerk.f(path))
        assert response.status_code == 200, path
        book = load_workbook(io.BytesIO(response.get_data()))
        assert book.worksheets[0]["A1"].value == first
    periods = load_workbook(io.BytesIO(clerk.get(clerk.f("periods.xlsx")).get_data())).active
    closed = [row for row in periods.iter_rows(min_row=2, values_only=True) if row[0] == "2007-04"]
    assert closed and closed[0][1] == "已结账" and closed[0][2] == "clerk"
    write_offs = load_workbook(
        io.BytesIO(clerk.get(clerk.f("disasters/0708/write-offs.xlsx")).get_data())
    ).active
    decided = list(write_offs.iter_rows(min_row=2, values_only=True))[:-1]  # less 合计
    assert decided and all(row[4] in ("已批准", "未批准", "待审批") for row in decided)
    total = Decimal(str(write_offs.cell(write_offs.max_row, 4).value))
    assert total == sum(Decimal(str(row[3])) for row in decided)  # cells are read as floats
    disasters = load_workbook(io.BytesIO(clerk.get(clerk.f("disasters.xlsx")).get_data())).active
    assert [row[0] for row in disasters.iter_rows(min_row=2, max_col=1, values_only=True)][:2] == [
        "0708",
        "0813",
    ]
    for page, link in (
        ("loans", "/loans.xlsx"),
        (
            "journals?kind=repayment&from=2008-01-01&page=2",
            '/exports/journals.xlsx?kind=repayment&amp;from=2008-01-01"',
        ),
        ("trial-balance", "/exports/trial-balance.xlsx"),
        ("liaisons", "/liaisons.xlsx"),
        ("disasters", "/disasters.xlsx"),
        ("proposals", "/proposals.xlsx"),
        ("periods", "/periods.xlsx"),
        ("disasters/0708", "/disasters/0708/write-offs.xlsx"),
    ):
        assert link in clerk.get(clerk.f(page)).get_data(as_text=True), page


def test_the_loan_form_finds_the_household_by_id_number(browser):
    clerk = browser("clerk")
    html = clerk.get(clerk.f("loans/new?household=1")).get_data(as_text=True)
    id_number = re.search(r"身份证 (\d{17}[\dX])", html).group(1)
    found = clerk.get(clerk.f(f"loans/new?id_number={id_number}")).get_data(as_text=True)
    assert 'id="household" name="household" type="number" value="1"' in found
    missing = clerk.get(clerk.f("loans/new?id_number=110105194912310021"))
    assert missing.status_code == 200
    assert "没有身份证号为 110105194912310021 的农户" in missing.get_data(as_text=True)
    for number in ("999999", "99999999999999999999"):
        page = clerk.get(clerk.f(f"loans/new?household={number}"))
        assert page.status_code == 200, number


def test_the_audit_log_page_is_the_leaders_not_the_clerks(browser, demo):
    leader = browser("leader")
    assert f'href="/f/{demo.fund}/audit"' in leader.get(leader.f("loans")).get_data(as_text=True)
    page = leader.get(leader.f("audit"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h1>审计日志</h1>" in text and "demo load" in text and f"fund:{demo.fund}" in text
    assert re.search(r"共 \d+ 条", text)
    none = leader.get(leader.f("audit?actor=nobody")).get_data(as_text=True)
    assert "没有记录。" in none and "共 0 条" in none
    clerk = browser("clerk")
    assert f'href="/f/{demo.fund}/audit"' not in clerk.get(clerk.f("loans")).get_data(as_text=True)
    assert clerk.get(clerk.f("audit")).status_code == 403

"""Pages beyond a single loan: imports, disasters, vouchers and reversals, periods,
money movements, township reconciliation, liaisons."""

from __future__ import annotations

import io
import re
from datetime import date

from ledger.models import AuditRecord, Disaster, Journal, LossReport, Reversal, WriteOff
from tests.sheets.files import person, table_csv, xlsx
from tests.web.journeys import HENGSHAN, OTHER_TOWN, lend
from tests.web.test_pages import count, error_beside

TODAY = date.today().isoformat()


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


def test_a_liaison_page_shows_what_they_answer_for(browser):
    clerk = browser("clerk")
    listing = clerk.get(clerk.f("liaisons")).get_data(as_text=True)
    first = re.search(r'/liaisons/(\d+)"', listing).group(1)
    page = clerk.get(clerk.f(f"liaisons/{first}")).get_data(as_text=True)
    assert "担保借款余额" in page and "担保责任通知书 PDF" in page
    assert clerk.get(clerk.f("liaisons/2147483647")).status_code == 404

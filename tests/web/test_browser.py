"""The issue's journeys in a real browser: Playwright driving Debian's Chromium.

A live server (werkzeug, threaded) serves the demo programme; each test signs
in through the login page and uses the pages as a clerk, township officer,
approver or leader would: by label, by keyboard, by clicking links.

Chromium comes from Debian (``apt-get install chromium``, which `make test`
runs through ``scripts/system-packages.sh``); Playwright never downloads a
browser. Without it these tests fail: they are never skipped.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import make_server

from ledger import dates
from tests.factories import make_id_number
from tests.web.conftest import Browser
from tests.web.journeys import HENGSHAN, OTHER_TOWN, lend

CHROMIUM = Path("/usr/bin/chromium")


TODAY = dates.today().isoformat()


@pytest.fixture(scope="module")
def server(web_app) -> Iterator[str]:
    live = make_server("127.0.0.1", 0, web_app, threaded=True)
    thread = threading.Thread(target=live.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{live.server_port}"
    live.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def sign_in(chromium, server, demo):
    """A fresh browser window signed in as a demo user, at 1366×768 unless told."""
    contexts = []

    def open_as(username: str, width: int = 1366, height: int = 768) -> Page:
        context = chromium.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
        page.errors = errors  # type: ignore[attr-defined]
        page.goto(f"{server}/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(demo.passwords[username])
        page.get_by_label("密码").press("Enter")  # by keyboard
        expect(page.locator("header")).to_contain_text(username)
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def clerk_client(browser) -> Browser:
    return browser("clerk")


def test_a_clerk_registers_a_household_and_takes_a_loan_to_disbursement(sign_in, server, demo):
    page = sign_in("clerk")
    page.get_by_role("link", name="登记农户").click()
    page.get_by_label("户主姓名").fill("刘大山")
    page.get_by_label("身份证号(18 位)").fill(make_id_number(born="19750505"))
    page.get_by_label("乡镇").select_option(HENGSHAN)
    page.get_by_label("村").fill("胡家湾村")
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".notice")).to_contain_text("农户 刘大山 已登记")

    # The loan form comes next, with the household filled in.
    expect(page.get_by_label("农户编号")).not_to_have_value("")
    page.get_by_label("批次").select_option(index=1)
    page.get_by_label("项目类别").select_option(index=1)
    page.get_by_label("项目内容").fill("养鸡 200 只")
    page.get_by_label("申请金额(元)").fill("2000.00")
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".notice")).to_contain_text("借款申请已登记")
    expect(page.locator("h1")).to_contain_text("已申请")

    page.get_by_label("核查人").fill("李会计")
    page.get_by_role("button", name="入户核查").click()
    expect(page.locator("h1")).to_contain_text("已核查")

    page.get_by_label("第一期到期日").fill(f"{dates.today().year + 1}-11-30")
    page.get_by_role("button", name="审定").click()
    expect(page.locator("h1")).to_contain_text("已审定")

    page.get_by_label("行政联系人(工资担保)").select_option(index=1)
    page.get_by_label("技术负责人").fill("张技术员")
    page.get_by_role("button", name="签订合同").click()
    expect(page.locator("h1")).to_contain_text("已签约")

    expect(page.get_by_label("金额(元)")).to_have_value("2000.00")
    page.get_by_role("button", name="发放").click()
    expect(page.locator("h1")).to_contain_text("已发放")
    expect(page.locator(".notice")).to_contain_text(
        re.compile(r"发放已记录,凭证 记-\d{4}-\d{2}-\d{4}")
    )
    expect(page.locator("#outstanding")).to_have_text("2,000.00")
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_township_officer_repays_and_cannot_open_another_township(sign_in, server, clerk_client):
    own, other = lend(clerk_client, HENGSHAN), lend(clerk_client, OTHER_TOWN)
    page = sign_in("hengshan")
    page.get_by_role("link", name="借款").first.click()
    page.get_by_label("搜索(编号、姓名、身份证号)").fill(own)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name=own).click()
    page.get_by_label("金额(元)").fill("600.00")
    page.get_by_role("button", name="收回还款").click()
    expect(page.locator(".notice")).to_contain_text("收回还款已记录")
    expect(page.locator("#outstanding")).to_have_text("2,400.00")

    answer = page.goto(f"{server}/f/{clerk_client.fund}/loans/{other}")
    assert answer.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
    expect(page.locator("main")).not_to_contain_text(other)


def test_a_refused_repayment_shows_the_chinese_error_beside_the_amount(
    sign_in, server, clerk_client
):
    no = lend(clerk_client, HENGSHAN, amount="800.00")
    page = sign_in("hengshan")
    page.goto(f"{server}/f/{clerk_client.fund}/loans/{no}")
    page.get_by_label("金额(元)").fill("900.00")
    page.get_by_role("button", name="收回还款").click()
    amount = page.get_by_label("金额(元)")
    expect(amount).to_have_value("900.00")  # nothing typed is lost
    expect(amount).to_have_attribute("aria-invalid", "true")
    error = page.locator("#repayment-amount-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(re.compile("[\u4e00-\u9fff]"))
    # Beside the field: inside the amount's own field box.
    expect(page.locator(".field.has-error", has=amount)).to_contain_text(error.inner_text())
    expect(page.locator("#outstanding")).to_have_text("800.00")


def test_an_approver_approves_a_clerks_write_off_and_not_their_own(sign_in, server, clerk_client):
    no = lend(clerk_client)
    clerk = sign_in("clerk")
    clerk.goto(f"{server}/f/{clerk_client.fund}/loans/{no}")
    clerk.locator("summary", has_text="申请核销").click()
    form = clerk.get_by_role("form", name="申请核销")
    form.get_by_label("核销金额(元)").fill("1000.00")
    form.get_by_label("核销依据").select_option("death")
    form.get_by_label("原因").fill("借款人死亡,遗产不足清偿")
    form.get_by_role("button", name="申请核销").click()
    expect(clerk.locator(".notice")).to_contain_text("申请核销已记录")

    approver = sign_in("approver")
    approver.get_by_role("link", name="待审批", exact=True).click()
    card = approver.locator("article.proposal", has=approver.get_by_role("link", name=no))
    card.get_by_label("批文号(批准时必填)").fill("财农[2026]8号")
    card.get_by_label("审批意见").fill("同意核销")
    card.get_by_role("button", name="批准").click()
    expect(approver.locator(".notice")).to_contain_text("已批准")
    approver.goto(f"{server}/f/{clerk_client.fund}/loans/{no}")
    expect(approver.locator("#outstanding")).to_have_text("2,000.00")

    own = lend(clerk_client)
    approver.goto(f"{server}/f/{clerk_client.fund}/loans/{own}")
    approver.locator("summary", has_text="申请核销").click()
    form = approver.get_by_role("form", name="申请核销")
    form.get_by_label("核销金额(元)").fill("300.00")
    form.get_by_label("核销依据").select_option("death")
    form.get_by_role("button", name="申请核销").click()
    approver.get_by_role("link", name="待审批", exact=True).click()
    card = approver.locator("article.proposal", has=approver.get_by_role("link", name=own))
    expect(card).to_contain_text("本人提出的申请,须由另一位审批人审批")
    expect(card.get_by_role("button", name="批准")).to_have_count(0)


def test_a_leader_downloads_the_fund_statement(sign_in, server, demo):
    page = sign_in("leader")
    expect(page.locator("h1")).to_have_text("基金概况")
    expect(page.locator("svg.chart rect").first).to_be_visible()
    expect(page.get_by_role("button", name="发放")).to_have_count(0)  # read-only
    page.get_by_role("link", name="报表下载").click()
    statement = page.get_by_role("form", name="基金收支情况表")
    statement.get_by_label("期间止").fill(TODAY)
    with page.expect_response(lambda r: "fund-statement.pdf" in r.url) as answer:
        statement.get_by_role("button", name="下载").click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert f"to={TODAY}" in response.url
    with page.expect_download() as sheet:
        page.goto(f"{server}/f/{demo.fund}/statements")
        page.get_by_role("link", name="借款台账 XLSX").click()
    assert sheet.value.suggested_filename.endswith(".xlsx")


def test_the_pages_fit_a_phone_and_a_office_screen(sign_in, server, clerk_client):
    for width, height in ((1366, 768), (375, 740)):
        page = sign_in("clerk", width, height)
        for path in ("", "loans", "households/new"):
            page.goto(f"{server}/f/{clerk_client.fund}/{path}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (width, path, overflow)
            for field in page.locator(
                "main input:not([type=hidden]), main select, main textarea"
            ).all():
                assert (
                    field.get_attribute("id")
                    and page.locator(f"label[for='{field.get_attribute('id')}']").count() == 1
                )


def test_a_repayment_by_keyboard_alone(sign_in, server, clerk_client):
    no = lend(clerk_client, HENGSHAN, amount="700.00")
    page = sign_in("hengshan")
    page.goto(f"{server}/f/{clerk_client.fund}/loans/{no}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    for _ in range(40):  # Tab through the page to the amount
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "repayment-amount":
            break
    else:
        pytest.fail("the repayment amount cannot be reached with Tab")
    page.keyboard.type("200.00")
    page.keyboard.press("Enter")
    expect(page.locator(".notice")).to_contain_text("收回还款已记录")
    expect(page.locator("#outstanding")).to_have_text("500.00")


def test_a_township_officer_records_a_visit_on_a_phone(sign_in, server, clerk_client):
    no = lend(clerk_client, HENGSHAN)
    page = sign_in("hengshan", 390, 844)
    page.get_by_role("link", name="本月未走访").click()  # from the to-do list
    expect(page.locator("h1")).to_have_text(f"{TODAY[:7]} 未走访")
    overflow = "document.documentElement.scrollWidth - window.innerWidth"
    assert page.evaluate(overflow) <= 0
    page.locator("tr", has=page.get_by_role("link", name=no)).get_by_role(
        "link", name="登记走访"
    ).click()
    assert page.evaluate(overflow) <= 0
    expect(page.get_by_label("走访日期")).to_have_value(TODAY)
    expect(page.get_by_label("行政联系人")).not_to_have_value("")  # the loan's, preselected
    page.get_by_label("项目进展").select_option("behind")
    page.get_by_label("资金按审定项目使用").select_option("true")
    tomorrow = (dates.today() + timedelta(days=1)).isoformat()
    page.get_by_label("走访日期").fill(tomorrow)
    page.get_by_role("button", name="登记走访").click()
    expect(page.get_by_label("走访日期")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#visited_on-error")).to_contain_text(re.compile("[\u4e00-\u9fff]"))
    expect(page.get_by_label("项目进展")).to_have_value("behind")  # nothing typed is lost
    assert page.evaluate(overflow) <= 0
    page.get_by_label("走访日期").fill(TODAY)
    page.get_by_label("看到的情况").fill("猪舍未完工")
    page.get_by_role("button", name="登记走访").click()
    expect(page.locator(".notice")).to_contain_text(f"借款 {no}")
    expect(page.locator("main")).not_to_contain_text(f"{no}/visit")
    expect(page.get_by_role("link", name=no)).to_have_count(0)
    # Only the refused post (422) is logged.
    assert [e for e in page.errors if "422" not in e] == []  # type: ignore[attr-defined]


def test_a_township_officer_records_a_cadre_visit_on_a_phone(sign_in, server, clerk_client):
    no = lend(clerk_client, HENGSHAN)
    page = sign_in("hengshan", 375, 740)
    overflow = "document.documentElement.scrollWidth - window.innerWidth"
    page.get_by_role("link", name="走访", exact=True).click()
    page.get_by_role("link", name="登记联户干部走访").click()
    expect(page.locator("h1")).to_have_text("登记联户干部走访")
    assert page.evaluate(overflow) <= 0
    expect(page.get_by_label("入户日期")).to_have_value(TODAY)
    expect(page.get_by_label("入户天数")).to_have_value("1")
    page.get_by_label("联系户").select_option(index=1)
    page.locator("#visitor").fill("区农牧局 陈伟")
    page.get_by_label("入户天数").fill("3")
    page.get_by_label("入户日期").fill((dates.today() + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="登记走访").click()
    expect(page.get_by_label("入户日期")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#visited_on-error")).to_contain_text("今天")
    expect(page.locator("#visitor")).to_have_value("区农牧局 陈伟")  # nothing typed is lost
    assert page.evaluate(overflow) <= 0
    page.get_by_label("入户日期").fill(TODAY)
    page.get_by_label("看到的情况").fill("帮助制定增收计划")
    page.get_by_role("button", name="登记走访").click()
    expect(page.locator(".notice")).to_contain_text("入户 3 天已登记")
    expect(page.locator("h1")).to_contain_text("联户干部走访")
    expect(page.locator("tbody tr").first).to_contain_text("未达标")
    # The year view, the loan page with its visits and the progress report fit the phone too.
    for path in ("cadre-visits", f"loans/{no}", "progress"):
        page.goto(f"{server}/f/{clerk_client.fund}/{path}")
        assert page.evaluate(overflow) <= 0, path
        inputs = page.locator("main input:not([type=hidden]), main select, main textarea")
        for field in inputs.all():
            name = field.get_attribute("id")
            assert name and page.locator(f"label[for='{name}']").count() == 1, (path, name)
    assert [e for e in page.errors if "422" not in e] == []  # type: ignore[attr-defined]


def test_the_inspection_outcome_and_proposal_pages_fit_a_phone(sign_in, server, demo):
    """The pages with a form per row (close, recall, approve) fit 375 px, every input labelled."""
    for who, paths in (
        ("clerk", ("inspections", "poverty-lines", "incomes?year=2007")),
        ("approver", ("proposals",)),
        ("hengshan", ("incomes?year=2007",)),
    ):
        page = sign_in(who, 375, 740)
        for path in paths:
            page.goto(f"{server}/f/{demo.fund}/{path}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (who, path, overflow)
            for field in page.locator(
                "main input:not([type=hidden]), main select, main textarea"
            ).all():
                name = field.get_attribute("id")
                assert name and page.locator(f"label[for='{name}']").count() == 1, (path, name)

"""The web pages through Flask's test client: sessions, CSRF, CSP, roles, forms, writes."""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from ledger import dates
from ledger.db import Database
from ledger.models import AuditRecord, Journal, WriteOff
from ledger.services import users
from tests.factories import committing
from tests.web.conftest import Browser
from tests.web.journeys import HENGSHAN, OTHER_TOWN, lend, step

TODAY = dates.today().isoformat()


def count(demo, model, *where) -> int:
    db = Database.connect(demo.url)
    try:
        with db.read() as session:
            return session.scalar(select(func.count()).select_from(model).where(*where))
    finally:
        db.engine.dispose()


def error_beside(html: str, field: str) -> str:
    """The Chinese message shown beside `field` (its ``#<field>-error`` span)."""
    found = re.search(rf'<span class="error" id="{field}-error">([^<]+)</span>', html)
    assert found, f"no error beside {field}"
    return found.group(1)


# --- signing in and out ----------------------------------------------------------------


def test_login_page_and_a_wrong_password(web_app, demo):
    user = Browser(web_app, demo.fund)
    page = user.get("/login")
    assert page.status_code == 200
    assert '<label for="username">用户名' in page.get_data(as_text=True)
    response = user.client.post(
        "/login", data={"username": "clerk", "password": "wrong!", "csrf_token": user.csrf}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "用户名或密码错误" in html
    assert 'value="clerk"' in html  # what was typed stays
    assert "wrong!" not in html  # but never the password


def test_repeated_wrong_passwords_are_slowed_down(web_app, demo):
    add_user(demo, "leader-guessed", "leader")
    user = Browser(web_app, demo.fund)
    for _ in range(web_app.config["LOGIN_MAX_FAILURES"]):
        assert user.login("leader-guessed", "not the password").status_code == 401
    refused = user.login("leader-guessed", PASSWORD)
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.get_data(as_text=True)


def test_login_without_the_csrf_field_is_refused(web_app, demo):
    user = Browser(web_app, demo.fund)
    user.get("/login")
    response = user.client.post(
        "/login", data={"username": "clerk", "password": demo.passwords["clerk"]}
    )
    assert response.status_code == 400
    assert user.client.get(user.f()).status_code == 302  # still signed out


def test_pages_need_a_session_and_keep_where_the_user_was_going(web_app, demo):
    client = web_app.test_client()
    response = client.get(f"/f/{demo.fund}/loans?status=disbursed")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=/f/{demo.fund}/loans?status%3Ddisbursed"
    assert client.get("/").headers["Location"] == "/login?next=/"


def test_login_follows_only_local_next_pages(web_app, demo):
    user = Browser(web_app, demo.fund)
    response = user.login("clerk", demo.passwords["clerk"], next_page="//evil.example/x")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    user = Browser(web_app, demo.fund)
    response = user.login("clerk", demo.passwords["clerk"], next_page=f"/f/{demo.fund}/loans")
    assert response.headers["Location"] == f"/f/{demo.fund}/loans"


#: ``next`` values, as sent in the query string, that must not lead off the site.
BYPASSES = [
    "//evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "%2f%2fevil.example",
    "/%2f%2fevil.example",
    "/%252f%252fevil.example",
    "%20//evil.example",
    "/%01/evil.example",
    "/%E2%80%A8/evil.example",
    "https:evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "///evil.example",
    "evil.example",
]


@pytest.mark.parametrize("raw", BYPASSES)
def test_login_refuses_next_pages_that_leave_the_site(web_app, demo, raw):
    user = Browser(web_app, demo.fund)
    user.get("/login")
    response = user.client.post(
        f"/login?next={raw}",
        data={"username": "clerk", "password": demo.passwords["clerk"], "csrf_token": user.csrf},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    # Signed in now, a plain GET of the same link goes home too.
    again = user.client.get(f"/login?next={raw}")
    assert again.status_code == 302
    assert again.headers["Location"] == "/"


@pytest.mark.parametrize(
    "raw",
    ["/f/{fund}/loans?status=disbursed", "/f/{fund}/loans?q=%E5%BC%A0", "/f/{fund}/loans%2F"],
)
def test_login_keeps_local_next_pages_as_they_were_sent(browser, raw):
    clerk = browser("clerk")
    sent = raw.format(fund=clerk.fund)
    response = clerk.client.get(f"/login?next={quote(sent)}")
    assert response.headers["Location"] == sent


def test_the_session_cookie_is_httponly_samesite_and_secure(web_app, demo):
    response = Browser(web_app, demo.fund).login("clerk", demo.passwords["clerk"])
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("ledger_session=")
    for flag in ("HttpOnly", "SameSite=Lax", "Secure"):
        assert flag in cookie


def test_logout_ends_the_session_at_once(browser):
    clerk = browser("clerk")
    assert clerk.get(clerk.f("loans")).status_code == 200
    cookie = clerk.client.get_cookie("ledger_session").value
    response = clerk.post("/logout", {})
    assert response.status_code == 303
    assert clerk.client.get(clerk.f("loans")).status_code == 302
    # The old cookie, replayed, is dead too: logging out revoked its token.
    clerk.client.set_cookie("ledger_session", cookie)
    assert clerk.client.get(clerk.f("loans")).status_code == 302


PASSWORD = "long enough pw"


def add_user(demo, username: str, role: str) -> None:
    db = Database.connect(demo.url)
    try:
        with committing(db) as uow:
            users.create_user(uow, username=username, password=PASSWORD, role=role)
    finally:
        db.engine.dispose()


def test_disabling_a_user_ends_their_session(web_app, demo, browser):
    add_user(demo, "clerk-to-go", "clerk")
    db = Database.connect(demo.url)
    try:
        user = Browser(web_app, demo.fund)
        assert user.login("clerk-to-go", PASSWORD).status_code == 303
        assert user.get(user.f("loans")).status_code == 200
        with committing(db) as uow:
            users.disable_user(uow, username="clerk-to-go")
        assert user.get(user.f("loans")).status_code == 302
    finally:
        db.engine.dispose()


# --- headers -------------------------------------------------------------------------


def test_every_page_has_a_strict_content_security_policy(browser):
    clerk = browser("clerk")
    for path in ("loans", "", "journals", "disasters"):
        response = clerk.get(clerk.f(path))
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        html = response.get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "http://" not in html
        assert response.headers["Cache-Control"] == "no-store"


def test_assets_are_served_by_the_app(web_app):
    client = web_app.test_client()
    for name, mimetype in (("app.css", "text/css"), ("app.js", "text/javascript")):
        with client.get(f"/assets/{name}") as response:
            assert response.status_code == 200
            assert response.mimetype == mimetype


# --- roles and townships ------------------------------------------------------------------

PAGES = {
    # path: the roles that may open it
    "": {"clerk", "approver", "hengshan"},
    "dashboard": {"clerk", "approver", "leader"},
    "loans": {"clerk", "approver", "leader", "hengshan"},
    "statements": {"clerk", "approver", "leader", "hengshan"},
    "progress": {"clerk", "approver", "leader", "hengshan"},
    "cadre-visits": {"clerk", "approver", "leader", "hengshan"},
    "cadre-visits/new": {"clerk", "hengshan"},
    "proposals": {"clerk", "approver", "leader"},
    "journals": {"clerk", "approver", "leader"},
    "trial-balance": {"clerk", "approver", "leader"},
    "periods": {"clerk", "approver", "leader"},
    "disasters": {"clerk", "approver", "leader"},
    "liaisons": {"clerk", "approver", "leader", "hengshan"},
    "plans": {"clerk", "approver", "leader", "hengshan"},
    "plans/2007": {"clerk", "approver", "leader", "hengshan"},
    "plans/new": {"clerk"},
    "money": {"clerk", "hengshan"},
    "households/new": {"clerk"},
    "loans/new": {"clerk"},
    "imports/registrations": {"clerk"},
    "reconciliation": {"clerk", "hengshan"},
}


@pytest.mark.parametrize("who", ["clerk", "approver", "leader", "hengshan", "admin"])
def test_each_role_opens_its_pages_and_no_others(browser, who):
    user = browser(who)
    for path, allowed in PAGES.items():
        response = user.get(user.f(path))
        expected = 200 if who in allowed else 403
        assert response.status_code == expected, (who, path)
        if expected == 403:
            assert "无权访问" in response.get_data(as_text=True)


def test_the_administrator_is_told_where_their_work_is(browser):
    admin = browser("admin")
    response = admin.get("/")
    assert response.status_code == 403
    assert "flask create-user" in response.get_data(as_text=True)


def test_an_unknown_fund_is_a_404_page(browser):
    clerk = browser("clerk")
    response = clerk.get("/f/NOSUCH/loans")
    assert response.status_code == 404
    assert "没有这个页面" in response.get_data(as_text=True)


def test_a_township_officer_sees_only_their_township(browser):
    clerk, officer = browser("clerk"), browser("hengshan")
    theirs, other = lend(clerk, HENGSHAN), lend(clerk, OTHER_TOWN)
    assert officer.get(officer.f(f"loans/{theirs}")).status_code == 200
    for path in (f"loans/{other}", f"loans/{other}/no-such"):
        assert officer.get(officer.f(path)).status_code in (404, 405)
    response = officer.get(officer.f(f"loans/{other}"))
    assert response.status_code == 404
    assert other not in response.get_data(as_text=True)
    # Nor can they act on it, whatever the form says.
    before = count_journals(clerk)
    tampered = officer.post(officer.f(f"loans/{other}/repayment"), {"date": TODAY, "amount": "1"})
    assert tampered.status_code == 404
    assert count_journals(clerk) == before
    listed = officer.get(officer.f("loans?q=" + other)).get_data(as_text=True)
    assert f'/loans/{other}"' not in listed and "没有符合条件的借款" in listed
    assert f'/loans/{theirs}"' in officer.get(officer.f("loans?q=" + theirs)).get_data(as_text=True)
    assert officer.get(officer.f(f"loans?township={OTHER_TOWN}")).status_code == 404


def count_journals(user: Browser) -> int:
    html = user.client.get(f"/f/{user.fund}/journals").get_data(as_text=True)
    if "共 " not in html:  # a township officer cannot read the journal
        return -1
    return int(re.search(r"共 (\d+) 条", html).group(1))


# --- forms ------------------------------------------------------------------------


def test_a_clerk_takes_a_loan_from_registration_to_disbursement(browser, demo):
    clerk = browser("clerk")
    journals_before = count(demo, Journal)
    audits_before = count(demo, AuditRecord)
    no = lend(clerk, amount="2400.00")
    page = clerk.get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    assert "已发放" in page
    assert 'id="outstanding">2,400.00<' in page
    assert "三线合一" in page
    assert count(demo, Journal) == journals_before + 1  # the disbursement, and only it
    # household, loan, verification, approval, contract, disbursement: six audited writes
    assert count(demo, AuditRecord) >= audits_before + 6
    assert (
        count(
            demo,
            AuditRecord,
            AuditRecord.actor == "clerk",
            AuditRecord.target == f"fund:{demo.fund}/loan:{no}",
        )
        >= 5
    )


def test_a_notice_names_the_voucher_of_a_repayment(browser):
    clerk = browser("clerk")
    no = lend(clerk)
    response = step(clerk, no, "repayment", {"date": TODAY, "amount": "500.00"})
    page = clerk.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(rf"借款 {no}:收回还款已记录,凭证 记-\d{{4}}-\d{{2}}-\d{{4}}", page)
    assert 'id="outstanding">2,500.00<' in page


def test_a_refused_repayment_shows_the_error_beside_the_amount(browser, demo):
    officer = browser("hengshan")
    no = lend(browser("clerk"), amount="1000.00")
    before = count(demo, Journal)
    response = officer.post(
        officer.f(f"loans/{no}/repayment"), {"date": TODAY, "amount": "1500.00"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "尚欠" in error_beside(html, "repayment-amount")
    assert 'value="1500.00"' in html  # what was typed is kept
    assert count(demo, Journal) == before
    response = officer.post(officer.f(f"loans/{no}/repayment"), {"date": TODAY, "amount": "12.345"})
    assert response.status_code == 422
    assert "两位小数" in error_beside(response.get_data(as_text=True), "repayment-amount")


def test_a_schema_refusal_names_every_wrong_field(browser):
    clerk = browser("clerk")
    response = clerk.post(
        clerk.f("households/new"),
        {
            "name": "",
            "id_number": "123",
            "township": HENGSHAN,
            "village": "村",
            "party_member": "false",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_beside(html, "name") == "缺少必填字段。"
    assert "18" in error_beside(html, "id_number")
    assert f'<option value="{HENGSHAN}" selected>' in html


def test_a_double_click_posts_once(browser, demo):
    clerk = browser("clerk")
    no = lend(clerk)
    before = count(demo, Journal)
    first = clerk.post(
        clerk.f(f"loans/{no}/repayment"), {"date": TODAY, "amount": "100.00"}, key="k-1"
    )
    second = clerk.post(
        clerk.f(f"loans/{no}/repayment"), {"date": TODAY, "amount": "100.00"}, key="k-1"
    )
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count(demo, Journal) == before + 1


def test_a_form_sent_again_with_other_values_is_redrawn_not_written(browser, demo):
    clerk = browser("clerk")
    no = lend(clerk)
    url = clerk.f(f"loans/{no}/repayment")
    assert clerk.post(url, {"date": TODAY, "amount": "100.00"}, key="k-back").status_code == 303
    before = count(demo, Journal)
    again = clerk.post(url, {"date": TODAY, "amount": "200.00"}, key="k-back")
    html = again.get_data(as_text=True)
    assert again.status_code == 422
    assert "这张表单已经提交过" in html and 'value="200.00"' in html
    assert 'name="idempotency_key" value="k-back"' not in html  # a fresh key to send with
    assert count(demo, Journal) == before


def test_a_form_without_csrf_changes_nothing(browser, demo):
    clerk = browser("clerk")
    no = lend(clerk)
    before = count(demo, Journal)
    response = clerk.client.post(
        clerk.f(f"loans/{no}/repayment"),
        data={"date": TODAY, "amount": "100.00", "idempotency_key": "x", "csrf_token": "forged"},
    )
    assert response.status_code == 400
    assert count(demo, Journal) == before


def test_the_api_takes_the_cookie_for_downloads_but_never_for_writes(browser):
    leader = browser("leader")
    pdf = leader.client.get(f"/api/v1/funds/{leader.fund}/reports/fund-statement.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    clerk = browser("clerk")
    write = clerk.client.post(f"/api/v1/funds/{clerk.fund}/disasters", json={"code": "x"})
    assert write.status_code == 401


def test_the_statements_page_offers_the_progress_report_to_every_reader(browser):
    for who in ("leader", "hengshan"):
        user = browser(who)
        page = user.get(user.f("statements")).get_data(as_text=True)
        url = f"/api/v1/funds/{user.fund}/reports/progress.pdf"
        assert "进展情况汇报" in page and f'action="{url}"' in page, who
        pdf = user.client.get(url, query_string={"start": "2007-01-01", "end": "2007-12-31"})
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", who


def test_actions_follow_the_loan_state_and_the_role(browser):
    clerk = browser("clerk")
    no = lend(clerk)
    page = clerk.get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    assert "收回还款</h2>" in page and "<summary>申请核销</summary>" in page
    assert "入户核查</h2>" not in page and "担保代偿" not in page
    leader = browser("leader")
    page = leader.get(leader.f(f"loans/{no}")).get_data(as_text=True)
    assert '<form method="post" action="/f/' not in page.split("<main")[1]
    refused = leader.post(leader.f(f"loans/{no}/repayment"), {"date": TODAY, "amount": "1"})
    assert refused.status_code == 403
    wrong_state = clerk.post(
        clerk.f(f"loans/{no}/verification"),
        {"visited_on": TODAY, "visitor": "x", "eligible": "true"},
    )
    assert wrong_state.status_code == 422
    assert "状态" in wrong_state.get_data(as_text=True)


# --- approvals -------------------------------------------------------------------------


def propose_write_off(user: Browser, no: str, amount: str = "500.00") -> int:
    response = user.post(
        user.f(f"loans/{no}/write-off"),
        {"amount": amount, "ground": "death", "reason": "借款人死亡", "date": TODAY},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    page = user.get(user.f("proposals")).get_data(as_text=True)
    return int(re.findall(rf'核销申请 (\d+):借款 <a href="[^"]+">{no}</a>', page)[-1])


def test_an_approver_approves_a_clerks_write_off_but_never_their_own(browser, demo):
    clerk, approver = browser("clerk"), browser("approver")
    no = lend(clerk)
    proposal = propose_write_off(clerk, no)
    response = approver.post(
        approver.f(f"proposals/write-offs/{proposal}"),
        {"approve": "true", "note": "同意", "document_no": "财农[2026]1号"},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert count(demo, WriteOff, WriteOff.id == proposal, WriteOff.voucher.is_not(None)) == 1
    page = approver.get(approver.f(f"loans/{no}")).get_data(as_text=True)
    assert 'id="outstanding">2,500.00<' in page

    own = propose_write_off(approver, lend(clerk))
    page = approver.get(approver.f("proposals")).get_data(as_text=True)
    assert "本人提出的申请,须由另一位审批人审批" in page
    assert f'action="/f/{demo.fund}/proposals/write-offs/{own}"' not in page
    forced = approver.post(
        approver.f(f"proposals/write-offs/{own}"), {"approve": "true", "document_no": "x"}
    )
    assert forced.status_code == 422
    assert "本人" in forced.get_data(as_text=True) or "不能" in forced.get_data(as_text=True)
    assert count(demo, WriteOff, WriteOff.id == own, WriteOff.voucher.is_not(None)) == 0


def test_a_clerk_cannot_decide(browser):
    clerk = browser("clerk")
    no = lend(clerk)
    proposal = propose_write_off(clerk, no)
    assert (
        clerk.post(clerk.f(f"proposals/write-offs/{proposal}"), {"approve": "true"}).status_code
        == 403
    )


def test_the_dashboard_chart_scales_from_the_exact_amounts(browser):
    leader = browser("leader")
    html = leader.get(leader.f("dashboard")).get_data(as_text=True)
    widths = [
        Decimal(w) for w in re.findall(r'<rect x="110" y="\d+" width="([0-9.]+)" height="14"', html)
    ]
    assert widths and max(widths) == Decimal("400.0")  # the largest township fills the chart
    assert all(0 <= width <= 400 for width in widths)


def test_an_unreachable_database_is_a_page_to_try_again_not_an_incident(make_app, caplog):
    """During a failover no node takes the login's query: a 503 page in Chinese, not a 500."""
    app = make_app("postgresql+psycopg://ledger@/ledger?host=127.0.0.1:1&connect_timeout=1")
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    with caplog.at_level(logging.WARNING):
        response = client.post(
            "/login", data={"username": "clerk", "password": "whatever", "csrf_token": token}
        )
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert "暂时连不上数据库" in html and "事件编号" not in html
    assert [r.levelname for r in caplog.records if r.name.startswith("shell")] == ["WARNING"]

"""Who may call what: every URL rule under /api/v1 × every kind of caller, as a truth table.

Callers: county A's clerk, approver, township officers of A and of B,
leader, auditor, admin, anonymous (no token) and a disabled user (whose
token died with the account); then, in `test_authorization_across_counties`,
the same rows for the people of county B and of the cities and the province
(`roles.TENANTS`). Path parameters name objects of township A from the module's
programme, so township B must get 404 wherever the object is A's. Bodies
are empty (``{}``): a caller who is let in meets the schema, 422, which
proves the door opened without writing anything. The table must list every
rule: a new endpoint without a row fails `test_the_matrix_covers_every_rule`.
"""

from __future__ import annotations

import pytest

from tests.api import (
    matrix_exports,
    matrix_imports,
    matrix_outcomes,
    matrix_plans,
    matrix_reconciliations,
    matrix_regions,
    matrix_reports,
    matrix_societies,
)
from tests.api.conftest import PASSWORD
from tests.api.programme import TOWN_A, County, SocietyWorld, World
from tests.api.roles import (
    COUNTY_A,
    COUNTY_READERS,
    PROPOSERS,
    READERS,
    TENANTS,
    TOWNSHIPS,
    USERS,
    F,
    expect,
    sees_county_a,
)

MATRIX: dict[tuple[str, str], dict[str, int]] = {
    # the service itself
    ("GET", "/api/v1/health"): expect(200, anyone=True),
    ("GET", "/api/v1/openapi.json"): expect(200, anyone=True),
    ("GET", "/api/v1/docs"): expect(200, anyone=True),
    ("POST", "/api/v1/auth/tokens"): expect(422, anyone=True),
    ("DELETE", "/api/v1/auth/tokens/current"): expect(204, *USERS),
    ("GET", "/api/v1/auth/me"): expect(200, *USERS),
    # funds: the administrator's
    ("GET", "/api/v1/counties"): expect(200, "admin"),
    ("POST", "/api/v1/counties"): expect(422, "admin"),
    ("GET", "/api/v1/funds"): expect(200, "admin"),
    ("POST", "/api/v1/funds"): expect(422, "admin"),
    ("GET", f"{F}/settings"): expect(200, *COUNTY_READERS, "admin"),
    ("PATCH", f"{F}/settings"): expect(422, "admin"),
    # set-up: the clerk writes, townships read their own
    ("GET", f"{F}/townships"): expect(200, *READERS),
    ("POST", f"{F}/townships"): expect(422, "clerk"),
    ("GET", f"{F}/townships/<t>/position"): expect(200, *READERS, b=404),
    ("GET", f"{F}/project-types"): expect(200, *READERS),
    ("POST", f"{F}/project-types"): expect(422, "clerk"),
    ("GET", f"{F}/batches"): expect(200, *READERS),
    ("POST", f"{F}/batches"): expect(422, "clerk"),
    ("GET", f"{F}/liaisons"): expect(200, *READERS),
    ("POST", f"{F}/liaisons"): expect(422, "clerk"),
    ("GET", f"{F}/liaisons/<int:id>"): expect(200, *READERS, b=404),
    ("POST", f"{F}/liaisons/<int:id>/salary-deductions"): expect(422, "clerk"),
    ("GET", f"{F}/households"): expect(200, *READERS),
    ("POST", f"{F}/households"): expect(422, "clerk"),
    ("GET", f"{F}/households/<int:id>"): expect(200, *READERS, b=404),
    # money in and down
    ("POST", f"{F}/appropriations"): expect(422, "clerk"),
    ("POST", f"{F}/allocations"): expect(422, "clerk"),
    ("POST", f"{F}/remittances"): expect(422, "clerk", *TOWNSHIPS),
    # loans
    ("GET", f"{F}/loans"): expect(200, *READERS),
    ("POST", f"{F}/loans"): expect(422, "clerk"),
    ("GET", f"{F}/loans/<no>"): expect(200, *READERS, b=404),
    ("POST", f"{F}/loans/<no>/verification"): expect(422, "clerk"),
    ("POST", f"{F}/loans/<no>/approval"): expect(422, "clerk"),
    ("POST", f"{F}/loans/<no>/contract"): expect(422, "clerk"),
    ("POST", f"{F}/loans/<no>/disbursements"): expect(422, "clerk"),
    ("POST", f"{F}/loans/<no>/repayments"): expect(422, "clerk", *TOWNSHIPS, b=404),
    ("POST", f"{F}/loans/<no>/recoveries"): expect(422, "clerk", *TOWNSHIPS, b=404),
    ("POST", f"{F}/loans/<no>/liaison-changes"): expect(422, "clerk"),
    ("POST", f"{F}/loans/<no>/guarantee-calls"): expect(422, "approver"),
    ("GET", f"{F}/three-line-report"): expect(200, *READERS),
    # disasters
    ("GET", f"{F}/disasters"): expect(200, *COUNTY_READERS),
    ("POST", f"{F}/disasters"): expect(422, "clerk"),
    ("GET", f"{F}/disasters/<code>"): expect(200, *COUNTY_READERS),
    ("POST", f"{F}/disasters/<code>/losses"): expect(422, "clerk"),
    ("POST", f"{F}/disasters/<code>/write-offs"): expect(422, *PROPOSERS),
    ("POST", f"{F}/disasters/<code>/extensions"): expect(422, *PROPOSERS),
    # proposals: proposed by a clerk (or approver), decided by an approver
    ("GET", f"{F}/write-offs"): expect(200, *COUNTY_READERS),
    ("POST", f"{F}/write-offs"): expect(422, *PROPOSERS),
    ("POST", f"{F}/write-offs/<int:id>/decision"): expect(422, "approver"),
    ("POST", f"{F}/write-offs/decisions"): expect(422, "approver"),
    ("GET", f"{F}/extensions"): expect(200, *COUNTY_READERS),
    ("POST", f"{F}/extensions"): expect(422, *PROPOSERS),
    ("POST", f"{F}/extensions/<int:id>/decision"): expect(422, "approver"),
    ("GET", f"{F}/project-changes"): expect(200, *COUNTY_READERS),
    ("POST", f"{F}/project-changes"): expect(422, *PROPOSERS),
    ("POST", f"{F}/project-changes/<int:id>/decision"): expect(422, "approver"),
    ("GET", f"{F}/reversals"): expect(200, *COUNTY_READERS),
    ("POST", f"{F}/reversals/<int:id>/decision"): expect(422, "approver"),
    # the books
    ("GET", f"{F}/accounts"): expect(200, *COUNTY_READERS),
    ("GET", f"{F}/trial-balance"): expect(200, *COUNTY_READERS),
    ("GET", f"{F}/journals"): expect(200, *COUNTY_READERS),
    ("GET", f"{F}/journals/<voucher>"): expect(200, *COUNTY_READERS),
    # the audit log: the auditors' and the county's own leader's (not a city's or province's)
    ("GET", f"{F}/audit"): expect(200, "leader", "auditor"),
    ("POST", f"{F}/journals/<voucher>/reversal"): expect(422, *PROPOSERS),
    ("GET", f"{F}/periods"): expect(200, *COUNTY_READERS),
    # "2030-13" is no month: the clerk is let in and refused (422) without closing anything
    ("POST", f"{F}/periods/<period>/close"): expect(422, "clerk"),
    ("POST", f"{F}/periods/<period>/reopen"): expect(422, "approver"),
    # the programme's figures
    ("GET", f"{F}/summary"): expect(200, *COUNTY_READERS),
    ("GET", f"{F}/aging"): expect(200, *READERS),
    ("GET", f"{F}/recovery-table"): expect(200, *READERS),
}
# Rows of the endpoints that live in their own modules (one per area, so the
# areas are written side by side without touching this table).
for area in (
    matrix_reports,
    matrix_regions,
    matrix_imports,
    matrix_exports,
    matrix_reconciliations,
    matrix_plans,
    matrix_outcomes,
    matrix_societies,
):
    assert MATRIX.keys().isdisjoint(area.ROWS), area.__name__
    MATRIX.update(area.ROWS)

CASES = [
    pytest.param(method, rule, role, status, id=f"{method} {rule.removeprefix(F)} {role}")
    for (method, rule), table in MATRIX.items()
    for role, status in table.items()
]


def api_rules(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def concrete(rule: str, world: World, society: SocietyWorld | None = None) -> str:
    """The rule with township A's objects of the module's programme (or its society's
    objects) in it."""
    if rule.startswith(matrix_societies.S):
        assert society is not None, f"{rule} needs a society"
        path = rule.replace("<s>", society.code).replace("<no>", society.loan)
        path = path.replace("<int:id>", str(society.member)).replace("<int:year>", "2030")
        rule = path.replace("<period>", "2030-13")
    owner = rule.split("/<int:id>")[0].rsplit("/", 1)[-1]
    ids = {
        "liaisons": world.liaison_a,
        "households": world.household_a,
        "write-offs": world.write_off,
        "extensions": world.extension,
        "project-changes": world.project_change,
        "inspections": world.inspection,
        "findings": world.finding,
        # The module's programme proposes no reversal or recall and records no
        # income; an empty body is refused (422) before the id is looked up, so
        # any id shows who is let in.
        "reversals": 1,
        "recalls": 1,
        "incomes": 1,
    }
    path = rule.replace("<f>", world.code).replace("<no>", world.loan_a)
    path = path.replace("<code>", world.disaster).replace("<voucher>", world.voucher)
    path = path.replace("<t>", TOWN_A).replace("<period>", "2030-13")
    path = path.replace("<account>", "1011").replace("<r>", COUNTY_A)
    if "<int:id>" in path:
        path = path.replace("<int:id>", str(ids[owner]))
    assert "<" not in path, path
    return path


def test_the_matrix_covers_every_rule(api_app):
    rules = api_rules(api_app)
    assert rules - MATRIX.keys() == set(), "endpoints without a row in MATRIX"
    assert MATRIX.keys() - rules == set(), "rows in MATRIX for endpoints that do not exist"


def test_the_documented_roles_match_the_matrix(api_app):
    """Each operation's ``x-roles`` in the OpenAPI document says who the matrix lets in."""
    paths = api_app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    for (method, rule), table in MATRIX.items():
        path = rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        operation = paths.get(path, {}).get(method.lower())
        if operation is None or "x-roles" not in operation:
            assert table["anonymous"] != 401, f"{method} {rule} needs a token but says nothing"
            continue
        admitted = {
            "township" if role in TOWNSHIPS else role
            for role, status in table.items()
            if status not in (401, 403)
        }
        assert admitted == set(operation["x-roles"]), f"{method} {rule}"


def answer(county: County, world: World, society: SocietyWorld, method: str, rule: str, role: str):
    """`role`'s answer to `rule` on the module's world (township A's objects in county A)."""
    path = concrete(rule, world, society)
    headers = county.headers(role) if role not in ("anonymous",) else {}
    logout = (method, rule) == ("DELETE", "/api/v1/auth/tokens/current")
    if logout and role not in ("anonymous", "disabled"):
        # Log out a token of its own, not the one the rest of the module uses.
        login = county.client.post(
            "/api/v1/auth/tokens",
            json={"username": county.name(role), "password": PASSWORD},
        )
        headers = {"Authorization": f"Bearer {login.get_json()['token']}"}
    body = {} if method in ("POST", "PATCH") else None
    return county.client.open(path, method=method, json=body, headers=headers)


def check(response, status: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:1000]
    if status >= 400:
        assert response.mimetype == "application/problem+json"
    if status == 404:
        # Another township's or county's object reads exactly like one that does not exist.
        assert response.get_json()["code"] in {
            "record-not-found",
            "fund-not-found",
            "region-not-found",
        }


@pytest.mark.parametrize(("method", "rule", "role", "status"), CASES)
def test_authorization(
    county: County, world: World, society_world: SocietyWorld, method, rule, role, status
):
    check(answer(county, world, society_world, method, rule, role), status)


#: What a county's own leader reads and a city's or province's leader may not (403).
COUNTY_LEADER_ONLY = {("GET", f"{F}/audit")}


def across_counties(method: str, rule: str, table: dict[str, int], caller: str) -> int:
    """What a caller of `TENANTS` gets: county A's answer for the same role where A lies in
    the caller's region; otherwise the role's refusal, or 404 for any URL of A's fund or
    of a region holding county A."""
    role, region = TENANTS[caller][:2]
    above_county = region is not None and len(region) < len(COUNTY_A)
    if (method, rule) in COUNTY_LEADER_ONLY and role == "leader" and above_county:
        return 403 if sees_county_a(caller) else 404
    status = table[TENANTS[caller][3]]
    if (
        sees_county_a(caller)
        or status in (401, 403)
        or not {"<f>", "<r>", "<s>"} & set(rule.split("/"))
    ):
        return status
    return 404


TENANT_CASES = [
    pytest.param(
        method,
        rule,
        caller,
        across_counties(method, rule, table, caller),
        id=f"{method} {rule.removeprefix(F)} {caller}",
    )
    for (method, rule), table in MATRIX.items()
    for caller in TENANTS
]


@pytest.mark.parametrize(("method", "rule", "caller", "status"), TENANT_CASES)
def test_authorization_across_counties(
    county: County, world: World, society_world: SocietyWorld, method, rule, caller, status
):
    """County B's people get 404 for every URL of county A's fund; city A's and the
    province's leader and auditor read A's as A's own do, and, like them, write nothing."""
    check(answer(county, world, society_world, method, rule, caller), status)

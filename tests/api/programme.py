"""A county programme run over HTTP: a JSON client per person, and a small world to test on.

`County` speaks as any of the session's people (``clerk``, ``approver``,
``township_a`` ...; ``anonymous`` sends no token) and checks the status it
expects, printing the problem body when it differs. `build_world` opens a
fresh fund and takes it, through the API only, to the point every resource
test needs: two townships, liaisons and households in each, money in both
townships, a disbursed loan in each, and on township A's loan a disaster
loss, a pending write-off, extension and project change, and an inspection that
found its money diverted. `build_society` does the same for a mutual-aid society
(opened through the service, as the demo opens them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.actors import SYSTEM
from ledger.programmes import MUTUAL_AID
from ledger.services.funds import open_fund
from tests.api.roles import COUNTY_A
from tests.factories import committing, make_id_number

TOWN_A, TOWN_B = f"{COUNTY_A}001", f"{COUNTY_A}002"
JSON = dict[str, Any]


class County:
    def __init__(self, client: Any, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def headers(self, who: str, key: str | None = None) -> dict[str, str]:
        headers = {} if who == "anonymous" else {"Authorization": f"Bearer {self.tokens[who]}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def name(self, who: str) -> str:
        return self.tokens[f"{who}:name"]

    @staticmethod
    def _check(response: Any, status: int | None) -> Any:
        if status is not None:
            assert response.status_code == status, (
                f"{response.request.method} {response.request.path}: "
                f"{response.status_code} {response.get_data(as_text=True)[:2000]}"
            )
        return response

    def get(
        self,
        who: str,
        path: str,
        status: int | None = 200,
        query: dict[str, Any] | None = None,
        **params: Any,
    ) -> Any:
        return self._check(
            self.client.get(
                path, query_string={**(query or {}), **params}, headers=self.headers(who)
            ),
            status,
        )

    def post(
        self,
        who: str,
        path: str,
        body: Any = None,
        status: int | None = 201,
        key: str | None = None,
    ) -> Any:
        return self._check(
            self.client.post(path, json=body, headers=self.headers(who, key)), status
        )

    def json(self, who: str, path: str, query: dict[str, Any] | None = None, **params: Any) -> Any:
        return self.get(who, path, query=query, **params).get_json()

    def create(self, who: str, path: str, body: Any) -> Any:
        return self.post(who, path, body).get_json()


@dataclass(frozen=True)
class World:
    code: str
    loan_a: str
    loan_b: str
    household_a: int
    household_b: int
    liaison_a: int
    liaison_a2: int
    liaison_b: int
    write_off: int
    extension: int
    project_change: int
    disaster: str
    voucher: str
    inspection: int
    finding: int

    @property
    def f(self) -> str:
        return f"/api/v1/funds/{self.code}"


def new_fund(county: County, prefix: str = "T") -> tuple[str, str]:
    """Open a fund as the administrator; return its code and URL."""
    code = f"{prefix}{uuid.uuid4().hex[:10]}"
    county.create(
        "admin", "/api/v1/funds", {"code": code, "name": "测试周转金", "county": COUNTY_A}
    )
    return code, f"/api/v1/funds/{code}"


def household(county: County, f: str, township: str, name: str, village: str = "胡家湾村") -> int:
    return county.create(
        "clerk",
        f"{f}/households",
        {
            "name": name,
            "id_number": make_id_number(born="19650301"),
            "township": township,
            "village": village,
            "party_member": True,
            "phone": "13912345678",
        },
    )["id"]


def lend(
    county: County,
    f: str,
    *,
    household_id: int,
    liaison: int,
    amount: str,
    schedule: list[tuple[str, str]],
    project_type: str = "fish",
    registered: str = "2007-04-02",
    disbursed: str = "2007-04-10",
) -> str:
    """Take a loan from application to disbursement; return its registration number."""
    loan = county.create(
        "clerk",
        f"{f}/loans",
        {
            "household": household_id,
            "batch": "1",
            "project_type": project_type,
            "project": "鱼塘 3 亩",
            "requested_amount": amount,
            "date": registered,
        },
    )
    no = loan["registration_no"]
    county.post(
        "clerk",
        f"{f}/loans/{no}/verification",
        {"visited_on": registered, "visitor": "县扶贫办 刘", "eligible": True},
    )
    county.post(
        "clerk",
        f"{f}/loans/{no}/approval",
        {
            "approved_amount": amount,
            "schedule": [{"due_date": d, "amount": a} for d, a in schedule],
            "date": registered,
        },
    )
    county.post(
        "clerk",
        f"{f}/loans/{no}/contract",
        {
            "contract_no": no,
            "iou_no": no,
            "liaison": liaison,
            "technical_lead": "李技术",
            "signed_on": registered,
        },
    )
    county.post("clerk", f"{f}/loans/{no}/disbursements", {"date": disbursed, "amount": amount})
    return no


def set_up(county: County, f: str) -> dict[str, int]:
    """Townships A and B, two project types, batch 1, three liaisons; money in both townships."""
    for code, name in ((TOWN_A, "但家庙镇"), (TOWN_B, "衡山镇")):
        county.create("clerk", f"{f}/townships", {"code": code, "name": name})
    county.create(
        "clerk",
        f"{f}/project-types",
        {"code": "fish", "name": "鱼塘养殖", "borrowing_standard": "5000.00"},
    )
    county.create(
        "clerk",
        f"{f}/project-types",
        {"code": "pig", "name": "养猪", "borrowing_standard": "3000.00"},
    )
    county.create("clerk", f"{f}/batches", {"code": "1", "name": "第一批", "budget": "100000.00"})
    liaisons = {}
    for key, name, town, salary in (
        ("a", "王明", TOWN_A, "2000.00"),
        ("a2", "张华", TOWN_A, "1800.00"),
        ("b", "李强", TOWN_B, "2000.00"),
    ):
        liaisons[key] = county.create(
            "clerk",
            f"{f}/liaisons",
            {"name": name, "township": town, "monthly_salary": salary, "phone": "13800000000"},
        )["id"]
    county.create(
        "clerk",
        f"{f}/appropriations",
        {"date": "2007-03-01", "amount": "100000.00", "source": "county", "memo": "县财政拨入"},
    )
    for town, amount in ((TOWN_A, "20000.00"), (TOWN_B, "10000.00")):
        county.create(
            "clerk",
            f"{f}/allocations",
            {"date": "2007-04-01", "township": town, "amount": amount, "batch": "1"},
        )
    return liaisons


def build_world(county: County) -> World:
    code, f = new_fund(county, "W")
    liaisons = set_up(county, f)
    h_a = household(county, f, TOWN_A, "张三")
    h_b = household(county, f, TOWN_B, "李四")
    loan_a = lend(
        county,
        f,
        household_id=h_a,
        liaison=liaisons["a"],
        amount="5000.00",
        schedule=[("2008-04-01", "2500.00"), ("2009-04-01", "2500.00")],
    )
    loan_b = lend(
        county,
        f,
        household_id=h_b,
        liaison=liaisons["b"],
        amount="2000.00",
        schedule=[("2008-01-15", "2000.00")],
    )
    county.create(
        "clerk",
        f"{f}/disasters",
        {
            "code": "0708",
            "name": "7·8风雹灾",
            "date": "2008-07-08",
            "kind": "hail",
            "townships": [TOWN_A],
        },
    )
    county.create(
        "clerk",
        f"{f}/disasters/0708/losses",
        {"loan": loan_a, "assessed_loss": "3000.00", "inspector": "县农业局 王"},
    )
    write_off = county.create(
        "clerk",
        f"{f}/write-offs",
        {
            "loan": loan_a,
            "amount": "1000.00",
            "ground": "disaster",
            "disaster": "0708",
            "reason": "鱼塘冲毁",
            "date": "2008-07-20",
        },
    )["id"]
    extension = county.create(
        "clerk",
        f"{f}/extensions",
        {
            "loan": loan_a,
            "schedule": [{"due_date": "2010-01-01", "amount": "5000.00"}],
            "reason": "受灾,延期还款",
            "date": "2008-07-21",
        },
    )["id"]
    change = county.create(
        "clerk",
        f"{f}/project-changes",
        {
            "loan": loan_a,
            "project_type": "fish",
            "project": "鱼塘扩建",
            "reason": "灾后重建",
            "date": "2008-07-22",
        },
    )["id"]
    voucher = county.json("clerk", f"{f}/journals", per_page=1)[0]["voucher"]
    inspection = county.create(
        "clerk",
        f"{f}/inspections",
        {
            "township": TOWN_A,
            "date": "2007-06-01",
            "kind": "unscheduled",
            "inspectors": "县扶贫办 刘",
            "loans": [loan_a],
        },
    )["id"]
    finding = county.create(
        "clerk",
        f"{f}/inspections/{inspection}/findings",
        {
            "kind": "diverted",
            "loan": loan_a,
            "description": "借款 1000 元用于建房",
            "responsible": "但家庙镇财政所",
            "correct_by": "2007-07-01",
        },
    )["id"]
    return World(
        code,
        loan_a,
        loan_b,
        h_a,
        h_b,
        liaisons["a"],
        liaisons["a2"],
        liaisons["b"],
        write_off,
        extension,
        change,
        "0708",
        voucher,
        inspection,
        finding,
    )


# --- a village mutual-aid society (SPEC §13) ------------------------------------------


def open_society(programme_db: Any, county: str = COUNTY_A) -> tuple[str, str]:
    """A society of `county` opened on 2024-01-01 (with the default 章程); its code and URL."""
    code = f"S{uuid.uuid4().hex[:10]}"
    with committing(programme_db) as uow:
        open_fund(
            uow,
            actor=SYSTEM,
            code=code,
            name="胡家湾村扶贫互助社",
            opened_on=date(2024, 1, 1),
            county=county,
            kind=MUTUAL_AID,
        )
    return code, f"/api/v1/societies/{code}"


def join(
    county: County,
    s: str,
    name: str,
    *,
    poor: bool = False,
    group: str | None = "G1",
    joined_on: str = "2024-02-01",
) -> int:
    """A household joins the society `s` (its URL) by the clerk; the member's id."""
    body = {
        "name": name,
        "id_number": make_id_number(),
        "poor": poor,
        "date": joined_on,
        "group": group,
    }
    return county.create("clerk", f"{s}/members", body)["id"]


@dataclass(frozen=True)
class SocietyWorld:
    code: str
    member: int
    loan: str


def build_society(county: County, db: Any) -> SocietyWorld:
    """A society of county A under its default 章程: capital, a group of three, one
    member's share and that member's loan applied for."""
    code, s = open_society(db)
    county.create("cashier", f"{s}/fiscal-capital", {"date": "2024-01-02", "amount": "10000.00"})
    county.create("clerk", f"{s}/groups", {"code": "G1"})
    members = [join(county, s, name, joined_on="2024-01-02") for name in ("甲", "乙", "丙")]
    county.create(
        "cashier", f"{s}/members/{members[0]}/shares", {"date": "2024-01-02", "amount": "1000.00"}
    )
    loan = county.create(
        "clerk",
        f"{s}/loans",
        {
            "member": members[0],
            "amount": "1000.00",
            "term_months": 6,
            "purpose": "养鸡",
            "applied_on": "2024-01-03",
        },
    )["no"]
    return SocietyWorld(code, members[0], loan)

"""Time and peak memory of the leaders' fund statement (周转金运行情况报告) PDF.

    .venv/bin/python bench/report_fund_statement.py              # demo fund + 10,000 loans
    .venv/bin/python bench/report_fund_statement.py --loans 2000 # a smaller synthetic fund
    .venv/bin/python bench/report_fund_statement.py --no-demo    # skip the demo (~50 s to load)

Two funds, each in a fresh temporary SQLite file (WAL, synchronous=FULL as
in production):

- the demo programme (`ledger.demo.load_demo`: 623 loans, 1,618 journals);
- a synthetic fund of N loans (default 10,000) over 16 townships in two
  batches, with two yearly instalments each, repayments on time, late, in
  part or not at all, 2 % written off after a disaster, and remittances.
  Reference data (fund, townships, liaisons, project types, batches,
  appropriations) goes through the services; households, loans, schedules
  and liaison assignments are bulk-inserted rows; every money movement is a
  `journal_templates.*` draft posted with `post_many` in chunks of 2,000, so
  the book, its running balances and its daily totals are exactly what the
  services would have written. Building 10,000 loans takes well under a minute.

Each fund's statement (2009-01-01 to 2009-12-31) is measured in a fresh
interpreter, so the figures are those of a server process asked for its
first statement: the time to parse the CJK font (once per process, about
half a second), `ledger.read.fund.fund_statement` (the queries) and
`reports.fund_statement.render_fund_statement` (the PDF), cold and then the
median of three warm runs; the tracemalloc peak of one gather + render; and
the process's maximum resident set size (getrusage, imports included, taken
before the tracemalloc run, whose bookkeeping would inflate it).
Target (issue 6): at most 3 s and 300 MB for 10,000 loans. The exit status
is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from ledger import journal_templates, positions  # noqa: E402
from ledger.actors import Actor  # noqa: E402
from ledger.db import Database  # noqa: E402
from ledger.identifiers import id_check_char  # noqa: E402
from ledger.models import (  # noqa: E402
    Batch,
    Disaster,
    Fund,
    Household,
    Instalment,
    LiaisonAssignment,
    Loan,
    LoanEvent,
    LoanStatus,
    ProjectType,
    ProposalStatus,
    ScheduleVersion,
    Township,
    WriteOff,
    WriteOffGround,
)
from ledger.money import split  # noqa: E402
from ledger.posting import JournalDraft  # noqa: E402
from ledger.read.fund import fund_statement  # noqa: E402
from ledger.schema import upgrade  # noqa: E402
from ledger.services import funding, setup  # noqa: E402
from ledger.services.funds import open_fund  # noqa: E402
from ledger.services.journals import post_many  # noqa: E402
from reports.fonts import register_cjk_font  # noqa: E402
from reports.fund_statement import render_fund_statement  # noqa: E402

CLERK = Actor("bench", "clerk")
TARGET_SECONDS = 3.0
TARGET_MB = 300.0
CHUNK = 2000
COUNTY = "341525"
TOWNS = (
    *("衡山镇", "佛子岭镇", "下符桥镇", "但家庙镇", "与儿街镇", "大化坪镇", "漫水河镇", "上土市镇"),
    *("单龙寺镇", "磨子潭镇", "黑石渡镇", "诸佛庵镇", "落儿岭镇", "东西溪乡", "太平畈乡", "太阳乡"),
)
KINDS = (("fish", "水产养殖", 3000), ("pig", "生猪养殖", 2500), ("tea", "茶叶加工", 5000))


def disbursed_loan_row(
    fund_id: int,
    no: str,
    *,
    seq: int,
    household_id: int,
    township_id: int,
    batch_id: int,
    project_type_id: int,
    project: str,
    amount: Decimal,
    signed_on: date,
    by: str,
) -> dict[str, Any]:
    """A `Loan` row to insert in bulk: disbursed, approved as asked, its papers numbered `no`."""
    return {
        "fund_id": fund_id,
        "registration_no": no,
        "seq": seq,
        "household_id": household_id,
        "township_id": township_id,
        "batch_id": batch_id,
        "project_type_id": project_type_id,
        "project": project,
        "status": LoanStatus.DISBURSED,
        "requested_amount": amount,
        "approved_amount": amount,
        "application_no": no,
        "contract_no": no,
        "iou_no": no,
        "technical_lead": "农技站技术员",
        "signed_on": signed_on,
        "created_by": by,
    }


def build_synthetic(
    db: Database, loans: int, *, code: str = "SYN", seed: int = 10000, county: str | None = None
) -> str:
    """A fund of `loans` disbursed loans with a realistic history; returns its code.

    The fund goes to `county` (the install's only county when None).
    """
    rng = random.Random(seed)
    with db.uow() as uow:
        open_fund(
            uow,
            actor=Actor("bench", "admin"),
            code=code,
            name=f"合成基金({loans:,} 户)",
            county=county,
        )
        uow.commit()
    per_loan = Decimal(2500)
    capital = per_loan * Decimal(loans) * Decimal("0.85")
    for (source, share), on in zip(
        (("county", 4), ("city", 3), ("province", 3)), (1, 5, 8), strict=True
    ):
        with db.uow() as uow:
            funding.record_appropriation(
                uow,
                CLERK,
                code,
                on=date(2007, 3, on),
                amount=(capital * share / 10).quantize(Decimal("0.01")),
                source=source,
            )
            uow.commit()
    towns = [f"{COUNTY}{100 + i:03d}" for i in range(len(TOWNS))]
    liaisons: dict[str, list[int]] = {}
    for town, name in zip(towns, TOWNS, strict=True):
        with db.uow() as uow:
            setup.add_township(uow, CLERK, code, code=town, name=name)
            uow.commit()
        liaisons[town] = []
        for n in range(3):
            with db.uow() as uow:
                liaisons[town].append(
                    setup.add_liaison(
                        uow,
                        CLERK,
                        code,
                        name=f"{name[:2]}联系人{n + 1}",
                        township=town,
                        monthly_salary="2200.00",
                    ).id
                )
                uow.commit()
    for kind, name, standard in KINDS:
        with db.uow() as uow:
            setup.add_project_type(
                uow, CLERK, code, code=kind, name=name, borrowing_standard=f"{standard}.00"
            )
            uow.commit()
    first = loans * 4 // 5
    with db.uow() as uow:
        setup.add_batch(uow, CLERK, code, code="1", name="第一批", budget=f"{capital}")
        uow.commit()
    with db.uow() as uow:
        setup.add_batch(uow, CLERK, code, code="2", name="第二批(周转)", budget=f"{capital}")
        uow.commit()

    with db.uow() as uow:
        session = uow.session
        fund_id = session.scalar(select(Fund.id).where(Fund.code == code))
        town_ids, batch_ids, kind_ids = (
            dict(session.execute(select(m.code, m.id).where(m.fund_id == fund_id)).all())
            for m in (Township, Batch, ProjectType)
        )
        plan = []
        seqs: dict[tuple[str, str], int] = defaultdict(int)
        for n in range(loans):
            batch = "1" if n < first else "2"
            town = towns[rng.randrange(len(towns))]
            kind, _, standard = KINDS[rng.randrange(len(KINDS))]
            amount = Decimal(rng.randrange(10, standard // 100 + 1) * 100)
            seqs[(batch, town)] += 1
            no = f"{batch}-{town}-{seqs[(batch, town)]:04d}"
            plan.append((no, batch, town, kind, amount))
        households = session.scalars(
            insert(Household).returning(Household.id, sort_by_parameter_order=True),
            [
                {
                    "fund_id": fund_id,
                    "township_id": town_ids[town],
                    "name": f"农户{n:05d}",
                    "id_number": _id_number(n),
                    "village": f"第{n % 40 + 1}村民组",
                    "party_member": True,
                    "created_by": CLERK.username,
                }
                for n, (_, _, town, _, _) in enumerate(plan)
            ],
        ).all()
        loan_ids = session.scalars(
            insert(Loan).returning(Loan.id, sort_by_parameter_order=True),
            [
                disbursed_loan_row(
                    fund_id,
                    no,
                    seq=int(no[-4:]),
                    household_id=person,
                    township_id=town_ids[town],
                    batch_id=batch_ids[batch],
                    project_type_id=kind_ids[kind],
                    project=f"{kind} 项目",
                    amount=amount,
                    signed_on=date(2007 if batch == "1" else 2009, 4, 10),
                    by=CLERK.username,
                )
                for person, (no, batch, town, kind, amount) in zip(households, plan, strict=True)
            ],
        ).all()
        # Counted for the lists' totals, as `register_loan` and `add_household` count them.
        positions.record_counts(
            session,
            fund_id,
            loans=Counter(
                (town_ids[town], batch_ids[batch], LoanStatus.DISBURSED)
                for _, batch, town, _, _ in plan
            ),
            households=Counter(town_ids[town] for _, _, town, _, _ in plan),
        )
        versions, instalments, assignments = [], [], []
        dues: list[list[tuple[date, Decimal]]] = []
        for loan_id, (_, batch, town, _, amount) in zip(loan_ids, plan, strict=True):
            year = 2007 if batch == "1" else 2009
            parts = split(amount, 2)
            due = [(date(year, 12, 31), parts[0]), (date(year + 1, 12, 31), parts[1])]
            dues.append(due)
            versions.append(
                {
                    "loan_id": loan_id,
                    "version": 1,
                    "effective_on": date(year, 4, 5),
                    "principal": amount,
                    "settled_before": Decimal("0.00"),
                }
            )
            instalments += [
                {"loan_id": loan_id, "version": 1, "seq": s, "due_date": d, "amount": a}
                for s, (d, a) in enumerate(due, start=1)
            ]
            assignments.append(
                {
                    "loan_id": loan_id,
                    "liaison_id": rng.choice(liaisons[town]),
                    "effective_on": date(year, 4, 10),
                    "reason": "签订责任书",
                    "recorded_by": CLERK.username,
                }
            )
        # Each loan's registration and approval, kept in the period's activity as
        # `register_loan` and `approve_loan` keep them.
        for action, on, status in (
            ("registered", 3, LoanStatus.APPLIED),
            ("approved", 5, LoanStatus.APPROVED),
        ):
            events = session.scalars(
                insert(LoanEvent).returning(LoanEvent.id, sort_by_parameter_order=True),
                [
                    {
                        "loan_id": loan_id,
                        "on": date(2007 if batch == "1" else 2009, 4, on),
                        "action": action,
                        "from_status": LoanStatus.APPLIED.value,
                        "to_status": status.value,
                        "actor": CLERK.username,
                    }
                    for loan_id, (_, batch, _, _, _) in zip(loan_ids, plan, strict=True)
                ],
            ).all()
            for at in range(0, len(events), 1000):
                positions.record_loan_events(session, fund_id, action, events[at : at + 1000])
        session.execute(insert(ScheduleVersion), versions)
        session.execute(insert(Instalment), instalments)
        # The dues under the approved schedules, kept as `approve_loan` keeps them.
        for at in range(0, len(loan_ids), 1000):
            positions.record_schedules(
                session, fund_id, {loan_id: 1 for loan_id in loan_ids[at : at + 1000]}
            )
        session.execute(insert(LiaisonAssignment), assignments)
        disaster_id = session.scalar(
            insert(Disaster)
            .values(
                fund_id=fund_id,
                code="0708",
                name="7·8风雹灾",
                occurred_on=date(2007, 7, 8),
                kind="hail",
                recorded_by=CLERK.username,
            )
            .returning(Disaster.id)
        )
        uow.commit()

    # Every movement as its posting-rule draft, posted in date order so that
    # batch 2 is lent from what batch 1 repaid and the townships remitted.
    drafts: list[JournalDraft] = []
    for batch, year in (("1", 2007), ("2", 2009)):
        lent: dict[str, Decimal] = defaultdict(Decimal)
        for _, b, town, _, amount in plan:
            if b == batch:
                lent[town] += amount
        drafts += [
            journal_templates.allocation(date(year, 4, 15), town, lent[town], f"拨付 第 {batch} 批")
            for town in towns
            if lent[town] > 0  # a small fund leaves a township without loans in a batch
        ]
        drafts += [
            journal_templates.disbursement(date(year, 4, 20 + n % 10), no, town, amount)
            for n, (no, b, town, _, amount) in enumerate(plan)
            if b == batch
        ]
    write_offs, collected = [], defaultdict(Decimal)
    until = date(2009, 12, 31)
    for (no, _, town, _, amount), due, loan_id in zip(plan, dues, loan_ids, strict=True):
        habit = rng.random()
        if habit < 0.02 and no.startswith("1-"):  # the disaster: written off whole
            drafts.append(
                journal_templates.write_off(date(2007, 9, 28), no, amount, "0708", f"核销 {no}")
            )
            write_offs.append((loan_id, amount))
            continue
        for due_on, part in due:
            if due_on > until or habit < 0.08:
                continue
            late = timedelta(days=rng.randrange(-40, 5) if habit > 0.25 else rng.randrange(20, 120))
            paid = part if habit > 0.15 else (part / 2).quantize(Decimal("0.01"))
            on = min(due_on + late, until)
            drafts.append(journal_templates.repayment(on, no, town, paid))
            if on <= date(2008, 12, 20):
                collected[town] += paid
    drafts += [
        journal_templates.remittance(date(2008, 12, 25), town, collected[town], "上缴")
        for town in towns
        if collected[town] > 0
    ]
    drafts.sort(key=lambda d: d.posted_on)  # stable: allocations stay before disbursements
    _post(db, fund_id, drafts)
    if not write_offs:  # a small fund may have none; an empty insert would add a blank row
        return code
    with db.uow() as uow:
        uow.session.execute(
            insert(WriteOff),
            [
                {
                    "fund_id": fund_id,
                    "loan_id": loan_id,
                    "amount": amount,
                    "ground": WriteOffGround.DISASTER,
                    "disaster_id": disaster_id,
                    "evidence": "县农委核灾报告",
                    "status": ProposalStatus.APPROVED,
                    "reason": "项目毁损",
                    "proposed_by": CLERK.username,
                    "proposed_on": date(2007, 9, 10),
                    "decided_by": "approver",
                    "decided_on": date(2007, 9, 28),
                    "document_no": "霍脱贫〔2007〕12号",
                }
                for loan_id, amount in write_offs
            ],
        )
        uow.commit()
    return code


def _post(db: Database, fund_id: int, drafts: list[JournalDraft]) -> None:
    for start in range(0, len(drafts), CHUNK):
        with db.uow() as uow:
            post_many(uow, fund_id, drafts[start : start + CHUNK], actor=CLERK.username)
            uow.commit()


def _id_number(n: int) -> str:
    """The n-th household's 身份证号, unique for up to 15,000,000 households."""
    born = date(1940, 1, 1) + timedelta(days=n % 15000)
    first17 = f"{COUNTY}{born:%Y%m%d}{(n + n // 15000) % 1000:03d}"
    return first17 + id_check_char(first17)


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def measure(url: str, code: str, to: date) -> dict[str, Any]:
    """In a fresh process: the statement from 1 January of `to`'s year to `to`, cold then warm."""
    db = Database.connect(url)
    frm = date(to.year, 1, 1)

    def gather() -> Any:
        with db.read() as session:
            return fund_statement(session, CLERK, code, from_=frm, to=to)

    _, font_s = _timed(register_cjk_font)
    data, gather_cold = _timed(gather)
    pdf, render_cold = _timed(lambda: render_fund_statement(data))
    gathers = [_timed(gather)[1] for _ in range(3)]
    renders = [_timed(lambda: render_fund_statement(data))[1] for _ in range(3)]
    # Before tracemalloc, whose own bookkeeping would inflate the resident set.
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Peak Python allocations of one gather + render (tracemalloc slows it: not timed).
    gc.collect()
    tracemalloc.start()
    render_fund_statement(gather())
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    db.engine.dispose()
    return {
        "loans": data.summary.loans,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "kb": len(pdf) // 1024,
        "font_s": font_s,
        "gather_cold_s": gather_cold,
        "render_cold_s": render_cold,
        "cold_s": font_s + gather_cold + render_cold,
        "gather_s": statistics.median(gathers),
        "render_s": statistics.median(renders),
        "warm_s": statistics.median(g + r for g, r in zip(gathers, renders, strict=True)),
        "peak_mb": peak,
        "maxrss_mb": maxrss,
    }


def in_child(url: str, code: str, to: date) -> dict[str, Any]:
    """Run `measure` in a new interpreter, so its maxrss is the statement's alone."""
    out = subprocess.run(
        [sys.executable, __file__, "--measure", url, code, to.isoformat()],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=10_000)
    parser.add_argument("--no-demo", action="store_true", help="skip the demo fund")
    parser.add_argument("--measure", nargs=3, metavar=("URL", "FUND", "TO"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        url, code, to = args.measure
        print(json.dumps(measure(url, code, date.fromisoformat(to))))
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_demo:
            from ledger.demo import FUND, load_demo

            url = f"sqlite:///{tmp}/demo.db"
            db = Database.connect(url)
            upgrade(db.engine)
            _, built = _timed(lambda: load_demo(db))
            db.engine.dispose()
            print(f"demo fund loaded in {built:.1f} s", flush=True)
            results.append(("demo", in_child(url, FUND, date(2009, 12, 31))))
        url = f"sqlite:///{tmp}/synthetic.db"
        db = Database.connect(url)
        upgrade(db.engine)
        _, built = _timed(lambda: build_synthetic(db, args.loans))
        db.engine.dispose()
        print(f"synthetic fund of {args.loans:,} loans built in {built:.1f} s", flush=True)
        results.append((f"synthetic {args.loans:,}", in_child(url, "SYN", date(2009, 12, 31))))
    print()
    print(
        f"{'fund':<17}{'loans':>7}{'pages':>6}{'KB':>5}{'font':>6}{'gather':>8}{'render':>8}"
        f"{'cold':>7}{'warm':>7}{'peak MB':>8}{'maxrss':>7}"
    )
    missed = False
    for name, r in results:
        print(
            f"{name:<17}{r['loans']:>7,}{r['pages']:>6}{r['kb']:>5}{r['font_s']:>6.2f}"
            f"{r['gather_cold_s']:>8.2f}{r['render_cold_s']:>8.2f}{r['cold_s']:>7.2f}"
            f"{r['warm_s']:>7.2f}{r['peak_mb']:>8.1f}{r['maxrss_mb']:>7.0f}"
        )
        missed |= r["cold_s"] > TARGET_SECONDS or r["maxrss_mb"] > TARGET_MB
    print(
        "\nStatement for 2009-01-01 to 2009-12-31, SQLite, one fresh process per fund. "
        "font = parsing the CJK font (once per process); gather = ledger.read.fund."
        "fund_statement (the queries); render = reports.fund_statement (the PDF); cold = "
        "font + gather + render of the first statement; warm = median gather + render of the "
        "next three; peak MB = tracemalloc peak of one gather + render; maxrss = the measuring "
        f"process's peak resident set. Target: cold <= {TARGET_SECONDS:.0f} s, maxrss <= "
        f"{TARGET_MB:.0f} MB."
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

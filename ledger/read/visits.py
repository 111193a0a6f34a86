"""Visits read: the month's missing visits, a liaison's year, a cadre's yearly minimum.

联系人每月至少到联系户一次: every loan *due a visit* in a month needs at
least one visit by its liaison in that month. A loan is due a visit when
something is still owed on it on the month's last day (or today, while the
month runs): disbursed and not yet settled by repayment, guarantee call or
write-off. It is *done* when its liaison of the day visited it in the month
(the visit service checks who that was), and *missing* otherwise; a missing
visit is put to the liaison answering for the loan on the month's last day
(or today), whose to-do it is. So, in every month, done + missing = due.

Pairing cadres (联户干部) have a yearly rule instead: at least two visits and
seven days in all per household a year (一年入户不少于2次、累计时间不少于1周).

A township officer sees only their own township's loans, liaisons and
households.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import dates
from ledger.actors import Actor, township_filter
from ledger.errors import DateInFuture, InvalidField
from ledger.models import (
    Household,
    Liaison,
    LiaisonAssignment,
    Loan,
    LoanPosition,
    LoanStatus,
    Township,
    Visit,
    VisitorKind,
)
from ledger.read import positions as kept_reads
from ledger.read.access import fund as visible_fund
from ledger.read.figures import figures
from ledger.read.listing import Listing
from ledger.read.loans import NARROW_LIST, current_liaisons
from ledger.read.setup import township_groups
from ledger.services import lookup

#: Loans money was ever lent on: only these can be owing.
LENT = (LoanStatus.DISBURSED, LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF)
#: A pairing cadre's yearly minimum per household (seed 001): visits and days.
CADRE_MIN_VISITS = 2
CADRE_MIN_DAYS = 7

_MONTH = re.compile(r"^([1-9][0-9]{3})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class VisitView:
    """A recorded visit as a client sees it: loan and people by their keys."""

    id: int
    kind: str
    loan: str | None
    household: int
    liaison: int | None
    visitor: str
    visited_on: date
    days: int
    progress: str | None
    funds_as_approved: bool | None
    notes: str
    recorded_by: str


def visit_of(session: Session, visit: Visit) -> VisitView:
    """The view of a visit just recorded (read in the write's own transaction)."""
    loan = session.get_one(Loan, visit.loan_id) if visit.loan_id is not None else None
    return _view(visit, loan.registration_no if loan else None)


def _view(visit: Visit, registration_no: str | None) -> VisitView:
    return VisitView(
        visit.id,
        visit.visitor_kind.value,
        registration_no,
        visit.household_id,
        visit.liaison_id,
        visit.visitor,
        visit.visited_on,
        visit.days,
        visit.progress.value if visit.progress else None,
        visit.funds_as_approved,
        visit.notes,
        visit.recorded_by,
    )


def loan_visits(
    session: Session, actor: Actor, fund_code: str, registration_no: str
) -> tuple[VisitView, ...]:
    """A loan's visits, newest first (another township's loan: not found).

    These are the visits that saw the loan's project: its liaisons'. A pairing
    cadre's visit names the household, not a loan, and is in the cadre's year.
    """
    fund = visible_fund(session, actor, fund_code)
    loan = lookup.loan(session, fund.id, registration_no, actor)
    return tuple(
        _view(visit, loan.registration_no)
        for visit in session.scalars(
            select(Visit)
            .where(Visit.loan_id == loan.id)
            .order_by(Visit.visited_on.desc(), Visit.id.desc())
        )
    )


@dataclass(frozen=True)
class DueVisit:
    """A loan due a visit in the month, and whether its liaison made one."""

    registration_no: str
    household: str
    township: str
    township_name: str
    #: The liaison answering for the loan on the month's last day (or today).
    liaison_id: int
    liaison: str
    done: bool


@dataclass(frozen=True)
class LiaisonMonth:
    """One liaison's month: loans due a visit, visited, not visited."""

    liaison_id: int
    liaison: str
    township: str
    due: int
    done: int

    @property
    def missing(self) -> int:
        return self.due - self.done


@dataclass(frozen=True)
class MonthVisits:
    """The month's visits against the rule, as a township officer's to-do list."""

    month: str
    #: The days counted: the month's first day to its last, or to today.
    first: date
    last: date
    due: int
    done: int
    #: The loans not visited yet, by township, liaison and registration number.
    missing: tuple[DueVisit, ...]
    liaisons: tuple[LiaisonMonth, ...]


def _month(value: object) -> tuple[date, date]:
    """The first day of month ``YYYY-MM`` and its last counted day (not after today)."""
    found = _MONTH.match(value) if isinstance(value, str) else None
    if found is None:
        raise InvalidField(
            f"month 月份 {value!r} 应为 YYYY-MM", f"month {value!r} must be YYYY-MM", field="month"
        )
    year, month = int(found[1]), int(found[2])
    first = date(year, month, 1)
    today = dates.today()
    if first > today:
        raise DateInFuture(
            f"月份 {value} 尚未开始(今天是 {today})",
            f"month {value} has not begun (today is {today})",
            field="month",
        )
    return first, min(date(year, month, calendar.monthrange(year, month)[1]), today)


def due_visits(
    session: Session,
    fund_id: int,
    actor: Actor,
    first: date,
    last: date,
    *,
    township: str | None = None,
    liaison_id: int | None = None,
) -> list[DueVisit]:
    """The loans due a visit between `first` and `last` (see the module's rule)."""
    query = (
        select(Loan.id, Loan.registration_no, Household.name, Township.code, Township.name)
        .join(Household, Household.id == Loan.household_id)
        .join(Township, Township.id == Loan.township_id)
        .where(Loan.fund_id == fund_id, Loan.status.in_(LENT))
        .order_by(Township.code, Loan.registration_no)
    )
    town = township_filter(actor, township)
    if town is not None:
        query = query.where(Township.code == town)
    if liaison_id is not None:
        query = query.where(
            Loan.id.in_(
                select(LiaisonAssignment.loan_id).where(LiaisonAssignment.liaison_id == liaison_id)
            )
        )
    loans = session.execute(query).all()
    nos = [row[1] for row in loans]
    owed = figures(session, fund_id, as_of=last, loan_nos=nos if len(nos) <= NARROW_LIST else None)
    loans = [row for row in loans if row[1] in owed and owed[row[1]].outstanding > 0]
    ids = [row[0] for row in loans]
    on_duty = current_liaisons(session, ids, last)
    if liaison_id is not None:
        loans = [row for row in loans if on_duty.get(row[0]) == liaison_id]
    visited = set(
        session.scalars(
            select(Visit.loan_id).where(
                Visit.fund_id == fund_id,
                Visit.visitor_kind == VisitorKind.LIAISON,
                Visit.visited_on.between(first, last),
            )
        )
    )
    names = dict(
        session.execute(select(Liaison.id, Liaison.name).where(Liaison.fund_id == fund_id)).all()
    )
    return [
        DueVisit(
            no, household, code, name, on_duty[loan_id], names[on_duty[loan_id]], loan_id in visited
        )
        for loan_id, no, household, code, name in loans
    ]


def month_visits(
    session: Session, actor: Actor, fund_code: str, month: str, *, township: str | None = None
) -> MonthVisits:
    """The loans due a visit in `month` (``YYYY-MM``), done and missing, per liaison."""
    fund = visible_fund(session, actor, fund_code)
    if township is not None:
        lookup.township(session, fund.id, township, actor, "township")
    first, last = _month(month)
    due = due_visits(session, fund.id, actor, first, last, township=township)
    per: dict[tuple[str, str, int], list[DueVisit]] = defaultdict(list)
    for visit in due:
        per[(visit.township, visit.liaison, visit.liaison_id)].append(visit)
    return MonthVisits(
        month,
        first,
        last,
        len(due),
        sum(v.done for v in due),
        tuple(
            sorted(
                (v for v in due if not v.done),
                key=lambda v: (v.township, v.liaison, v.registration_no),
            )
        ),
        tuple(
            LiaisonMonth(person_id, person, town, len(rows), sum(v.done for v in rows))
            for (town, person, person_id), rows in sorted(per.items())
        ),
    )


@dataclass(frozen=True)
class TownshipMonth:
    """One township's month: loans due a visit, visited, not visited."""

    township: str
    township_name: str
    due: int
    done: int

    @property
    def missing(self) -> int:
        return self.due - self.done


@dataclass(frozen=True)
class MonthPage:
    """The month's visits as the page shows them: counts by township from the kept
    figures, and one page of the loans not visited yet."""

    month: str
    first: date
    last: date
    due: int
    done: int
    #: One page of the loans not visited yet, by township and registration number.
    missing: tuple[DueVisit, ...]
    #: The cursor of the page after `missing` (None on the last page).
    next: str | None
    townships: tuple[TownshipMonth, ...]


@dataclass(frozen=True)
class _Unvisited:
    """A loan no liaison visited in the month, as the list seeks it."""

    loan_id: int
    registration_no: str
    household: str
    township: str
    township_name: str


def month_page(
    session: Session,
    actor: Actor,
    fund_code: str,
    month: str,
    *,
    township: str | None = None,
    after: str | None = None,
    limit: int = 50,
) -> MonthPage:
    """`month_visits` a page at a time: the counts by township (`tally_by_township`, from
    the kept figures) and the loans due a visit and not visited after the cursor `after`.

    The unvisited loans are sought township by township in registration
    number order (`Listing.scan`) among the loans owing now or moved since
    the month's last counted day and with no liaison's visit in the month;
    in the current month the kept position says which owe, in a past one
    each candidate of the page is computed from its entries. The page's
    liaisons are the loans' liaisons of that day.
    """
    fund = visible_fund(session, actor, fund_code)
    town = township_filter(actor, township)
    town_id = None
    if town is not None:
        town_id = lookup.township(session, fund.id, town, actor, "township").id
    first, last = _month(month)
    codes = {
        key: (code, name)
        for key, code, name in session.execute(
            select(Township.id, Township.code, Township.name).where(Township.fund_id == fund.id)
        )
    }
    counts = tally_by_township(session, fund.id, first, last, town_id)
    towns = tuple(
        sorted(
            (TownshipMonth(*codes[t], due, done) for t, (due, done) in counts.items() if due),
            key=lambda t: t.township,
        )
    )
    current = last == dates.today()
    p = LoanPosition
    owing = select(p.loan_id).where(
        p.loan_id == Loan.id,
        p.fund_id == fund.id,
        p.outstanding > 0 if current else (p.outstanding > 0) | (p.last_moved_on > last),
    )
    visited = select(Visit.id).where(
        Visit.loan_id == Loan.id,
        Visit.visitor_kind == VisitorKind.LIAISON,
        Visit.visited_on.between(first, last),
    )
    query = (
        select(
            Loan.id.label("loan_id"),
            Loan.registration_no,
            Household.name.label("household"),
            Township.code.label("township"),
            Township.name.label("township_name"),
        )
        .join(Household, Household.id == Loan.household_id)
        .join(Township, Township.id == Loan.township_id)
        .where(Loan.fund_id == fund.id, owing.exists(), ~visited.exists())
        .order_by(Township.code, Loan.registration_no)
    )
    listing = Listing(
        query,
        _Unvisited,
        keys=("township", "registration_no"),
        groups=township_groups(session, fund.id, Loan.township_id, town),
    )
    people = dict(
        session.execute(select(Liaison.id, Liaison.name).where(Liaison.fund_id == fund.id)).all()
    )

    def due(part: list[_Unvisited]) -> list[DueVisit]:
        if not current:
            then = figures(session, fund.id, as_of=last, loan_nos=[r.registration_no for r in part])
            part = [
                r
                for r in part
                if r.registration_no in then and then[r.registration_no].outstanding > 0
            ]
        on_duty = current_liaisons(session, [r.loan_id for r in part], last)
        return [
            DueVisit(
                r.registration_no,
                r.household,
                r.township,
                r.township_name,
                on_duty[r.loan_id],
                people[on_duty[r.loan_id]],
                False,
            )
            for r in part
        ]

    page = listing.scan(session, due, after=after, limit=limit)
    return MonthPage(
        month,
        first,
        last,
        sum(t.due for t in towns),
        sum(t.done for t in towns),
        tuple(page.items),
        page.next,
        towns,
    )


def this_month(session: Session, actor: Actor, fund_code: str) -> tuple[int, int]:
    """(due, done) of the current month's visits, as `month_visits` counts them: the to-do."""
    fund = visible_fund(session, actor, fund_code)
    own = lookup.own_township_id(session, fund.id, actor)
    today = dates.today()
    counts = tally_by_township(session, fund.id, today.replace(day=1), today, own)
    return sum(due for due, _ in counts.values()), sum(done for _, done in counts.values())


def tally_by_township(
    session: Session, fund_id: int, first: date, last: date, township_id: int | None = None
) -> dict[int, tuple[int, int]]:
    """township id -> (due, done) of the visits from `first` to `last`, as `due_visits`
    counts them, from the kept figures.

    Due are the loans owing at the end of `last`: the kept count of open
    loans then. Done are those of them a liaison visited in the days: a
    visited loan with no entry after `last` owed then what it owes now (its
    kept position); only the visited loans moved since are computed from
    their entries. The cost follows the townships and the days' visits, not
    the loans in the book.
    """
    due = {
        town: kept.open_loans
        for town, kept in kept_reads.township_totals(
            session, fund_id, as_of=last, township_id=township_id
        ).items()
    }
    p = LoanPosition
    # From the days' visits to their loans: as `Loan.id IN (...)`, SQLite
    # walked every loan of the fund to test each against the visits.
    days_visits = (
        select(Visit.loan_id)
        .where(
            Visit.fund_id == fund_id,
            Visit.visitor_kind == VisitorKind.LIAISON,
            Visit.visited_on.between(first, last),
        )
        .distinct()
        .subquery()
    )
    visited = (
        select(Loan.registration_no, p.township_id, p.outstanding, p.last_moved_on)
        .select_from(days_visits)
        .join(Loan, Loan.id == days_visits.c.loan_id)
        .join(p, (p.fund_id == Loan.fund_id) & (p.loan_id == Loan.id))
        .where(Loan.fund_id == fund_id)
    )
    if township_id is not None:
        visited = visited.where(p.township_id == township_id)
    rows = session.execute(visited).all()
    moved = {no for no, _, _, moved_on in rows if moved_on is not None and moved_on > last}
    then = (
        figures(session, fund_id, as_of=last, loan_nos=moved if len(moved) <= NARROW_LIST else None)
        if moved
        else {}
    )
    done: dict[int, int] = defaultdict(int)
    for no, town, outstanding, _ in rows:
        if no in moved:
            outstanding = then[no].outstanding if no in then else 0
        if outstanding > 0:
            done[town] += 1
    return {town: (due.get(town, 0), done[town]) for town in due.keys() | done.keys()}


@dataclass(frozen=True)
class MonthTally:
    """One month of a liaison's year: loans due a visit, and those not visited."""

    month: str
    due: int
    done: int
    missing: tuple[str, ...]  # registration numbers


@dataclass(frozen=True)
class LiaisonYear:
    liaison_id: int
    liaison: str
    township: str
    year: int
    #: January to December, or to this month in the current year.
    months: tuple[MonthTally, ...]

    @property
    def missing(self) -> int:
        return sum(len(m.missing) for m in self.months)


def liaison_year(
    session: Session, actor: Actor, fund_code: str, liaison_id: int, year: int
) -> LiaisonYear:
    """A liaison's visit record over `year`: each month's loans due, visited and missed."""
    fund = visible_fund(session, actor, fund_code)
    person = lookup.by_id(session, Liaison, fund.id, liaison_id, actor, "liaison")
    months = []
    for month in range(1, 13):
        label = f"{year:04d}-{month:02d}"
        if date(year, month, 1) > dates.today():
            break
        first, last = _month(label)
        due = due_visits(session, fund.id, actor, first, last, liaison_id=person.id)
        months.append(
            MonthTally(
                label,
                len(due),
                sum(v.done for v in due),
                tuple(v.registration_no for v in due if not v.done),
            )
        )
    town = session.get_one(Township, person.township_id)
    return LiaisonYear(person.id, person.name, town.code, year, tuple(months))


@dataclass(frozen=True)
class CadreYear:
    """A pairing cadre's visits to one household over a year, against the minimum."""

    visitor: str
    household_id: int
    household: str
    township: str
    visits: int
    days: int
    meets_minimum: bool

    @property
    def visits_short(self) -> int:
        """Visits still needed this year to meet the minimum (0 when met)."""
        return max(CADRE_MIN_VISITS - self.visits, 0)

    @property
    def days_short(self) -> int:
        """Days still needed this year to meet the minimum (0 when met)."""
        return max(CADRE_MIN_DAYS - self.days, 0)


def cadre_years(
    session: Session,
    actor: Actor,
    fund_code: str,
    year: int,
    *,
    township: str | None = None,
    visitor: str | None = None,
) -> tuple[CadreYear, ...]:
    """Each cadre and household with visits in `year`: visits, days, and whether that is enough.

    Those behind the minimum come first (they are the ones to chase), then by
    township, cadre and household. `visitor` narrows it to one cadre's year.
    A pairing with no visit at all is not in the log, so it is not listed:
    the pairings themselves are kept by the scheme that makes them.
    """
    fund = visible_fund(session, actor, fund_code)
    if township is not None:
        lookup.township(session, fund.id, township, actor, "township")
    query = (
        select(
            Visit.visitor,
            Household.id,
            Household.name,
            Township.code,
            func.count(Visit.id),
            func.sum(Visit.days),
        )
        .join(Household, Household.id == Visit.household_id)
        .join(Township, Township.id == Household.township_id)
        .where(
            Visit.fund_id == fund.id,
            Visit.visitor_kind == VisitorKind.CADRE,
            Visit.visited_on.between(date(year, 1, 1), date(year, 12, 31)),
        )
        .group_by(Visit.visitor, Household.id, Household.name, Township.code)
        .order_by(Township.code, Visit.visitor, Household.id)
    )
    town = township_filter(actor, township)
    if town is not None:
        query = query.where(Township.code == town)
    if visitor is not None:
        query = query.where(Visit.visitor == visitor.strip())
    rows = (
        CadreYear(
            name,
            home_id,
            home,
            code,
            visits,
            int(days),
            visits >= CADRE_MIN_VISITS and days >= CADRE_MIN_DAYS,
        )
        for name, home_id, home, code, visits, days in session.execute(query)
    )
    return tuple(sorted(rows, key=lambda row: row.meets_minimum))  # stable: behind first

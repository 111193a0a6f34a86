"""Loans as listed, viewed and printed: figures, schedules, liaisons and history as of a date.

Everything is computed from the ledger (`ledger.read.figures`) and the
loans' schedules, for many loans at once: `loan_rows` is the unit every
list, report and spreadsheet sums. A township officer only ever gets their
own township's loans; another township's loan is `NotFound`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, column, func, or_, select, table, union
from sqlalchemy.orm import Session, aliased

from ledger import chart, dates
from ledger.actors import Actor, township_filter
from ledger.db import chunked
from ledger.models import (
    Batch,
    Household,
    Instalment,
    Liaison,
    LiaisonAssignment,
    Loan,
    LoanCount,
    LoanEvent,
    LoanPosition,
    LoanStatus,
    ProjectType,
    Township,
)
from ledger.posting import AccountRef
from ledger.read import positions as kept_reads
from ledger.read.access import FundHeader, fund
from ledger.read.books import ZERO, StatementLine, statement_lines
from ledger.read.figures import (
    InstalmentSettlement,
    LoanFigures,
    Schedule,
    figures,
    loan_figures,
    schedules,
    settle_by_kind,
    settlements,
)
from ledger.read.journals import JournalView, journal_view
from ledger.read.listing import Listing, Seek
from ledger.read.setup import coded, township_groups
from ledger.schedule import aging_bucket
from ledger.services import lookup
from ledger.services.journals import PostedJournal
from ledger.services.proposals import pending_write_offs
from ledger.threelines import three_line_problems

#: Up to this many loans, `loan_rows` sums the entries of just those loans.
NARROW_LIST = 500


@dataclass(frozen=True)
class LoanRow:
    """One loan with its figures on the as-of date: the unit every report sums."""

    loan_id: int
    registration_no: str
    status: str
    household: str
    id_number: str
    village: str
    township: str
    township_name: str
    batch: str
    project_type: str
    project: str
    approved: Decimal
    figures: LoanFigures
    pending_write_off: Decimal
    overdue_days: int
    overdue_amount: Decimal
    liaison_id: int | None
    extended: bool

    @property
    def outstanding(self) -> Decimal:
        return self.figures.outstanding

    @property
    def bucket(self) -> str | None:
        return aging_bucket(self.overdue_days)


@dataclass(frozen=True)
class ListedLoan:
    """A loan as a list selects it, before its figures are added."""

    loan_id: int
    registration_no: str
    status: LoanStatus
    household: str
    id_number: str
    village: str
    township: str
    township_name: str
    batch: str
    project_type: str
    project: str
    approved: Decimal | None
    household_id: int


#: The shortest search a trigram index serves: three characters make one trigram.
TRIGRAM = 3


def search_candidates(session: Session, fund_id: int, needle: str) -> ColumnElement[bool] | None:
    """A condition on the loan (`Loan`) that keeps at least every loan whose number,
    household name or ID number contains `needle`, found on the trigram index of
    migration 0017; None for a needle shorter than a trigram, which no index serves.

    SQLite: the FTS5 trigram table's phrase match (a substring, case folded as
    LIKE folds ASCII and more). PostgreSQL: the three LIKEs, each on its GIN
    trigram index, united. The caller keeps its LIKEs as well, so the rows are
    exactly LIKE's whatever the index folds.
    """
    if len(needle) < TRIGRAM:
        return None
    if session.get_bind().dialect.name == "sqlite":
        fts = table("loan_search", column("rowid"), column("loan_search"))
        phrase = '"' + needle.replace('"', '""') + '"'
        return Loan.id.in_(select(fts.c.rowid).where(fts.c.loan_search.match(phrase)))
    by_number = select(Loan.id).where(
        Loan.fund_id == fund_id, Loan.registration_no.contains(needle, autoescape=True)
    )
    by_household = (
        select(Loan.id)
        .join(Household, Household.id == Loan.household_id)
        .where(Household.fund_id == fund_id, _household_matches(Household, needle))
    )
    return Loan.id.in_(union(by_number, by_household))


def _household_matches(h: Any, needle: str) -> ColumnElement[bool]:
    """The household `h`'s name or ID number contains `needle` (LIKE)."""
    return or_(
        h.name.contains(needle, autoescape=True),
        h.id_number.contains(needle.upper(), autoescape=True),
    )


def listed_loans(
    session: Session,
    fund_id: int,
    actor: Actor,
    *,
    township: str | None = None,
    batch: str | None = None,
    statuses: Iterable[str] | None = None,
    registration_nos: Sequence[str] | None = None,
    search: str | None = None,
) -> Listing[ListedLoan]:
    """The fund's loans (a township officer's own only), filtered, by township and number.

    `search` keeps loans whose registration number, household name or ID
    number contains it (LIKE), the candidates found on the trigram index
    (`search_candidates`) when it has three characters or more; a shorter
    one (a surname) reads every loan's text. Every filter is a condition on
    the loan's own row (its township among those with the code, say;
    subqueries that correlate with nothing, or with the loan alone, as the
    search's check of its household by key), so the list's count needs no
    join.
    """
    conditions = [Loan.fund_id == fund_id]
    conditions += _placed(Loan, fund_id, actor, township, batch)
    if statuses is not None:
        conditions.append(Loan.status.in_([LoanStatus(s) for s in statuses]))
    if registration_nos is not None:
        conditions.append(Loan.registration_no.in_(list(registration_nos)))
    if search:
        needle = search.strip()
        candidates = search_candidates(session, fund_id, needle)
        if candidates is None:
            # Every household's text is read once, then every loan's number.
            household = Loan.household_id.in_(
                select(Household.id)
                .where(Household.fund_id == fund_id, _household_matches(Household, needle))
                .correlate(None)
            )
        else:
            # The candidates' households only, each by its key. The fund's condition is
            # made no index's (+ 0), so the planner starts from the candidates, not from
            # every loan of the fund (SQLite has no statistics to tell them apart).
            conditions[0] = Loan.fund_id + 0 == fund_id
            conditions.append(candidates)
            own = aliased(Household)  # the list joins Household too: correlate the loan only
            household = (
                select(own.id)
                .where(own.id == Loan.household_id, _household_matches(own, needle))
                .exists()
            )
        conditions.append(or_(Loan.registration_no.contains(needle, autoescape=True), household))
    query = (
        select(
            Loan.id.label("loan_id"),
            Loan.registration_no,
            Loan.status,
            Household.name.label("household"),
            Household.id_number,
            Household.village,
            Township.code.label("township"),
            Township.name.label("township_name"),
            Batch.code.label("batch"),
            ProjectType.code.label("project_type"),
            Loan.project,
            Loan.approved_amount.label("approved"),
            Loan.household_id,
        )
        .join(Household, Household.id == Loan.household_id)
        .join(Township, Township.id == Loan.township_id)
        .join(Batch, Batch.id == Loan.batch_id)
        .join(ProjectType, ProjectType.id == Loan.project_type_id)
        .where(*conditions)
        .order_by(Township.code, Loan.registration_no)
    )
    return Listing(query, ListedLoan, keys=("township", "registration_no"))


def _placed(
    row: type[Loan | LoanCount], fund_id: int, actor: Actor, township: str | None, batch: str | None
) -> list[ColumnElement[bool]]:
    """The list's township and batch (and a township officer's own township) as conditions
    on `row`'s township and batch ids: a loan's, or a kept count's."""
    own = actor.township_code if actor.is_township else None
    towns = [coded(row.township_id, Township, fund_id, c) for c in (own, township) if c]
    return towns + ([coded(row.batch_id, Batch, fund_id, batch)] if batch is not None else [])


def _count(
    session: Session,
    fund_id: int,
    actor: Actor,
    listing: Listing[ListedLoan],
    *,
    township: str | None,
    batch: str | None,
    status: str | None,
    search: str | None,
) -> int:
    """How many loans the list holds: its township, batch and status are the kept counts'
    keys, so it is their sum (`read.positions.loan_counts`: townships × batches ×
    statuses, not the loans). A search is no kept key: its matches are counted, over the
    loan table alone (the list's filters are conditions on the loan's row), the few
    candidates of the trigram index."""
    if search:
        query = select(func.count()).select_from(Loan).where(listing.query.whereclause)
        return session.scalar(query) or 0
    where = _placed(LoanCount, fund_id, actor, township, batch)
    statuses = None if status is None else [status]
    return sum(kept_reads.loan_counts(session, fund_id, where, statuses).values())


def loan_rows(
    session: Session,
    fund_id: int,
    actor: Actor,
    *,
    as_of: date | None = None,
    township: str | None = None,
    batch: str | None = None,
    statuses: Iterable[str] | None = None,
    registration_nos: Sequence[str] | None = None,
    search: str | None = None,
) -> list[LoanRow]:
    """Loans (all, or those in `statuses`) with their figures on `as_of`, from the entries.

    `search` keeps loans whose registration number, household name or ID
    number contains it.
    """
    listing = listed_loans(
        session,
        fund_id,
        actor,
        township=township,
        batch=batch,
        statuses=statuses,
        registration_nos=registration_nos,
        search=search,
    )
    # Plain rows, not entities nor dataclasses: building ORM objects for
    # 10,000 loans was most of a fund statement's time
    # (bench/report_fund_statement.py).
    rows = session.execute(listing.query).all()
    # A narrow list (a search, one township's overdue loans) sums only its own
    # loans' entries; a wide one reads the fund's totals in one pass.
    narrow = [row.registration_no for row in rows] if len(rows) <= NARROW_LIST else None
    return _with_figures(
        session, fund_id, rows, figures(session, fund_id, as_of=as_of, loan_nos=narrow), as_of
    )


def _with_figures(
    session: Session,
    fund_id: int,
    rows: Sequence[Any],
    by_no: dict[str, LoanFigures],
    as_of: date | None,
) -> list[LoanRow]:
    """`rows` (listed loans) with their figures `by_no` and what follows from them on `as_of`:
    days and amount overdue under the schedule then in force, pending write-off, liaison."""
    ids = [row.loan_id for row in rows]
    plans = schedules(session, ids, as_of=as_of)
    pending = pending_write_offs(session, fund_id, as_of)
    liaisons = current_liaisons(session, ids, as_of)
    day = as_of or dates.today()
    # A later schedule version is an extension's or a recall's (提前收回); only the first is 展期.
    extended = {
        loan_id
        for part in chunked(ids)
        for loan_id in session.scalars(
            select(LoanEvent.loan_id).where(
                LoanEvent.loan_id.in_(part), LoanEvent.action == "extended", LoanEvent.on <= day
            )
        )
    }
    out = []
    for row in rows:
        numbers = by_no.get(row.registration_no, LoanFigures())
        plan = plans.get(row.loan_id)
        # Nothing lent, nothing owed: an approved loan not yet disbursed is not overdue
        # (nor is it in the kept figures' aging).
        owed = plan is not None and numbers.outstanding > 0
        days, amount = plan.overdue(numbers.settled, day) if owed else (0, ZERO)
        out.append(
            LoanRow(
                row.loan_id,
                row.registration_no,
                row.status.value,
                row.household,
                row.id_number,
                row.village,
                row.township,
                row.township_name,
                row.batch,
                row.project_type,
                row.project,
                row.approved or ZERO,
                numbers,
                pending.get(row.registration_no, ZERO),
                days,
                amount,
                liaisons.get(row.loan_id),
                row.loan_id in extended,
            )
        )
    return out


def current_liaisons(
    session: Session, loan_ids: Sequence[int], as_of: date | None
) -> dict[int, int]:
    """The liaison answering for each loan on `as_of` (latest assignment effective by then)."""
    a = LiaisonAssignment
    out: dict[int, tuple[date, int]] = {}
    for part in chunked(loan_ids):
        query = select(a.loan_id, a.effective_on, a.liaison_id).where(a.loan_id.in_(part))
        if as_of is not None:
            query = query.where(a.effective_on <= as_of)
        for loan_id, effective_on, liaison_id in session.execute(query):
            if loan_id not in out or effective_on > out[loan_id][0]:
                out[loan_id] = (effective_on, liaison_id)
    return {loan_id: liaison for loan_id, (_, liaison) in out.items()}


@dataclass(frozen=True)
class EventView:
    """One step of a loan's history (registered, approved, disbursed, ...)."""

    on: date
    action: str
    from_status: str | None
    to_status: str
    actor: str
    note: str
    voucher: str | None


@dataclass(frozen=True)
class AssignmentView:
    """A liaison assigned to the loan from a date, and why."""

    liaison_id: int
    liaison: str
    effective_on: date
    reason: str


def loan_view(
    session: Session, fund_id: int, registration_no: str, actor: Actor, as_of: date | None = None
) -> LoanDetail:
    """Everything about one loan: figures, schedule with what settled it, liaison, history.

    The history is in business-date order (then entry order): a write-off
    dated 2007 but recorded after 2008's repayments comes before them.
    """
    loan = lookup.loan(session, fund_id, registration_no, actor)
    row = loan_rows(session, fund_id, actor, as_of=as_of, registration_nos=[registration_no])[0]
    plan: Schedule | None = schedules(session, [loan.id], as_of=as_of).get(loan.id)
    instalments: tuple[InstalmentSettlement, ...] = ()
    if plan is not None:
        paid = settlements(session, loan, as_of)
        instalments = settle_by_kind(plan, paid, as_of or dates.today())
    # As of a past date the page shows the loan as it stood then: later history is not yet.
    day = as_of or date.max
    assignments = session.execute(
        select(LiaisonAssignment, Liaison.name)
        .join(Liaison, Liaison.id == LiaisonAssignment.liaison_id)
        .where(LiaisonAssignment.loan_id == loan.id, LiaisonAssignment.effective_on <= day)
        .order_by(LiaisonAssignment.effective_on)
    ).all()
    events = session.scalars(
        select(LoanEvent)
        .where(LoanEvent.loan_id == loan.id, LoanEvent.on <= day)
        .order_by(LoanEvent.on, LoanEvent.id)
    ).all()
    return LoanDetail(
        **_row_values(row),
        household_id=loan.household_id,
        requested=loan.requested_amount,
        application_no=loan.application_no,
        contract_no=loan.contract_no,
        iou_no=loan.iou_no,
        technical_lead=loan.technical_lead,
        signed_on=loan.signed_on,
        visited_on=loan.visited_on,
        visitor=loan.visitor,
        exclusion_reason=loan.exclusion_reason,
        three_line_problems=tuple(three_line_problems(loan)),
        schedule_version=plan.version if plan else None,
        schedule=instalments,
        liaisons=tuple(
            AssignmentView(a.liaison_id, name, a.effective_on, a.reason) for a, name in assignments
        ),
        history=tuple(
            EventView(e.on, e.action, e.from_status, e.to_status, e.actor, e.note, e.voucher)
            for e in events
        ),
        recalled_on=max((e.on for e in events if e.action == "recalled"), default=None),
    )


@dataclass(frozen=True)
class LoanItem(LoanRow):
    """A loan row as listed, with the household's id (the API's ``household``)."""

    household_id: int = 0


@dataclass(frozen=True)
class LoanDetail(LoanItem):
    """Everything about one loan on a date: its row and numbers, schedule with what settled
    it, liaisons and history; what the API answers and the loan statement prints."""

    requested: Decimal = ZERO
    application_no: str = ""
    contract_no: str | None = None
    iou_no: str | None = None
    technical_lead: str | None = None
    signed_on: date | None = None
    visited_on: date | None = None
    visitor: str | None = None
    exclusion_reason: str | None = None
    three_line_problems: tuple[tuple[str, str], ...] = ()
    schedule_version: int | None = None
    schedule: tuple[InstalmentSettlement, ...] = ()
    liaisons: tuple[AssignmentView, ...] = ()
    history: tuple[EventView, ...] = ()
    #: The day an approved recall (提前收回) made everything owed fall due, if one did.
    recalled_on: date | None = None

    @property
    def three_lines_one(self) -> bool:
        return not self.three_line_problems


def _row_values(row: LoanRow) -> dict[str, Any]:
    return {f.name: getattr(row, f.name) for f in fields(LoanRow)}


def loans(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    township: str | None = None,
    status: str | None = None,
    batch: str | None = None,
    overdue_on: date | None = None,
    search: str | None = None,
) -> list[LoanItem]:
    """Every loan of the list, filtered (the export); with `overdue_on`, those overdue that
    day, with their figures then. A page of it is `loan_page`.

    `search` keeps loans whose registration number, household name or ID
    number contains it.
    """
    the_fund = fund(session, actor, fund_code)
    rows = loan_rows(
        session,
        the_fund.id,
        actor,
        as_of=overdue_on,
        township=township_filter(actor, township),
        batch=batch,
        statuses=None if status is None else [status],
        search=search,
    )
    if overdue_on is not None:
        rows = [row for row in rows if row.overdue_days > 0]
    owners = dict(
        session.execute(select(Loan.id, Loan.household_id).where(Loan.fund_id == the_fund.id)).all()
    )
    return [LoanItem(**_row_values(row), household_id=owners[row.loan_id]) for row in rows]


def loan_page(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    township: str | None = None,
    status: str | None = None,
    batch: str | None = None,
    overdue_on: date | None = None,
    search: str | None = None,
    after: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, Seek[LoanItem]]:
    """(how many loans the list holds, one page of it): the loans after the cursor `after`
    (or, for old clients, after `offset` rows), as `loans` lists them.

    The page is sought in the database (`listing.Listing`), never by reading
    the loans before it: township by township, each in registration number
    order on the (township, registration number) index. Its figures now are
    the kept positions (`read.positions.loan_figures`). Overdue on a day is
    `overdue_page`: the candidates sought in the same order, the page's
    computed from their entries. The total is the kept counts of loans by
    township, batch and status (`_count`; a text search counts its matches);
    the overdue loans of the fund, a township or a batch are counted from the
    kept figures (`overdue_total`).
    """
    the_fund = fund(session, actor, fund_code)
    town = township_filter(actor, township)
    listing = listed_loans(
        session,
        the_fund.id,
        actor,
        township=town,
        batch=batch,
        statuses=None if status is None else [status],
        search=search,
    )
    # A search reads every loan's text whatever the order: one query then sorts its few
    # matches, where seeking township by township would read them all once per township.
    if not search:
        listing = replace(
            listing, groups=township_groups(session, the_fund.id, Loan.township_id, town)
        )
    if overdue_on is None:
        page = listing.slice(session, after, offset, limit)
        by_no = kept_reads.loan_figures(session, the_fund.id, [row.loan_id for row in page.items])
        rows = _with_figures(session, the_fund.id, page.items, by_no, None)
        items = [
            LoanItem(**_row_values(row), household_id=listed.household_id)
            for row, listed in zip(rows, page.items, strict=True)
        ]
        total = _count(
            session,
            the_fund.id,
            actor,
            listing,
            township=town,
            batch=batch,
            status=status,
            search=search,
        )
        return total, Seek(items, page.next)
    found = overdue_page(
        session, the_fund.id, overdue_on, listing, after=after, offset=offset, limit=limit
    )
    if status is None and not search:
        # From the kept aging (today: the rows kept for now), not a count of the loans.
        total = overdue_total(session, the_fund.id, overdue_on, town, batch)
    else:
        # Status and text are not in the kept figures: the narrowed list computed whole.
        total = len(overdue_page(session, the_fund.id, overdue_on, listing, limit=None).items)
    return total, found


def overdue_total(
    session: Session,
    fund_id: int,
    as_of: date,
    township: str | None = None,
    batch: str | None = None,
) -> int:
    """How many loans of the fund (of `township`, of `batch`) were overdue at the end of
    `as_of`, from the kept aging (`read.positions.aging`): in proportion to the townships,
    batches and due dates, not the loans."""
    town_id = batch_id = None
    if township is not None:
        town_id = session.scalar(
            select(Township.id).where(Township.fund_id == fund_id, Township.code == township)
        )
    if batch is not None:
        batch_id = session.scalar(
            select(Batch.id).where(Batch.fund_id == fund_id, Batch.code == batch)
        )
    if (township is not None and town_id is None) or (batch is not None and batch_id is None):
        return 0  # no such township or batch: the list is empty too
    groups = kept_reads.aging(session, fund_id, as_of=as_of, township_id=town_id)
    return sum(
        b.loans
        for (_, group_batch), buckets in groups.items()
        if batch_id is None or group_batch == batch_id
        for b in buckets
    )


def overdue_candidate(fund_id: int, as_of: date) -> ColumnElement[bool]:
    """A condition on the enclosing query's `Loan` that every loan overdue at the end of
    `as_of` meets, tested on the loan's own rows (correlated EXISTS on indexes keyed by
    the loan), so that a list seeking in (township, registration number) order reads
    only the loans of its page.

    Today it is exact: the kept position's oldest unpaid due date is before
    today, principal outstanding (`read.positions.overdue_loan`). On another
    day, two facts that hold of every loan overdue then: it was not settled
    before it (principal outstanding now, or an entry after the date: a loan
    settled now whose last entry is on or before the date was settled then),
    and one of its schedules has an instalment due before it. A candidate is
    overdue or not by its entries (`overdue_page`).
    """
    if as_of == dates.today():
        return kept_reads.overdue_loan(fund_id, as_of)
    p = LoanPosition
    unsettled = (
        select(p.loan_id)
        .where(
            p.loan_id == Loan.id,
            p.fund_id == fund_id,
            or_(p.outstanding > 0, p.last_moved_on > as_of),
        )
        .exists()
    )
    fell_due = (
        select(Instalment.loan_id)
        .where(Instalment.loan_id == Loan.id, Instalment.due_date < as_of)
        .exists()
    )
    return and_(unsettled, fell_due)


def overdue_page(
    session: Session,
    fund_id: int,
    as_of: date,
    listing: Listing[ListedLoan],
    *,
    after: str | None = None,
    offset: int = 0,
    limit: int | None = 50,
) -> Seek[LoanItem]:
    """The loans of `listing` overdue at the end of `as_of`, after the cursor `after` (or,
    for an old client's page number, after `offset` of them); all of them if `limit` is
    None.

    The candidates (`overdue_candidate`) are sought in `listing`'s order and
    only they are computed from their entries (`Listing.scan`), so a page
    costs in proportion to the candidates read for it, not to the loans of
    the book. Today every candidate is overdue, one read fills the page and
    the page's figures are the kept positions; on another date they are
    computed from the entries and a page may be short (see `Listing.scan`).
    """

    def overdue(part: list[ListedLoan]) -> list[LoanItem]:
        if today:  # the kept positions are the loans today
            by_no = kept_reads.loan_figures(session, fund_id, [row.loan_id for row in part])
        else:
            nos = [row.registration_no for row in part]
            by_no = figures(session, fund_id, as_of=as_of, loan_nos=nos)
        rows = _with_figures(session, fund_id, part, by_no, as_of)
        return [
            LoanItem(**_row_values(row), household_id=listed.household_id)
            for row, listed in zip(rows, part, strict=True)
            if row.figures.disbursed > 0 and row.overdue_days > 0
        ]

    today = as_of == dates.today()
    candidates = listing.where(overdue_candidate(fund_id, as_of))
    return candidates.scan(session, overdue, after=after, offset=offset, limit=limit)


def loan_counts(
    session: Session, actor: Actor, fund_code: str, statuses: Iterable[str]
) -> dict[str, int]:
    """How many loans are in each of `statuses` (the officer's own township only): the to-do,
    from the kept counts (`read.positions.loan_counts`)."""
    the_fund = fund(session, actor, fund_code)
    where = _placed(LoanCount, the_fund.id, actor, None, None)
    return kept_reads.loan_counts(session, the_fund.id, where, statuses)


def loan(
    session: Session, actor: Actor, fund_code: str, registration_no: str, as_of: date | None = None
) -> LoanDetail:
    """One loan with its figures, schedule, liaisons and history (another township's: 404)."""
    the_fund = fund(session, actor, fund_code)
    return loan_view(session, the_fund.id, registration_no, actor, as_of)


def loan_of(session: Session, actor: Actor, written: Loan) -> LoanDetail:
    """The view of a loan a service just registered or moved along."""
    return loan_view(session, written.fund_id, written.registration_no, actor)


@dataclass(frozen=True)
class LoanMovement:
    """Money that moved on a loan (disbursement, repayment, recovery) and where the loan stands."""

    voucher: str
    date: date
    kind: str
    loan: str
    township: str
    amount: Decimal
    status: str
    outstanding: Decimal


def _journal_amount(view: JournalView) -> Decimal:
    return sum((line.debit for line in view.lines), ZERO)


def loan_movement(
    session: Session, actor: Actor, fund_code: str, registration_no: str, posted: PostedJournal
) -> LoanMovement:
    the_fund = lookup.fund(session, fund_code)
    the_loan = lookup.loan(session, the_fund.id, registration_no, actor)
    town = session.get_one(Township, the_loan.township_id)
    return LoanMovement(
        posted.voucher,
        posted.posted_on,
        posted.kind,
        the_loan.registration_no,
        town.code,
        _journal_amount(journal_view(session, the_fund.id, posted.voucher)),
        the_loan.status.value,
        loan_figures(session, the_loan).outstanding,
    )


@dataclass(frozen=True)
class AssignmentRow:
    """A liaison change (联系人变更) as recorded."""

    loan: str
    liaison: int
    liaison_name: str
    previous_liaison: int | None
    effective_on: date
    reason: str
    recorded_by: str


def assignment(session: Session, created: LiaisonAssignment) -> AssignmentRow:
    the_loan = session.get_one(Loan, created.loan_id)
    person = session.get_one(Liaison, created.liaison_id)
    previous = session.scalar(
        select(LiaisonAssignment.liaison_id)
        .where(
            LiaisonAssignment.loan_id == created.loan_id,
            LiaisonAssignment.effective_on < created.effective_on,
        )
        .order_by(LiaisonAssignment.effective_on.desc())
        .limit(1)
    )
    return AssignmentRow(
        the_loan.registration_no,
        person.id,
        person.name,
        previous,
        created.effective_on,
        created.reason,
        created.recorded_by,
    )


@dataclass(frozen=True)
class LoanStatementData:
    """One household's loan: numbers, amounts, schedule, movements and history."""

    fund: FundHeader
    as_of: date
    view: LoanDetail
    project_type: str
    #: The liaison answering for the loan on `as_of`, by name.
    liaison: str | None
    opening: Decimal
    movements: tuple[StatementLine, ...]


def loan_statement(
    session: Session,
    actor: Actor,
    fund_code: str,
    registration_no: str,
    *,
    as_of: date | None = None,
) -> LoanStatementData:
    """The household loan statement; another township's officer gets NotFound."""
    header = fund(session, actor, fund_code)
    fund_id = header.id
    view = loan_view(session, fund_id, registration_no, actor, as_of=as_of)
    opening, movements = statement_lines(
        session, fund_id, AccountRef(chart.LOANS, registration_no), None, as_of
    )
    kind = lookup.by_code(session, ProjectType, fund_id, view.project_type, "project_type")
    liaison = None
    if view.liaison_id is not None:
        liaison = session.scalar(select(Liaison.name).where(Liaison.id == view.liaison_id))
    return LoanStatementData(
        header, as_of or dates.today(), view, kind.name, liaison, opening, movements
    )


@dataclass(frozen=True)
class ThreeLineIssue:
    """A loan whose application, contract and IOU numbers are not one (三线合一), and why."""

    registration_no: str
    household: str
    township: str
    status: str
    application_no: str
    contract_no: str | None
    iou_no: str | None
    problems: tuple[tuple[str, str], ...]


def three_line_report(session: Session, fund_id: int, actor: Actor) -> list[ThreeLineIssue]:
    """Every approved or contracted loan whose three numbers are not one, and why."""
    query = (
        select(Loan, Household.name, Township.code)
        .join(Household, Household.id == Loan.household_id)
        .join(Township, Township.id == Loan.township_id)
        .where(
            Loan.fund_id == fund_id,
            # A disbursed loan was one when disbursed (disbursement refuses a loan
            # with a problem) and no service changes its numbers after: only the
            # loans waiting for disbursement are read, through the status index.
            Loan.status.in_([LoanStatus.APPROVED, LoanStatus.CONTRACTED]),
            # Only loans that may have a problem become objects (10,000 cost 0.8 s);
            # `three_line_problems` still decides.
            or_(
                *(
                    or_(column.is_(None), column == "", column != Loan.registration_no)
                    for column in (Loan.application_no, Loan.contract_no, Loan.iou_no)
                )
            ),
        )
        .order_by(Township.code, Loan.registration_no)
    )
    if actor.is_township:
        query = query.where(Township.code == actor.township_code)
    out = []
    for loan, name, town in session.execute(query):
        problems = three_line_problems(loan)
        if problems:
            out.append(
                ThreeLineIssue(
                    loan.registration_no,
                    name,
                    town,
                    loan.status.value,
                    loan.application_no,
                    loan.contract_no,
                    loan.iou_no,
                    tuple(problems),
                )
            )
    return out


def three_lines(session: Session, actor: Actor, fund_code: str) -> list[ThreeLineIssue]:
    return three_line_report(session, fund(session, actor, fund_code).id, actor)

"""Typed models, one module per aggregate; importing this registers them all."""

from ledger.models.accounts import (
    Account,
    AccountDailyTotal,
    AccountKind,
    AccountKindDay,
    ChartAccount,
    ChartDailyTotal,
    ChartKindDay,
    JournalKindDay,
    SubLedger,
)
from ledger.models.audit import AuditHead, AuditRecord
from ledger.models.county import County
from ledger.models.disaster import Disaster, DisasterTownship, LossReport
from ledger.models.fund import Fund, FundSettings
from ledger.models.guarantee import DeductionPlan, GuaranteeCall, SalaryDeduction
from ledger.models.idempotency import IdempotencyRecord, IdempotencyStatus
from ledger.models.inspections import (
    Finding,
    FindingKind,
    Inspection,
    InspectionKind,
    InspectionLoan,
    Recall,
)
from ledger.models.journal import Entry, Journal, VoucherCounter
from ledger.models.loan import (
    OPEN_STATUSES,
    Instalment,
    LiaisonAssignment,
    Loan,
    LoanEvent,
    LoanStatus,
    ScheduleVersion,
)
from ledger.models.outcomes import IncomeKind, IncomeRecord, PovertyLine
from ledger.models.period import Period
from ledger.models.plans import Plan, PlanLine, PlanRevision
from ledger.models.positions import (
    NO_EARLIER,
    ActivityDay,
    AgingDay,
    AgingNow,
    DisbursementCorrected,
    DueDay,
    HouseholdCount,
    HouseholdDay,
    LiaisonDue,
    LiaisonTotal,
    LoanCount,
    LoanPosition,
    PositionDay,
    PositionTotal,
    RecoveredOfDueYear,
)
from ledger.models.programme import Batch, Household, Liaison, ProjectType, Township
from ledger.models.proposals import (
    Extension,
    ProjectChange,
    ProposalStatus,
    Reversal,
    WriteOff,
    WriteOffGround,
)
from ledger.models.users import ApiToken, LoginFailure, User
from ledger.models.visits import ProjectProgress, Visit, VisitorKind

__all__ = [
    "NO_EARLIER",
    "OPEN_STATUSES",
    "Account",
    "AccountDailyTotal",
    "AccountKind",
    "AccountKindDay",
    "ActivityDay",
    "AgingDay",
    "AgingNow",
    "ApiToken",
    "AuditHead",
    "AuditRecord",
    "Batch",
    "ChartAccount",
    "ChartDailyTotal",
    "ChartKindDay",
    "County",
    "DeductionPlan",
    "Disaster",
    "DisasterTownship",
    "DisbursementCorrected",
    "DueDay",
    "Entry",
    "Extension",
    "Finding",
    "FindingKind",
    "Fund",
    "FundSettings",
    "GuaranteeCall",
    "Household",
    "HouseholdCount",
    "HouseholdDay",
    "IdempotencyRecord",
    "IdempotencyStatus",
    "IncomeKind",
    "IncomeRecord",
    "Inspection",
    "InspectionKind",
    "InspectionLoan",
    "Instalment",
    "Journal",
    "JournalKindDay",
    "Liaison",
    "LiaisonAssignment",
    "LiaisonDue",
    "LiaisonTotal",
    "Loan",
    "LoanCount",
    "LoanEvent",
    "LoanPosition",
    "LoanStatus",
    "LoginFailure",
    "LossReport",
    "Period",
    "Plan",
    "PlanLine",
    "PlanRevision",
    "PositionDay",
    "PositionTotal",
    "PovertyLine",
    "ProjectChange",
    "ProjectProgress",
    "ProjectType",
    "ProposalStatus",
    "Recall",
    "RecoveredOfDueYear",
    "Reversal",
    "SalaryDeduction",
    "ScheduleVersion",
    "SubLedger",
    "Township",
    "User",
    "Visit",
    "VisitorKind",
    "VoucherCounter",
    "WriteOff",
    "WriteOffGround",
]

# A programme kind's own tables live in its package; importing them here
# registers them with the rest (migrations, the models-match-migrations check).
from ledger.programmes.mutual_aid import models as _mutual_aid_models  # noqa: F401

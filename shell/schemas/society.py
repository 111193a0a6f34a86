"""A village mutual-aid society's own resources (SPEC §13): 章程, groups, members, loans,
money in and out, month close and year end.

Rates and distribution shares travel as fraction strings (``"0.006"`` is 6‰ a
month, ``"0.40"`` is 40 %); the society's services check their ranges and say
which 章程 setting a refusal breaks.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shell.fields import Amount, Date, decimal_text
from shell.schemas.common import StrictBoolean, business_date, ident, text
from shell.schemas.funds import county_code


def fraction() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(min=1, max=12),
        metadata={"example": "0.20", "description": "小数 / a fraction as a string"},
    )


def whole(**kwargs: object) -> fields.Integer:
    return fields.Integer(strict=True, required=True, **kwargs)


class DistributionShares(Schema):
    """收益分配比例: 公积金, 公益金, 风险准备金, 管理人员补贴, 分红, summing to 1."""

    reserve = fraction()
    welfare = fraction()
    risk = fraction()
    staff = fraction()
    dividend = fraction()


class RulesSettings(Schema):
    """A version of the 章程's settings."""

    share_size = Amount(required=True, positive=True)
    loan_cap = Amount(required=True, positive=True)
    loan_share_multiple = whole()
    max_term_months = whole()
    fee_rate_monthly = fraction()
    overdue_fee_rate_monthly = fraction()
    notice_days = whole()
    group_min = whole()
    group_max = whole()
    distribution = fields.Nested(DistributionShares, required=True)


class RulesIn(RulesSettings):
    effective_on = Date(required=True)


class RulesOut(Schema):
    effective_on = Date(required=True)
    share_size = Amount(required=True)
    loan_cap = Amount(required=True)
    loan_share_multiple = fields.Integer(required=True)
    max_term_months = fields.Integer(required=True)
    fee_rate_monthly = decimal_text(6, required=True)
    overdue_fee_rate_monthly = decimal_text(6, required=True)
    notice_days = fields.Integer(required=True)
    group_min = fields.Integer(required=True)
    group_max = fields.Integer(required=True)
    distribution = fields.Dict(keys=fields.String(), values=decimal_text(4), required=True)
    recorded_by = fields.String()


class SocietyGroupIn(Schema):
    code = text(16, metadata={"example": "G1"})


class SocietyGroupOut(Schema):
    code = fields.String(required=True)
    members = fields.List(fields.Integer(), required=True, metadata={"description": "社员 id"})


class SocietyMemberIn(Schema):
    name = text(50)
    id_number = text(18)
    poor = StrictBoolean(required=True)
    joined_on = business_date(required=True)
    group = fields.String(load_default=None, allow_none=True)


class SocietyMemberOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    id_number = fields.String(required=True)
    poor = fields.Boolean(required=True)
    group = fields.String(allow_none=True)
    joined_on = Date(required=True)
    left_on = Date(allow_none=True)
    shares_bought = Amount(required=True)
    shares_allocated = Amount(required=True)


class SocietyShareIn(Schema):
    on = business_date(required=True)
    amount = Amount(required=True, positive=True)
    allocated = StrictBoolean(
        load_default=False, metadata={"description": "true: 配股 (allocated, for poor members)"}
    )


class SocietyExitIn(Schema):
    on = business_date(required=True)


class SocietyExitOut(Schema):
    member = fields.Integer(required=True)
    refund = Amount(required=True)
    voucher = fields.String(allow_none=True)


class VoucherOut(Schema):
    """A write that posted a journal: its voucher."""

    voucher = fields.String(required=True, allow_none=True)


class FiscalCapitalIn(Schema):
    on = business_date(required=True)
    amount = Amount(required=True, positive=True)
    memo = text(500, required=False, load_default="")


class SocietyDonationIn(Schema):
    on = business_date(required=True)
    amount = Amount(required=True, positive=True)
    donor = text(64)


class InterestIn(Schema):
    on = business_date(required=True)
    amount = Amount(required=True, positive=True)


class SocietyExpenseIn(Schema):
    on = business_date(required=True)
    amount = Amount(required=True, positive=True)
    purpose = text(200)
    approved_by = text(64, metadata={"description": "理事会审批人 / the approver's username"})


class SocietyLoanIn(Schema):
    member = ident(required=True)
    amount = Amount(required=True, positive=True)
    term_months = whole()
    purpose = text(200)
    applied_on = Date(required=True)


class SocietyLoanOut(Schema):
    no = fields.String(required=True)
    member = fields.Integer(required=True)
    amount = Amount(required=True)
    term_months = fields.Integer(required=True)
    purpose = fields.String(required=True)
    applied_on = Date(required=True)
    noticed_on = Date(allow_none=True)
    approved_on = Date(allow_none=True)
    lent_on = Date(allow_none=True)
    status = fields.String(attribute="figures.state", required=True)
    due_date = Date(attribute="figures.due_on", allow_none=True)
    principal_outstanding = Amount(attribute="figures.principal_outstanding", required=True)
    fee_accrued = Amount(attribute="figures.fee_accrued", required=True)
    fee_paid = Amount(attribute="figures.fee_paid", required=True)


class DayIn(Schema):
    on = business_date(required=True)


class SocietyRepaymentIn(Schema):
    on = business_date(required=True)
    amount = Amount(required=True, positive=True)


class SocietyRepaymentOut(Schema):
    loan = fields.String(required=True)
    fee = Amount(required=True)
    principal = Amount(required=True)
    voucher = fields.String(required=True)


class SocietyWriteOffIn(Schema):
    on = business_date(required=True)
    document = text(200, metadata={"description": "社员大会和县级批准文号 / the approvals"})


class DistributionOut(Schema):
    year = fields.Integer(required=True)
    income = Amount(required=True)
    expenses = Amount(required=True)
    result = Amount(required=True)
    reserve = Amount(required=True)
    welfare = Amount(required=True)
    risk = Amount(required=True)
    staff = Amount(required=True)
    dividends = fields.Dict(
        keys=fields.String(),
        values=Amount(),
        required=True,
        metadata={"description": "社员 id → 分红"},
    )
    voucher = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "收益分配凭证;亏损或无收益时无 / the distribution's voucher"},
    )
    closing_voucher = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "年度结转凭证 / the voucher closing income and expenses"},
    )


class DividendOut(Schema):
    amount = Amount(required=True)
    voucher = fields.String(required=True)


class SubsidyIn(Schema):
    on = business_date(required=True)
    amount = Amount(required=True, positive=True)


class FiguresQuery(Schema):
    as_of = Date(metadata={"description": "截至日期(含,默认今天)/ as of the end of this day"})


class FiguresOut(Schema):
    """A society's figures at the end of a day (`reads.society_figures`)."""

    fiscal_capital = Amount(required=True)
    member_shares = Amount(required=True)
    donations = Amount(required=True)
    reserves = Amount(required=True)
    members = fields.Integer(required=True)
    poor_members = fields.Integer(required=True)
    loans_outstanding = Amount(required=True)
    overdue = Amount(required=True)
    fee_income = Amount(required=True, metadata={"description": "本年累计 / year to date"})
    bank = Amount(required=True, metadata={"description": "专户存款 / in the bank account"})


class SocietyShareOut(Schema):
    member = fields.Integer(required=True)
    amount = Amount(required=True)
    allocated = fields.Boolean(required=True)
    voucher = fields.String(allow_none=True)


# --- the county's societies -----------------------------------------------------------


class SocietyIn(Schema):
    """成立互助社: the society's fund code, name, place, bank account and first 章程."""

    fund = text(32, metadata={"example": "HJW-HZS", "description": "互助社代码 / the code"})
    name = text(200, metadata={"example": "胡家湾村扶贫互助社"})
    county = county_code(metadata={"description": "所属区县 / the county overseeing it"})
    village = text(100, metadata={"example": "胡家湾村"})
    township = text(100, metadata={"example": "但家庙镇"})
    bank = text(100, metadata={"description": "开户行 / the bank", "example": "农商银行但家庙支行"})
    bank_account = text(40, metadata={"description": "专户账号 / the society's one account"})
    opened_on = Date(
        required=True,
        metadata={
            "description": "成立日:首个章程自此生效 / the start; the first rules hold from it"
        },
    )
    rules = fields.Nested(
        RulesSettings,
        load_default=None,
        metadata={
            "description": "首个章程版本;不给则用示范章程 / the first rules (default: model)"
        },
    )


class SocietyQuery(Schema):
    region = fields.String(
        validate=validate.Regexp(r"^([0-9]{2}|[0-9]{4}|[0-9]{6})$"),
        metadata={"description": "省 2 位、市 4 位或区县 6 位代码 / a region's code"},
    )
    as_of = Date(metadata={"description": "截至日期(含,默认今天)/ as of the end of this day"})


class SocietyRowOut(FiguresOut):
    """A society of the county's list: who and where it is, then its figures."""

    fund = fields.String(required=True, attribute="society.fund")
    name = fields.String(required=True, attribute="society.name")
    county = fields.String(required=True, attribute="society.county")
    county_name = fields.String(attribute="society.county_name")
    village = fields.String(allow_none=True, attribute="society.village")
    township = fields.String(allow_none=True, attribute="society.township")
    opened_on = Date(allow_none=True, attribute="society.opened_on")


class SocietyExpenseOut(Schema):
    id = fields.Integer(required=True)
    paid_on = Date(required=True, data_key="date")
    amount = Amount(required=True)
    purpose = fields.String(required=True)
    approved_by = fields.String(required=True)
    paid_by = fields.String(required=True)
    voucher = fields.String(required=True)


class SocietyImportOut(Schema):
    rows = fields.Integer(required=True, metadata={"description": "导入行数 / rows imported"})
    keys = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "新小组编号或新社员 id / the new groups' codes or members' ids"},
    )

"""Chinese labels for the codes the ledger stores (journal kinds, statuses, grounds ...).

Domain vocabulary: the pages, the PDFs and the spreadsheets name a code the
same way because they all read it here.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Journal kinds (the business event that caused a journal).
KIND = {
    "appropriation": "拨入资金",
    "allocation": "拨付乡镇",
    "disbursement": "发放借款",
    "repayment": "收回借款",
    "remittance": "乡镇上缴",
    "guarantee_call": "担保代偿",
    "salary_deduction": "工资代扣",
    "write_off": "核销",
    "fee": "资金占用费",
    "recovery": "核销收回",
    "reversal": "红字冲销",
    "opening": "期初",
}

#: A mutual-aid society's journal kinds (`ledger.programmes.mutual_aid.templates`, `yearend`).
SOCIETY_KIND = {
    "fiscal_capital": "财政扶贫资金到账",
    "share_bought": "社员入股",
    "donation": "捐赠",
    "bank_interest": "存款利息",
    "loan_payout": "发放互助借款",
    "fee_accrual": "计提占用费",
    "expense": "管理费用",
    "share_refund": "退股",
    "year_end_close": "年度结转",
    "distribution": "收益分配",
    "dividend_paid": "支付分红",
    "subsidy_paid": "支付管理人员补贴",
}

#: Loan statuses (SPEC §5).
STATUS = {
    "applied": "已申请",
    "verified": "已核查",
    "rejected": "未通过",
    "approved": "已审定",
    "contracted": "已签约",
    "disbursed": "已发放",
    "closed": "已结清",
    "written_off": "已核销",
}

#: Write-off grounds (财发[2008]61号).
GROUND = {
    "death": "借款人死亡或失踪,遗产不足清偿",
    "disaster": "遭受重大自然灾害,无保险或理赔后仍无力偿还",
    "policy": "因征地或政策调整项目终止",
    "enforcement": "经法院强制执行两年以上仍无法收回",
    "other": "其他经批准的原因",
}

#: Proposal statuses.
PROPOSAL = {"proposed": "待审批", "approved": "已批准", "rejected": "未批准"}

#: Appropriation sources (3001 sub-accounts).
SOURCE = {
    "central": "中央财政",
    "province": "省级财政",
    "city": "市级财政",
    "county": "县级财政",
    "township": "乡镇财政",
    "donation": "社会捐助",
}

DISASTER_KIND = {
    "hail": "风雹",
    "flood": "洪涝",
    "drought": "干旱",
    "storm": "风灾",
    "freeze": "冻害",
    "landslide": "山体滑坡",
    "epidemic": "疫病",
    "fire": "火灾",
}

#: Loan-history actions (`LoanEvent.action`).
ACTION = {
    "registered": "登记申请",
    "verified": "核查",
    "rejected": "核查未通过",
    "approved": "审定",
    "contracted": "签订合同",
    "disbursed": "发放",
    "repaid": "还款",
    "closed": "结清",
    "guarantee_called": "担保代偿",
    "liaison_changed": "联系人变更",
    "write_off_proposed": "申请核销",
    "write_off_approved": "批准核销",
    "write_off_rejected": "核销未批准",
    "written_off": "核销",
    "extension_proposed": "申请展期",
    "extension_approved": "批准展期",
    "extension_rejected": "展期未批准",
    "extended": "展期",
    "project_change_proposed": "申请项目变更",
    "project_change_rejected": "项目变更未批准",
    "project_changed": "项目变更",
    "recovered": "核销收回",
    "recall_proposed": "申请提前收回",
    "recall_rejected": "提前收回未批准",
    "recalled": "提前收回",
}

#: A bank statement line's direction.
DIRECTION = {"in": "收", "out": "付"}

#: Aging bucket labels.
BUCKET = {
    "1-30": "1–30 天",
    "31-90": "31–90 天",
    "91-180": "91–180 天",
    "181-365": "181–365 天",
    "365+": "365 天以上",
}

#: What a visit saw of the project (`ledger.models.ProjectProgress`).
PROGRESS = {
    "progressing": "进展正常",
    "behind": "进度滞后",
    "failed": "项目失败",
    "changed": "项目已改变",
}

#: Inspection kinds and finding kinds (`ledger.models.inspections`).
INSPECTION_KIND = {"scheduled": "定期检查", "unscheduled": "不定期督查"}
FINDING_KIND = {
    "not_reached": "资金未到户",
    "diverted": "挪作他用",
    "project_changed": "擅自变更项目",
    "records_mismatch": "账实不符",
}

#: A society's loan states (SPEC §13): applied → noticed → approved → lent → repaid, or
#: written off against the risk reserve.
SOCIETY_LOAN_STATE = {
    "applied": "已申请",
    "noticed": "公示中",
    "approved": "已审批",
    "lent": "已放款",
    "repaid": "已还清",
    "written_off": "已核销",
}


def label(mapping: Mapping[str, str], code: str | None) -> str:
    """The Chinese label of `code`, or the code itself when there is none."""
    if code is None:
        return ""
    return mapping.get(code, code)


def kind_label(kind: str) -> str:
    """A township movement's kind, or a bank line's direction, in Chinese."""
    return label(KIND, kind) if kind in KIND else DIRECTION.get(kind, kind)

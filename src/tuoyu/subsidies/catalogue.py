"""Error codes and audit actions of subsidies ([house] point 5, `tuoyu.core.catalogue`).

Helpers add the codes of their own part below their heading; every code a service raises
lives here (docs/catalogues.md)."""

from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import AuditAction, ErrorCode


class SubsidyError(ErrorCode):
    # entitlements (P-SUB-1..3)
    YEAR_NOT_STARTED = "year_not_started", _("该年度尚未开始，不能申请补助")
    OPERATING_BASIS_UNSUPPORTED = (
        "operating_basis_unsupported",
        _("运营补助按在托人数计算需要幼儿的入托历史，尚不能计算"),
    )
    # claims
    CLAIM_ABOVE_ENTITLEMENT = "claim_above_entitlement", _("申请金额超过应享补助")
    ITEM_ALREADY_CLAIMED = "item_already_claimed", _("该补助项目已申请或已支付，不能重复申请")
    ITEM_NOT_ENTITLED = "item_not_entitled", _("该补助项目不在本机构的应享补助之内")
    CLAIM_NO_ITEMS = "claim_no_items", _("请至少选择一个补助项目")
    CLAIM_WRONG_STATE = "claim_wrong_state", _("该申请当前状态不能办理此操作")
    # review and approval (two departments)
    NOT_REVIEWING_DEPARTMENT = "not_reviewing_department", _("资格审核由区卫健局办理")
    NOT_APPROVING_DEPARTMENT = "not_approving_department", _("审批与支付由区财政局办理")
    REDUCTION_REASON_REQUIRED = "reduction_reason_required", _("核减金额须说明理由")
    AMOUNT_ABOVE_PREVIOUS_STEP = "amount_above_previous_step", _("金额不能超过上一环节核定的金额")
    # ledger
    FUND_BALANCE_EXCEEDED = "fund_balance_exceeded", _("支付金额超过该资金的可用余额")
    FUND_NO_BUDGET = "fund_no_budget", _("该资金尚无本年度预算")
    FUND_NOT_FOR_ITEM = "fund_not_for_item", _("该资金不能支付此类补助")
    VOUCHER_REUSED = "voucher_reused", _("凭证号已使用，不能重复使用")
    ITEM_ALREADY_PAID = "item_already_paid", _("该补助项目已支付，不能重复支付")
    CLAWBACK_ABOVE_PAID = "clawback_above_paid", _("追回金额超过已支付金额")
    CLAWBACK_REASON_REQUIRED = "clawback_reason_required", _("追回须说明理由")
    FUND_CODE_TAKEN = "fund_code_taken", _("资金编码已存在")
    CLAIM_ELIGIBILITY_FAILED = (
        "claim_eligibility_failed",
        _("资格核查未通过或未能核查，不能审核通过"),
    )
    # demonstration titles
    TITLE_ALREADY_RECORDED = "title_already_recorded", _("该机构已记录此级别的示范称号")
    TITLE_INSTITUTION_NOT_FILED = (
        "title_institution_not_filed",
        _("只能为已备案的托育机构记录示范称号"),
    )


class SubsidyAction(AuditAction):
    CLAIM_SUBMITTED = "subsidies.claim.submitted", _("提交补助申请")
    CLAIM_REVIEWED = "subsidies.claim.reviewed", _("审核补助申请")
    CLAIM_REJECTED = "subsidies.claim.rejected", _("补助申请审核不通过")
    CLAIM_APPROVED = "subsidies.claim.approved", _("审批补助申请")
    CLAIM_DECLINED = "subsidies.claim.declined", _("财政不予批准补助申请")
    CLAIM_PAID = "subsidies.claim.paid", _("支付补助")
    CLAWBACK_BOOKED = "subsidies.ledger.clawback_booked", _("追回补助")
    CLAIM_MATERIAL_DOWNLOADED = "subsidies.claim.material_downloaded", _("下载补助申请材料")
    FUND_CREATED = "subsidies.fund.created", _("设立补助资金")
    FUND_BUDGET_SET = "subsidies.fund.budget_set", _("录入资金年度预算")
    TITLE_RECORDED = "subsidies.title.recorded", _("记录示范称号")
    DEMO_SEEDED = "subsidies.demo.seeded", _("生成演示补助数据")
    # reports and relief lists (subsidies-reports)
    REPORT_EXPORTED = "subsidies.report.exported", _("导出补助资金报表")
    PAYMENT_LIST_PRINTED = "subsidies.report.payment_list_printed", _("打印补助支付清单")
    RELIEF_LIST_EXPORTED = "subsidies.relief.exported", _("导出税费优惠名单")

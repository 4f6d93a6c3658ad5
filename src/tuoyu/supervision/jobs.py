"""Periodic jobs of supervision (declared here, run by tuoyu.jobs)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tuoyu.core.jobs import JobRunContext, job, periodic_job


@periodic_job(
    "supervision.escalate_overdue_orders",
    schedule="daily",
    at="01:30",
    title=_("整改逾期上报"),
    description=_(
        "每天将超过整改期限仍未验收的整改通知上报区卫健局和所在镇乡街道，记入机构信用档案（P-SUP-3、P-SUP-5）"
    ),
    labels={"escalated": _("新上报的逾期整改通知")},
)
def escalate_overdue_orders(run: JobRunContext) -> None:
    from tuoyu.supervision.services import orders_escalate

    run.set_count("escalated", orders_escalate(today=run.day))
    run.set_progress(1, 1)


@periodic_job(
    "supervision.risk_recompute",
    schedule="daily",
    at="02:30",
    title=_("重算风险评分"),
    description=_(
        "每天按检查结果、整改、投诉、预警、信用等级和未检查时长重算各机构风险评分（P-SUP-4）"
    ),
    labels={"scored": _("已评分机构")},
)
def recompute_risk(run: JobRunContext) -> None:
    from tuoyu.supervision.services import risk_recompute

    run.set_count("scored", risk_recompute(today=run.day))
    run.set_progress(1, 1)


@job(
    "supervision.risk_recompute_institution",
    title=_("重算机构风险评分（传染病预警后）"),
    labels={"scored": _("已评分机构")},
)
def recompute_institution_risk(run: JobRunContext) -> None:
    """After an outbreak alert (P-HC-6 → P-SUP-4): the institution's score, off the
    request that raised it. Idempotent (an upsert of the score)."""
    from tuoyu.supervision.services import risk_recompute

    run.set_count("scored", risk_recompute(institution_ids=[run.params["institution_id"]]))
    run.set_progress(1, 1)

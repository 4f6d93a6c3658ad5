"""The retention job ([operations] point 3): every rule of `tuoyu.core.retention`, each
night, anonymising in batches what is past its policy period.

Declared here, not in a domain app, because it serves every app's rules and needs the
policy (the periods) and the audit log (one event per batch); JobsConfig.ready() imports
this module. The job is idempotent: anonymised records drop out of a rule's `due`
queryset, so a rerun, or a run after an interrupted one, continues where it stopped.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tuoyu import policy
from tuoyu.audit.services import audit_record
from tuoyu.core import retention
from tuoyu.core.jobs import JobRunContext, periodic_job
from tuoyu.jobs.catalogue import JobsAction

logger = logging.getLogger("tuoyu.jobs")


def period_years(rule: retention.RetentionRule, day: dt.date) -> int:
    """The rule's period in force on `day` (a dotted policy key)."""
    value = policy.at(day)
    for part in rule.policy_key.split("."):
        value = getattr(value, part)
    return int(value)


def retention_run_rule(
    rule: retention.RetentionRule, *, day: dt.date, run: JobRunContext | None = None
) -> int:
    """Anonymise every record of `rule` past its period on `day`, one transaction and one
    audit event (chain `district`) per batch; returns how many were anonymised."""
    years = period_years(rule, day)
    cut = retention.cutoff(day, years)
    total = 0
    while True:
        with transaction.atomic():
            batch = list(rule.due(cut).order_by("pk")[: rule.batch_size])
            if not batch:
                break
            now = timezone.now()
            done = rule.anonymise(batch, now=now)
            audit_record(
                action=JobsAction.RETENTION_ANONYMISED,
                object_type="retention",
                object_id=rule.name,
                object_label=str(rule.label),
                detail={
                    "rule": rule.name,
                    "policy_key": rule.policy_key,
                    "years": years,
                    "cutoff": cut.isoformat(),
                    "anonymised": done,
                    "first_pk": batch[0].pk,
                    "last_pk": batch[-1].pk,
                },
                shard="district",
            )
        total += done
        if run is not None:
            run.count("anonymised", done)
        if done < len(batch):  # a rule that leaves records due would loop forever
            logger.warning("retention %s: %d of %d anonymised", rule.name, done, len(batch))
            break
    return total


@periodic_job(
    "core.retention",
    schedule="daily",
    at="01:30",
    title=_("个人信息到期匿名化"),
    description=_(
        "每天按政策规定的保存期限，将关系结束（离园、离职、投诉办结、账号停用）已满期限的个人信息"
        "匿名化：姓名、证件号、电话删除或替换，记录与统计保留；每批写入审计日志。"
        "从业禁止与黑名单记录依法保存，不匿名化"
    ),
    labels={"anonymised": _("已匿名化记录"), "rules": _("保存期限规则")},
)
def retention_job(run: JobRunContext) -> None:
    rules = retention.all_rules()
    run.set_result(
        "rules",
        [
            gettext("%(label)s：%(years)s 年")
            % {"label": r.label, "years": period_years(r, run.day)}
            for r in rules
        ],
    )
    for i, rule in enumerate(rules):
        done = retention_run_rule(rule, day=run.day, run=run)
        run.log(f"{rule.label}：匿名化 {done} 条")
        run.set_progress(i + 1, len(rules))
    run.set_progress(len(rules), len(rules))

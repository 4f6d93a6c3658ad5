"""P-HC-7: meal fees are ring-fenced and their accounts published monthly. An institution
that serves meals (`Institution.serves_meals`, a filed fact) records each month's meal-fee
income and food spending (whole yuan) and publishes the account; a month not published by
its deadline shows as overdue to the institution, its township and 区卫健局.

The deadline is policy data (`health.meal_account_publish_by_day`, a decision of the
platform: the 10th of the following month), read for the month concerned."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tuoyu import policy
from tuoyu.audit.services import audit_record
from tuoyu.children.catalogue import ChildrenAction, ChildrenError
from tuoyu.children.models import MealFeeAccount
from tuoyu.core import clock
from tuoyu.core.bounds import date_check, text_check
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, OutOfScope
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution

NOTE_MAX_LENGTH = 200
YUAN_MAX = 100_000_000  # technical bound (a month's meal fees of one institution)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def publish_deadline(month: dt.date) -> dt.date:
    """P-HC-7: the last day on which month `month`'s account may be published."""
    return next_month(month_start(month)).replace(day=publish_by_day(month))


def publish_by_day(month: dt.date) -> int:
    """P-HC-7: the day of the next month by which `month`'s account is published."""
    return policy.at(month_start(month)).health.meal_account_publish_by_day


def _yuan(value, field: str) -> int:
    if value is None or value == "":
        raise DomainError(CoreError.REQUIRED, field=field)
    try:
        amount = int(value)
    except (TypeError, ValueError):
        raise DomainError(CoreError.INT_PARSING, field=field) from None
    if not 0 <= amount <= YUAN_MAX:
        raise DomainError(CoreError.OUT_OF_RANGE, field=field)
    return amount


def meal_account_record(
    *,
    acting_user,
    institution: Institution,
    month: dt.date,
    income_yuan,
    food_spending_yuan,
    note: str = "",
    publish: bool = False,
) -> MealFeeAccount:
    """Record (or correct, until published) a month's account; `publish` publishes it."""
    if scope_of(acting_user).institution_id != institution.pk:
        raise OutOfScope("只有机构本身可以登记伙食费账目")
    if not institution.serves_meals:
        raise DomainError(ChildrenError.MEALS_NOT_SERVED, status=409)
    date_check(month, field="month", label="月份")
    month = month_start(month)
    if month > month_start(clock.today()):
        raise DomainError(ChildrenError.MEAL_MONTH_NOT_OVER, field="month")
    income = _yuan(income_yuan, "income_yuan")
    spending = _yuan(food_spending_yuan, "food_spending_yuan")
    note = text_check(note, field="note", label="说明", limit=NOTE_MAX_LENGTH)
    with transaction.atomic():
        account = (
            MealFeeAccount.objects.select_for_update()
            .filter(institution=institution, month=month)
            .first()
        )
        if account is not None and account.published_at is not None:
            raise DomainError(ChildrenError.MEAL_ACCOUNT_PUBLISHED, field="month", status=409)
        before = (
            {"income_yuan": account.income_yuan, "food_spending_yuan": account.food_spending_yuan}
            if account
            else {}
        )
        if account is None:
            account = MealFeeAccount(institution=institution, month=month)
        account.income_yuan = income
        account.food_spending_yuan = spending
        account.note = note
        if publish:
            account.published_at = timezone.now()
        account.save()
        changes = {
            k: [before.get(k), getattr(account, k)]
            for k in ("income_yuan", "food_spending_yuan")
            if before.get(k) != getattr(account, k)
        }
        audit_record(
            action=ChildrenAction.MEAL_ACCOUNT_PUBLISHED
            if publish
            else ChildrenAction.MEAL_ACCOUNT_RECORDED,
            actor=acting_user,
            obj=account,
            object_label=f"{month:%Y-%m}",
            changes=changes,
            detail={"month": f"{month:%Y-%m}", "published": publish},
        )
    return account

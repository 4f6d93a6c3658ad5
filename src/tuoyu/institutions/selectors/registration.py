"""Reads of the registrations (P-REG-11) with the caller's scope applied.

Who sees what: 区卫健局 sees every event and every registered institution; a registration
authority sees the events it pushed (`authority` = its own) and the institutions it
registered; everyone else (other departments, townships, institutions, operators) nothing.

"Registered, not yet filed" (P-REG-12): registration_status registered and filing_status
not_filed, with the days since registration (Asia/Shanghai days) and an overdue flag when
they exceed `policy.at(today).filing.registration_to_filing_deadline_days`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from tuoyu import policy
from tuoyu.accounts.models import Department
from tuoyu.core.errors import NotFound
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution, RegistrationEvent
from tuoyu.institutions.registration_rules import AUTHORITY_LABELS
from tuoyu.institutions.scopes import (
    institutions_visible,
    may_view_registrations,
    registrations_visible,
)
from tuoyu.regions.models import Region
from tuoyu.regions.selectors import jurisdiction_code

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _sees_registrations(acting_user) -> bool:
    return may_view_registrations(scope_of(acting_user))


def registration_events_visible(*, acting_user) -> QuerySet[RegistrationEvent]:
    return registrations_visible(RegistrationEvent.objects.all(), scope_of(acting_user))


def registration_institutions_visible(*, acting_user) -> QuerySet[Institution]:
    scope = scope_of(acting_user)
    return registrations_visible(
        institutions_visible(Institution.objects.all(), scope),
        scope,
        authority_field="registration_authority",
    )


@dataclass(frozen=True)
class RegistrationFilters:
    authority: str = ""
    action: str = ""
    township: str = ""  # a township code
    overdue: bool = False

    @classmethod
    def from_query(cls, query) -> RegistrationFilters:
        def text(name: str) -> str:
            return (query.get(name) or "").strip()

        action = text("action")
        authority = text("authority")
        return cls(
            authority=authority if authority in Department.RegistrationAuthority.values else "",
            action=action if action in RegistrationEvent.Action.values else "",
            township=text("township"),
            overdue=text("overdue") in ("1", "true", "on"),
        )

    @property
    def active(self) -> bool:
        return bool(self.authority or self.action or self.township or self.overdue)


@dataclass(frozen=True)
class FilingDeadline:
    """The registration-to-filing deadline on `today` (P-REG-12; policy data) and the
    instant before which a registration is overdue: days > deadline ⇔ registration date
    < today − deadline ⇔ registered_at < 00:00 (Beijing) of that date."""

    today: dt.date
    days: int
    cutoff: dt.datetime

    def days_since(self, registered_at: dt.datetime) -> int:
        return (self.today - registered_at.astimezone(SHANGHAI).date()).days

    def is_overdue(self, registered_at: dt.datetime) -> bool:
        return self.days_since(registered_at) > self.days


def registration_filing_deadline(*, today: dt.date | None = None) -> FilingDeadline:
    today = today or policy.today()
    days = policy.at(today).filing.registration_to_filing_deadline_days
    cutoff = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(), tzinfo=SHANGHAI)
    return FilingDeadline(today=today, days=days, cutoff=cutoff)


def _unfiled_q(prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}registration_status": Institution.RegistrationStatus.REGISTERED,
            f"{prefix}filing_status": Institution.FilingStatus.NOT_FILED,
        }
    )


def registration_events_list(
    *, acting_user, filters: RegistrationFilters, today: dt.date | None = None
) -> QuerySet[RegistrationEvent]:
    """The events the user may see, filtered, newest first, with institution and township
    joined (one query per page)."""
    qs = registration_events_visible(acting_user=acting_user)
    if filters.authority:
        qs = qs.filter(authority=filters.authority)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.township:
        qs = qs.filter(institution__township__code=filters.township)
    if filters.overdue:
        deadline = registration_filing_deadline(today=today)
        qs = qs.filter(_unfiled_q("institution__"), institution__registered_at__lt=deadline.cutoff)
    return qs.select_related("institution", "institution__township", "received_by").order_by(
        "-received_at", "-pk"
    )


def registrations_unfiled(
    *, acting_user, filters: RegistrationFilters, today: dt.date | None = None
) -> QuerySet[Institution]:
    """Registered, not yet filed institutions the user may see, oldest registration first,
    annotated with `is_overdue` (in SQL, so it can be filtered and counted) — pair with
    `registrations_with_age` for the number of days."""
    deadline = registration_filing_deadline(today=today)
    qs = registration_institutions_visible(acting_user=acting_user).filter(_unfiled_q())
    if filters.authority:
        qs = qs.filter(registration_authority=filters.authority)
    if filters.action:
        qs = qs.filter(registration_events__action=filters.action).distinct()
    if filters.township:
        qs = qs.filter(township__code=filters.township)
    qs = qs.annotate(
        is_overdue=Case(
            When(registered_at__lt=deadline.cutoff, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    if filters.overdue:
        qs = qs.filter(registered_at__lt=deadline.cutoff)
    return qs.select_related("township").order_by("registered_at", "pk")


def registrations_with_age(institutions, *, today: dt.date | None = None) -> list[Institution]:
    """Sets `days_since_registration` (and `is_overdue`, if not annotated) on each of the
    given institutions (a page: no queries)."""
    deadline = registration_filing_deadline(today=today)
    out = []
    for inst in institutions:
        inst.days_since_registration = deadline.days_since(inst.registered_at)
        if not hasattr(inst, "is_overdue"):
            inst.is_overdue = deadline.is_overdue(inst.registered_at)
        out.append(inst)
    return out


def registrations_unfiled_summary(*, acting_user, today: dt.date | None = None) -> dict:
    """Counts for the tab: registered and not yet filed, and how many are overdue."""
    deadline = registration_filing_deadline(today=today)
    qs = registration_institutions_visible(acting_user=acting_user).filter(_unfiled_q())
    return {
        "unfiled": qs.count(),
        "overdue": qs.filter(registered_at__lt=deadline.cutoff).count(),
        "deadline_days": deadline.days,
    }


def unfiled_counts(*, acting_user, today: dt.date | None = None) -> dict:
    """[accounts-ux] point 2 (the home card and nav badge of 区卫健局 and the townships):
    registered and not yet filed institutions, how many are past the registration-to-filing
    deadline (P-REG-12, policy `filing.registration_to_filing_deadline_days`) and since when
    the oldest waits — one aggregate query. Those who receive registrations count what they
    see of them; a township the institutions located in it."""
    from django.db.models import Count, Min

    scope = scope_of(acting_user)
    if may_view_registrations(scope):
        qs = registration_institutions_visible(acting_user=acting_user)
    else:
        qs = institutions_visible(Institution.objects.all(), scope)
    deadline = registration_filing_deadline(today=today)
    row = qs.filter(_unfiled_q()).aggregate(
        unfiled=Count("pk"),
        overdue=Count("pk", filter=Q(registered_at__lt=deadline.cutoff)),
        oldest=Min("registered_at"),
    )
    return {
        **row,
        "deadline_days": deadline.days,
        "oldest_days": deadline.days_since(row["oldest"]) if row["oldest"] else None,
        "sees_registrations": may_view_registrations(scope),
    }


def unfiled_overdue(*, acting_user, today: dt.date | None = None) -> tuple[QuerySet, bool]:
    """The rows `unfiled_counts` counts as overdue (P-REG-12), as a queryset (the nav badge,
    counted with the others in one statement: [scale] #10), and whether the user sees them
    as registrations (else as the directory's institutions of its township)."""
    scope = scope_of(acting_user)
    sees = may_view_registrations(scope)
    if sees:
        qs = registration_institutions_visible(acting_user=acting_user)
    else:
        qs = institutions_visible(Institution.objects.all(), scope)
    cutoff = registration_filing_deadline(today=today).cutoff
    return qs.filter(_unfiled_q(), registered_at__lt=cutoff), sees


def registration_event_get(*, acting_user, pk: int) -> RegistrationEvent:
    """One visible event; NotFound alike for unknown ids and for other authorities' events."""
    event = (
        registration_events_visible(acting_user=acting_user)
        .select_related("institution", "institution__township", "received_by")
        .filter(pk=pk)
        .first()
    )
    if event is None:
        raise NotFound("登记信息不存在或无权查看")
    return event


def registration_institution_events(*, acting_user, institution_id: int) -> QuerySet:
    """The registration history of one institution (its events, oldest first), as far as
    the user may see them."""
    return (
        registration_events_visible(acting_user=acting_user)
        .filter(institution_id=institution_id)
        .select_related("received_by")
        .order_by("occurred_at", "pk")
    )


def registration_townships(*, acting_user) -> QuerySet[Region]:
    """The district's townships, for the filters, the entry form and the upload template
    (the API itself accepts any township the region tree lists, API-CONTRACT §1). Empty for
    users who see no registrations."""
    if not _sees_registrations(acting_user):
        return Region.objects.none()
    return Region.objects.filter(
        level=Region.Level.TOWNSHIP, code__startswith=jurisdiction_code()
    ).order_by("code")


def registration_filter_choices(*, acting_user) -> dict:
    """Choices of the filter bar: the authorities the user may filter by, the actions and
    the townships of the district."""
    scope = scope_of(acting_user)
    if scope.is_health_bureau:
        authorities = list(AUTHORITY_LABELS.items())
    elif _sees_registrations(acting_user):
        own = scope.registration_authority
        authorities = [(own, AUTHORITY_LABELS.get(own, own))]
    else:
        authorities = []
    return {
        "authorities": authorities,
        "actions": list(RegistrationEvent.Action.choices),
        "townships": list(
            registration_townships(acting_user=acting_user).values_list("code", "name")
        ),
    }


FACT_LABELS = {
    "name": _("机构名称"),
    "legal_form": _("法人类型"),
    "for_profit": _("营利性"),
    "legal_representative": _("法定代表人"),
    "address": _("地址"),
    "township_code": _("所在镇乡街道"),
    "registration_authority": _("登记机关"),
    "registration_status": _("登记状态"),
    "deregistered_at": _("注销登记时间"),
}


def registration_event_changes(event: RegistrationEvent) -> list[tuple[str, str, str]]:
    """The event's before/after as (label, before, after) for people: codes shown as their
    Chinese names (one query for the township names)."""
    codes = {v for k, pair in event.changes.items() if k == "township_code" for v in pair if v}
    township_names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    legal_forms = dict(Institution.LegalForm.choices)
    statuses = dict(Institution.RegistrationStatus.choices)

    def show(key: str, value) -> str:
        if value in (None, ""):
            return "—"
        if key == "for_profit":
            return str(_("营利性") if value else _("非营利性"))
        if key == "legal_form":
            return str(legal_forms.get(value, value))
        if key == "township_code":
            return f"{township_names.get(value, value)}（{value}）"
        if key == "registration_authority":
            return AUTHORITY_LABELS.get(value, value)
        if key == "registration_status":
            return str(statuses.get(value, value))
        if key == "deregistered_at":
            try:
                moment = dt.datetime.fromisoformat(value)
            except (TypeError, ValueError):
                return str(value)
            return f"{moment.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
        return str(value)

    order = list(FACT_LABELS)
    rows = []
    for key in sorted(event.changes, key=lambda k: order.index(k) if k in order else len(order)):
        before, after = event.changes[key]
        rows.append((str(FACT_LABELS.get(key, key)), show(key, before), show(key, after)))
    return rows

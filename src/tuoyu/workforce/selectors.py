"""Reads of workforce, scope applied (`scopes.py`): outside the scope is 404.

Lists never decrypt: they show `Person.id_number_masked`. The clear ID number is read only
through `audit.services.personal_value_reveal` (never here).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from tuoyu import policy
from tuoyu.core.errors import NotFound
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution
from tuoyu.institutions.scopes import institutions_visible
from tuoyu.web.tables import DEFAULT_PAGE_SIZE
from tuoyu.workforce import compliance
from tuoyu.workforce.models import (
    Ban,
    BanAttempt,
    Certificate,
    CertificateKind,
    ExpiryNotice,
    Role,
    StaffMember,
    Training,
)
from tuoyu.workforce.scopes import bans_visible, may_see_certificate_scans, staff_visible


def institution_for_staff(
    *, acting_user, uscc: str | None = None, pk: int | None = None
) -> Institution:
    qs = institutions_visible(Institution.objects.all(), scope_of(acting_user))
    institution = qs.filter(uscc=(uscc or "").upper()).first() if uscc else qs.filter(pk=pk).first()
    if institution is None:
        raise NotFound()
    return institution


def staff_all(*, acting_user) -> QuerySet[StaffMember]:
    return staff_visible(StaffMember.objects.all(), scope_of(acting_user))


def roster(*, acting_user, institution: Institution, include_left: bool = False) -> QuerySet:
    qs = staff_all(acting_user=acting_user).filter(institution=institution)
    if not include_left:
        qs = qs.filter(left_on__isnull=True)
    return qs.select_related("person", "care_class", "banned_by").order_by("role", "name", "pk")


def staff_get(*, acting_user, pk: int) -> StaffMember:
    staff = (
        staff_all(acting_user=acting_user)
        .select_related("person", "institution", "care_class", "banned_by")
        .prefetch_related(
            Prefetch("certificates", queryset=Certificate.objects.order_by("kind", "-valid_from")),
            Prefetch("trainings", queryset=Training.objects.order_by("-completed_on")),
        )
        .filter(pk=pk)
        .first()
    )
    if staff is None:
        raise NotFound()
    return staff


def certificate_scan_get(*, acting_user, pk: int) -> Certificate:
    """A certificate whose scan the caller may open (P-WF-1): the institution's own, 区卫健局,
    the township the institution is located in. Anyone else, or no scan: 404."""
    scope = scope_of(acting_user)
    if not may_see_certificate_scans(scope):
        raise NotFound()
    certificate = (
        staff_visible(Certificate.objects.all(), scope)
        .exclude(scan="")
        .select_related("staff")
        .filter(pk=pk)
        .first()
    )
    if certificate is None:
        raise NotFound()
    return certificate


def flagged_staff(*, acting_user) -> QuerySet[StaffMember]:
    """Active employments of banned persons (P-SUP-6): the institution's own, the
    district's for 区卫健局."""
    return (
        staff_all(acting_user=acting_user)
        .filter(banned_by__isnull=False, left_on__isnull=True)
        .select_related("institution", "person", "banned_by")
    )


# --- bans (区卫健局) -----------------------------------------------------------------------------


def bans(*, acting_user, status: str | None = None) -> QuerySet[Ban]:
    qs = bans_visible(Ban.objects.all(), scope_of(acting_user)).select_related(
        "proposed_by", "approved_by", "lifted_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(attempt_count=Count("attempts")).order_by("-created_at", "-pk")


def ban_get(*, acting_user, pk: int) -> Ban:
    ban = bans_visible(Ban.objects.all(), scope_of(acting_user)).filter(pk=pk).first()
    if ban is None:
        raise NotFound()
    return ban


def ban_attempts(*, acting_user) -> QuerySet[BanAttempt]:
    if not scope_of(acting_user).is_health_bureau:
        return BanAttempt.objects.none()
    return BanAttempt.objects.select_related("ban", "institution", "attempted_by")


# --- one person, one post (health workers and principals) ------------------------------------

SINGLE_POST_ROLES = (Role.PRINCIPAL, Role.HEALTH_WORKER)


def double_posts(*, acting_user) -> list[dict]:
    """Health workers and principals active at two or more institutions at once, matched by
    blind index (`Person`): 区卫健局 only. Two queries."""
    if not scope_of(acting_user).is_health_bureau:
        return []
    active = StaffMember.objects.filter(left_on__isnull=True, role__in=SINGLE_POST_ROLES)
    persons = (
        active.values("person_id")
        .annotate(n=Count("institution_id", distinct=True))
        .filter(n__gt=1)
        .values("person_id")
    )
    rows = defaultdict(list)
    for s in (
        active.filter(person_id__in=persons)
        .select_related("institution", "person")
        .order_by("person_id", "institution__name")
    ):
        rows[s.person_id].append(s)
    return [{"person": posts[0].person, "posts": posts} for posts in rows.values()]


# --- compliance (P-STD-1, P-STD-2, P-HC-5) ------------------------------------------------------


def institution_gaps(*, acting_user, institution: Institution, day: dt.date | None = None):
    day = day or policy.today()
    institution_for_staff(acting_user=acting_user, pk=institution.pk)
    return compliance.compliance_gaps([institution.pk], day)[institution.pk]


def _gap_institutions(acting_user):
    """The filed institutions of the caller's scope, in the gap list's order."""
    return (
        institutions_visible(Institution.objects.all(), scope_of(acting_user))
        .filter(filing_status=Institution.FilingStatus.FILED)
        .select_related("township")
        .only("pk", "name", "uscc", "township__name")
        .order_by("township__code", "name", "pk")
    )


def district_gaps(*, acting_user, day: dt.date | None = None) -> list[dict]:
    """Every filed institution in the caller's scope with its gaps on `day` (those with at
    least one gap), in a constant number of queries. It judges every institution of the
    scope (a district's few hundred); a list that may span more pages through
    `district_gaps_page`, which judges only the page's institutions."""
    day = day or policy.today()
    institutions = list(_gap_institutions(acting_user))
    gaps = compliance.compliance_gaps([i.pk for i in institutions], day)
    return [{"institution": i, "gaps": gaps[i.pk]} for i in institutions if gaps[i.pk]]


def district_gaps_page(
    *,
    acting_user,
    page: int | str | None = 1,
    per_page: int = DEFAULT_PAGE_SIZE,
    day: dt.date | None = None,
) -> Page:
    """One page of the filed institutions in the caller's scope (P-STD-1, P-STD-2, P-HC-5,
    P-SUP-6), each with its gaps on `day` (`[]`: compliant), paginated first: only the
    page's institutions are judged, so a province-wide scope costs what a district does
    (the count, the page's rows, then the page's classes, staff and certificates: a
    constant number of queries and at most `per_page` institutions judged). A bad page
    number gives the nearest valid page (`Paginator.get_page`). `page.object_list` holds
    {"institution", "gaps"} dicts; `page.with_gaps` those with at least one gap."""
    day = day or policy.today()
    result = Paginator(_gap_institutions(acting_user), per_page).get_page(page)
    institutions = list(result.object_list)
    gaps = compliance.compliance_gaps([i.pk for i in institutions], day)
    result.object_list = [{"institution": i, "gaps": gaps[i.pk]} for i in institutions]
    result.with_gaps = [row for row in result.object_list if row["gaps"]]
    return result


# --- expiry (P-HC-5, P-WF-1) -------------------------------------------------------------------


def expiring(*, acting_user, institution: Institution | None = None, day: dt.date | None = None):
    """Certificates of active employments whose latest certificate of that kind expires
    within the policy warning window, or has expired (`expired` on each row)."""
    day = day or policy.today()
    window = policy.at(day).workforce.expiry_warning_days
    newer = Certificate.objects.filter(staff_id=OuterRef("staff_id"), kind=OuterRef("kind")).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=OuterRef("valid_until"))
    )
    qs = (
        Certificate.objects.filter(
            staff__in=staff_all(acting_user=acting_user).filter(left_on__isnull=True),
            valid_until__isnull=False,
            valid_until__lte=day + dt.timedelta(days=window),
        )
        .exclude(Exists(newer))
        .select_related("staff", "staff__institution")
        .order_by("valid_until", "pk")
    )
    if institution is not None:
        qs = qs.filter(institution=institution)
    rows = list(qs)
    for c in rows:
        c.expired = c.valid_until < day
        c.days_left = (c.valid_until - day).days
    return rows


def expiry_notices(*, acting_user, institution: Institution) -> QuerySet[ExpiryNotice]:
    institution_for_staff(acting_user=acting_user, pk=institution.pk)
    return ExpiryNotice.objects.filter(institution=institution).select_related(
        "certificate", "certificate__staff"
    )


# --- P-TGT-8: the certification rate -----------------------------------------------------------


@dataclass
class Rate:
    numerator: int = 0
    denominator: int = 0
    rows: list = field(default_factory=list)

    @property
    def rate(self):
        return round(self.numerator / self.denominator, 4) if self.denominator else None

    @property
    def percent(self) -> str:
        return f"{self.rate * 100:.1f}%" if self.rate is not None else "—"


def certification_rate(*, acting_user, day: dt.date | None = None, institution=None) -> dict:
    """Practitioners holding a certificate that counts (policy data: which roles, which
    kinds) on `day`: {"total": Rate, "townships": {name: Rate}, "institutions": {id: Rate}}.
    Two queries."""
    day = day or policy.today()
    rules = policy.at(day)
    kinds = list(rules.workforce.certification_rate_kinds)
    roles = list(rules.workforce.certification_rate_roles)
    valid = Certificate.objects.filter(
        compliance._valid_on(day, rules.health.staff_exam_interval_months),
        staff_id=OuterRef("pk"),
        kind__in=kinds,
    )
    qs = (
        staff_all(acting_user=acting_user)
        .filter(compliance.active_on(day), role__in=roles)
        .annotate(certified=Exists(valid))
        .select_related("institution", "institution__township", "person")
        .order_by("institution__name", "name")
    )
    if institution is not None:
        qs = qs.filter(institution=institution)
    total = Rate()
    townships: dict[str, Rate] = defaultdict(Rate)
    institutions: dict[int, Rate] = defaultdict(Rate)
    for s in qs:
        for rate in (
            total,
            townships[s.institution.township.name],
            institutions[s.institution_id],
        ):
            rate.denominator += 1
            rate.numerator += int(s.certified)
        total.rows.append(s)
    return {
        "total": total,
        "townships": dict(sorted(townships.items())),
        "institutions": dict(institutions),
        "target": rules.targets.practitioner_certification_rate_2025,
    }


def filing_staff_counts(institution_id: int, day: dt.date) -> dict | None:
    """The filing application's staff section from the roster (registered with
    `filings.staff_source` in ready()): {role: {"count", "certified"}} over the institution's
    employments active on `day`, or None when it has none (the counts are then typed).

    No acting user: filings asks on behalf of the institution's own account, which already
    edits or submits its own application; only counts leave the app, never a person.

    "持证" of the filing form, per role (P-STD-2 staffing, P-WF-1 持证上岗), a certificate
    valid on `day` as `compliance._valid_on` has it (a health certificate without an end
    date lasts the policy's examination interval, P-HC-5):
    - principal, caregiver, health_worker, other: a kind of the policy's
      `workforce.certification_rate_kinds` (the professional qualifications the
      certification rate counts, P-TGT-8 / P-WF-2);
    - security: the 保安员证 (`security_guard`, P-STD-2);
    - cook: the 健康合格证 (`health_certificate`, P-HC-5: no cook works without one).
    Two queries.
    """
    rules = policy.at(day)
    qualifications = frozenset(rules.workforce.certification_rate_kinds)
    counting = {
        Role.SECURITY: frozenset({CertificateKind.SECURITY_GUARD}),
        Role.COOK: frozenset({CertificateKind.HEALTH_CERTIFICATE}),
    }
    active = StaffMember.objects.filter(compliance.active_on(day), institution_id=institution_id)
    people = list(active.values_list("pk", "role"))
    if not people:
        return None
    kinds: dict[int, set] = defaultdict(set)
    for staff_id, kind in Certificate.objects.filter(
        compliance._valid_on(day, rules.health.staff_exam_interval_months),
        staff__in=active,
    ).values_list("staff_id", "kind"):
        kinds[staff_id].add(kind)
    out = {role: {"count": 0, "certified": 0} for role in Role.values}
    for staff_id, role in people:
        out[role]["count"] += 1
        out[role]["certified"] += int(bool(kinds[staff_id] & counting.get(role, qualifications)))
    return out


# --- P-WF-3: trainings and appraisals for 区人力社保局 --------------------------------------------


def trainings_of_year(*, acting_user, year: int) -> QuerySet[Training]:
    if not acting_user.has_perm("workforce.export_trainings"):
        return Training.objects.none()
    return (
        Training.objects.filter(completed_on__year=year)
        .select_related("staff", "staff__person", "staff__institution")
        .order_by("completed_on", "pk")
    )

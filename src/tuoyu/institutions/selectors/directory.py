"""The institution directory (机构名录) for 区级部门 and townships: search, filters, sorting,
export, and the reads behind the tabs of an institution's page. Scope applied everywhere
(`institutions.scopes.institutions_visible`): a township sees its own township's institutions only.

Set-based: slots (the sum of filed class capacities, §9.1) and the affordable flag on a day
(P-MODE-2) are read from the row (stored by the writing services, `tuoyu.institutions.summary`,
[scale] #10 point 6), the chain head flag and the days since registration are computed in SQL,
so a page costs the same number of queries whatever its size; `q` runs on the search index
(`tuoyu.institutions.search`), and `directory_paged` reads a page's rows by the ids of an
indexed order, so a deep page costs what the first does.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, fields

from django.db import connection
from django.db.models import (
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate

from tuoyu.accounts.models import User
from tuoyu.core.errors import NotFound
from tuoyu.core.pinyin import Pinyin
from tuoyu.core.scope import scope_of
from tuoyu.institutions import search, summary
from tuoyu.institutions.models import CareClass, ChainAgreement, Institution, RegistrationEvent
from tuoyu.institutions.scopes import (
    institution_owned_visible,
    institutions_visible,
)
from tuoyu.policy import as_date
from tuoyu.regions.models import Region
from tuoyu.regions.selectors import jurisdiction_code

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

CHAIN_CHOICES = ("branch", "head", "none")

# Sortable columns: ?sort=<key> or ?sort=-<key>; the primary key breaks ties.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "uscc": ("uscc",),
    "township": ("township__code", "name"),
    "registered": ("registered_at",),
    "registration_status": ("registration_status", "name"),
    "filing_status": ("filing_status", "name"),
    "filed_on": ("filed_on",),
    "mode": ("operating_mode", "name"),
    "slots": ("filed_slots",),
    "affordable": ("affordable", "name"),
}
DEFAULT_SORT = "name"


@dataclass(frozen=True)
class DirectoryFilters:
    """The directory's query: `q` (name contains, or USCC prefix), `township` (a township
    code), `registration_status`, `filing_status`, `operating_mode`, `affordable` (on the
    day asked: True/False/None), `chain` ("branch" / "head" / "none" / ""), `sort`."""

    q: str = ""
    township: str = ""
    registration_status: str = ""
    filing_status: str = ""
    operating_mode: str = ""
    affordable: bool | None = None
    chain: str = ""
    sort: str = DEFAULT_SORT

    def as_detail(self) -> dict:
        """The non-empty filters, for the audit event of an export."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in ("", None):
                out[f.name] = value
        return out


def filed_slots() -> Coalesce:
    """Slots (托位) of the outer institution: the sum of its filed classes' capacities, as
    a subquery (what `Institution.filed_slots` stores; for checks and reports)."""
    per_institution = (
        CareClass.objects.filter(institution_id=OuterRef("pk"), status=CareClass.Status.FILED)
        .order_by()
        .values("institution_id")
        .annotate(total=Sum("capacity"))
        .values("total")
    )
    return Coalesce(Subquery(per_institution, output_field=IntegerField()), Value(0))


def directory_annotate(qs: QuerySet[Institution], on_date=None) -> QuerySet[Institution]:
    """`slots`, `affordable` (on the day), `is_chain_head` and `days_registered` (a
    timedelta: the day minus the registration day in Asia/Shanghai), all in SQL; slots
    and affordable from the row's stored figures."""
    day = as_date(on_date)
    return qs.annotate(
        slots=F("filed_slots"),
        affordable=summary.affordable_on_day(day),
        is_chain_head=Exists(ChainAgreement.objects.filter(head_id=OuterRef("pk"))),
        days_registered=ExpressionWrapper(
            Value(day) - TruncDate("registered_at", tzinfo=SHANGHAI),
            output_field=DurationField(),
        ),
    )


def _scoped(acting_user) -> QuerySet[Institution]:
    return institutions_visible(scope=scope_of(acting_user), qs=Institution.objects.all())


def institutions_directory(
    *, acting_user, filters: DirectoryFilters | None = None, on_date=None
) -> QuerySet[Institution]:
    """The institutions the user may see, filtered and sorted, annotated per
    `directory_annotate` and joined with their township (one query per page)."""
    f = filters or DirectoryFilters()
    qs = (
        directory_annotate(_scoped(acting_user), on_date)
        .select_related("township")
        .defer("search_tokens")
    )
    q = (f.q or "").strip()
    if q:
        qs = qs.filter(directory_text_match(q))
    if f.township:
        qs = qs.filter(township__code=f.township)
    if f.registration_status:
        qs = qs.filter(registration_status=f.registration_status)
    if f.filing_status:
        qs = qs.filter(filing_status=f.filing_status)
    if f.operating_mode:
        qs = qs.filter(operating_mode=f.operating_mode)
    if f.affordable is not None:
        qs = qs.filter(affordable=f.affordable)
    if f.chain == "branch":
        qs = qs.filter(chain_agreement__isnull=False)
    elif f.chain == "head":
        qs = qs.filter(is_chain_head=True)
    elif f.chain == "none":
        qs = qs.filter(chain_agreement__isnull=True, is_chain_head=False)
    return qs.order_by(*sort_keys(f.sort))


USCC_PREFIX = re.compile(r"^[0-9A-Za-z]{2,18}$")


def directory_text_match(q: str) -> Q:
    """Every word of `q` in the name or the address (the search index), or `q` the start of
    a USCC (on the USCC's own index: a range on SQLite, LIKE 'x%' on PostgreSQL's
    pattern index; USCCs are stored in capitals)."""
    match = search.text_match(q)
    if USCC_PREFIX.match(q):
        prefix = q.upper()
        if connection.vendor == "postgresql":
            match |= Q(uscc__startswith=prefix)
        else:
            match |= Q(uscc__gte=prefix, uscc__lt=prefix[:-1] + chr(ord(prefix[-1]) + 1))
    return match


class DirectoryPaged:
    """A directory queryset as Paginator sees it: `count()`, and slices read as the ids of
    the indexed order first, then the rows (with their annotations) of those ids only —
    OFFSET walks an index, not the annotated rows ([scale] #10 point 6). With a text search
    the matching ids are read once, for the count and the page alike."""

    ordered = True

    def __init__(self, qs: QuerySet[Institution], *, searched: bool = False):
        self.qs = qs
        self.searched = searched
        self._ids: list[int] | None = None

    def _all_ids(self) -> list[int]:
        if self._ids is None:
            self._ids = list(self.qs.values_list("pk", flat=True))
        return self._ids

    def count(self) -> int:
        return len(self._all_ids()) if self.searched else self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        if self.searched:
            ids = self._all_ids()[key]
        else:
            ids = list(self.qs.values_list("pk", flat=True)[key])
        if not ids:
            return []
        rows = {row.pk: row for row in self.qs.filter(pk__in=ids).order_by()}
        return [rows[pk] for pk in ids if pk in rows]


def directory_paged(qs: QuerySet[Institution], filters: DirectoryFilters | None = None):
    """`qs` (of `institutions_directory`) for a Paginator (see DirectoryPaged)."""
    return DirectoryPaged(qs, searched=bool(((filters or DirectoryFilters()).q or "").strip()))


def sort_keys(sort: str) -> list:
    key = (sort or DEFAULT_SORT).lstrip("-")
    if key not in SORTS:
        key, sort = DEFAULT_SORT, DEFAULT_SORT
    desc = (sort or "").startswith("-")
    out = []
    for k in SORTS[key]:
        # NULLS LAST only where there can be nulls: on a NOT NULL column it would keep a
        # descending sort from walking its index backwards (PostgreSQL).
        nulls = {"nulls_last": True} if _nullable(k) else {}
        # Names by pinyin on both databases ([accounts-ux] 9), not by code point.
        expr = Pinyin(k) if k == "name" else F(k)
        out.append(expr.desc(**nulls) if desc else expr.asc(**nulls))
    return [*out, "-pk" if desc else "pk"]


def _nullable(path: str) -> bool:
    if "__" in path:
        return True
    return Institution._meta.get_field(path).null


def directory_townships(*, acting_user) -> list[tuple[str, str]]:
    """(code, name) of the townships offered in the directory's filter, by code: the
    district's, or a township user's own. Sorted here rather than in SQL: with ORDER BY code
    SQLite walks the whole region index (villages included) instead of the level index."""
    qs = Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith=jurisdiction_code())
    qs = scope_of(acting_user).filter(qs, institution=None, township="pk")
    return sorted(qs.order_by().values_list("code", "name"))


def institution_directory_get(*, acting_user, pk: int, on_date=None) -> Institution:
    """One institution the user may see, annotated like the list; NotFound (404) for
    unknown ids and for institutions outside the user's scope alike."""
    institution = (
        directory_annotate(_scoped(acting_user), on_date)
        .select_related("township", "community", "chain_agreement", "chain_agreement__head")
        .filter(pk=pk)
        .first()
    )
    if institution is None:
        raise NotFound("托育机构不存在或不在当前账号的管辖范围内")
    return institution


def institution_by_uscc(*, acting_user, uscc: str) -> Institution:
    """An institution the user may see, by its USCC (forms that name an institution)."""
    institution = (
        _scoped(acting_user).select_related("township").filter(uscc=(uscc or "").strip().upper())
    ).first()
    if institution is None:
        raise NotFound("未找到该统一社会信用代码对应的机构", field="uscc")
    return institution


# --- the tabs of an institution's page ---------------------------------------------------


def institution_classes(*, acting_user, institution: Institution) -> list[CareClass]:
    """Every class of the institution (filed, proposed and closed), filed ones first."""
    qs = institution_owned_visible(
        CareClass.objects.filter(institution=institution), scope_of(acting_user)
    )
    order = {CareClass.Status.FILED: 0, CareClass.Status.PROPOSED: 1, CareClass.Status.CLOSED: 2}
    return sorted(qs.order_by("class_type", "name"), key=lambda c: order.get(c.status, 9))


def institution_registration_events(
    *, acting_user, institution: Institution
) -> list[RegistrationEvent]:
    """The registration, change and deregistration events received for the institution."""
    qs = institution_owned_visible(
        RegistrationEvent.objects.filter(institution=institution), scope_of(acting_user)
    )
    return list(qs.select_related("received_by").order_by("-occurred_at", "-received_at"))


def institution_accounts(*, acting_user, institution: Institution) -> list[dict]:
    """The institution's user accounts: username, lifecycle status ([accounts-ux] #9 point
    1: 正常 / 待激活 / 已停用) and, for an administrator of the account (区卫健局's, the
    institution's own), its id to manage it; nothing more."""
    from tuoyu.accounts.selectors import users_managed

    visible = institutions_visible(
        scope=scope_of(acting_user), qs=Institution.objects.filter(pk=institution.pk)
    )
    if not visible.exists():
        return []
    managed = set(
        users_managed(acting_user=acting_user)
        .filter(institution=institution)
        .values_list("pk", flat=True)
    )
    return [
        {
            "username": u.username,
            "is_active": u.is_active,
            "status": u.lifecycle_status,
            "status_label": u.lifecycle_label,
            "manage_id": u.pk if u.pk in managed else None,
        }
        for u in User.objects.filter(institution=institution).order_by("username")
    ]


# --- export -------------------------------------------------------------------------------


EXPORT_FIELDS = (
    "name",
    "uscc",
    "township__name",
    "township__code",
    "legal_form",
    "for_profit",
    "registration_authority",
    "registration_status",
    "registered_at",
    "days_registered",
    "filing_status",
    "filing_number",
    "filed_on",
    "operating_mode",
    "institution_form",
    "slots",
    "affordable",
    "chain_agreement__agreement_number",
    "is_chain_head",
    "monthly_fee_yuan",
    "address",
)


def directory_export_rows(
    *, acting_user, filters: DirectoryFilters | None = None, on_date=None, chunk_size: int = 2000
):
    """The rows of the current filter for the Excel export, as dicts of EXPORT_FIELDS,
    streamed from one query (server-side cursor where the database has one)."""
    qs = institutions_directory(acting_user=acting_user, filters=filters, on_date=on_date)
    return qs.values(*EXPORT_FIELDS).iterator(chunk_size=chunk_size)


def days_of(value) -> int | None:
    """`days_registered` as whole days (a timedelta from SQL; some backends give µs)."""
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return value.days
    return int(value) // 86_400_000_000

"""Public reads (no login; API-CONTRACT §6): filed institutions for anyone to find.

The public scope is fixed: only institutions whose filing is in force (`filed`, not
cancelled) and that are still registered appear, and only public facts leave this module
(never the legal representative, phone numbers or other personal data: the queryset does not
even load those columns).

Enrolment (vacancies = capacity − children enrolled), the credit rating and the last
inspection come from the apps that own them, through `tuoyu.institutions.public_facts`
(registered providers; none before the children and supervision apps exist, so vacancies
equal capacity and both facts are null).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from tuoyu import policy
from tuoyu.core.errors import DomainError
from tuoyu.institutions import public_facts, search, summary
from tuoyu.institutions.catalogue import InstitutionsError
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.regions.catalogue import RegionsError
from tuoyu.regions.models import Region
from tuoyu.regions.selectors import jurisdiction_code

PAGE_SIZE = 20
USCC_LIKE = re.compile(r"^[0-9A-Za-z]{18}$")
MAX_PAGE = 100_000
CLASS_ORDER = {t: i for i, t in enumerate(CareClass.ClassType.values)}

# The only columns the public reads load (Institution.legal_representative and the
# registration payloads are never selected).
PUBLIC_FIELDS = (
    "id",
    "name",
    "uscc",
    "address",
    "filing_number",
    "filed_on",
    "monthly_fee_yuan",
    "operating_mode",
    "opening_hours",
    "township",
    "township__code",
    "township__name",
)


def public_filter() -> Q:
    """The public scope: filing in force and still registered."""
    return Q(
        filing_status=Institution.FilingStatus.FILED,
        registration_status=Institution.RegistrationStatus.REGISTERED,
    )


def _district_townships() -> QuerySet[Region]:
    return Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith=jurisdiction_code())


def public_townships() -> list[tuple[str, str]]:
    """(code, name) of the district's townships, for the public search form (sorted here:
    see selectors.directory.directory_townships)."""
    return sorted(_district_townships().order_by().values_list("code", "name"))


def public_township(code: str) -> Region:
    region = _district_townships().filter(code=(code or "").strip()).first()
    if region is None:
        raise DomainError(
            RegionsError.UNKNOWN_REGION, f"镇乡街道代码“{code}”不存在", field="township", status=422
        )
    return region


def class_types_for_age(age_months: int, on_date: dt.date) -> list[str]:
    """Class types admitting a child of `age_months` under the standard in force on the
    day (§9.1, P-STD-1: min inclusive, max exclusive; none under the minimum age)."""
    rules = policy.at(on_date)
    if age_months < rules.standards.min_age_months:
        return []
    return rules.classes.for_age(age_months)


def public_institutions(
    *,
    q: str | None = None,
    township: str | None = None,
    affordable: bool | None = None,
    age_months: int | None = None,
    on_date=None,
) -> QuerySet[Institution]:
    """Filed institutions matching the public search, by name, each annotated with
    `affordable` (today) and with `public_classes` (its filed classes, in standard order,
    prefetched in one query per page).

    `q`: every whitespace-separated word contained in the name or the address (on the
    search index, `tuoyu.institutions.search`), or the exact USCC; `township`: a township
    code of the district (`unknown_region`, 422, otherwise); `affordable`: designated 普惠
    on the day or not (from the stored designation days, `tuoyu.institutions.summary`);
    `age_months`: has a filed class whose type admits that age."""
    day = policy.as_date(on_date)
    qs = (
        Institution.objects.filter(public_filter())
        .select_related("township")
        .only(*PUBLIC_FIELDS)
        .annotate(affordable=summary.affordable_on_day(day))
    )
    text = (q or "").strip()
    if text:
        match = search.text_match(text)
        if USCC_LIKE.match(text):  # only what can be a USCC: an OR keeps an index from use
            match |= Q(uscc=text.upper())
        qs = qs.filter(match)
        qs.query.tuoyu_searched = True  # the page counts in its ids query (Query.clone keeps it)
    if township:
        qs = qs.filter(township=public_township(township))
    if affordable is not None:
        qs = qs.filter(affordable=affordable)
    if age_months is not None:
        types = class_types_for_age(age_months, day)
        qs = qs.filter(
            Exists(
                CareClass.objects.filter(
                    institution_id=OuterRef("pk"),
                    status=CareClass.Status.FILED,
                    class_type__in=types,
                )
            )
        )
    classes = CareClass.objects.filter(status=CareClass.Status.FILED).only(
        "id", "institution_id", "class_type", "capacity", "name"
    )
    return qs.prefetch_related(
        Prefetch("classes", queryset=classes.order_by("name"), to_attr="public_classes")
    ).order_by("name", "pk")


# Plain slotted records, not frozen: a frozen dataclass sets each field through
# object.__setattr__, four times the cost of a plain one, and a public page builds twenty
# institutions and their classes per request ([scale] #10; nothing mutates them).
@dataclass(slots=True)
class PublicClass:
    class_type: str
    class_type_label: str
    capacity: int
    vacancies: int


@dataclass(slots=True)
class PublicInstitution:
    id: int
    name: str
    uscc: str
    township: dict
    address: str
    affordable: bool
    filing_number: str
    filed_on: dt.date
    classes: list[PublicClass]
    monthly_fee_yuan: int | None
    credit_rating: str | None
    last_inspection: dict | None
    opening_hours: str = ""

    @property
    def slots(self) -> int:
        return sum(c.capacity for c in self.classes)

    @property
    def vacancies(self) -> int:
        return sum(c.vacancies for c in self.classes)


@dataclass(frozen=True)
class PublicPage:
    count: int
    page: int
    page_size: int
    results: list[PublicInstitution]

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def public_institutions_page(
    qs: QuerySet[Institution], page: int = 1, *, page_size: int = PAGE_SIZE
) -> PublicPage:
    """One page of `public_institutions` as public records: the page's ids (with a text
    search, all matching ids at once, which give the count: the search runs once; without,
    a count and the page's ids, both on the covering index), the page's rows, their
    classes; more queries never come with more rows, and a deep page costs what the first
    does (the ids come from the covering index `institution_public_name`; the rows, their
    annotations and classes are read for the page only). A page past the end is empty."""
    if page < 1 or page > MAX_PAGE:
        raise DomainError(
            InstitutionsError.PAGE_OUT_OF_RANGE,
            f"页码应为 1 至 {MAX_PAGE} 的整数",
            field="page",
            status=422,
        )
    start = (page - 1) * page_size
    if getattr(qs.query, "tuoyu_searched", False):
        # A text search: the matching ids, in order, read once for the count and the page
        # alike (one search, not two). No LIMIT on purpose: with one, PostgreSQL walks the
        # name index testing every row's tokens instead of asking the search index.
        matching = list(qs.values_list("pk", flat=True))
        count = len(matching)
        ids = matching[start : start + page_size]
    else:
        # No text: counting walks the covering index alone, and so does the OFFSET of the
        # ids (a window count would read and sort every row for every page).
        count = qs.count()
        ids = (
            list(qs.values_list("pk", flat=True)[start : start + page_size])
            if start < count
            else []
        )
    order = {pk: i for i, pk in enumerate(ids)}
    # By primary key, unordered (sorted here): ordered by name the database would walk the
    # name index from the start to find a deep page's ids.
    page_rows = qs.filter(pk__in=ids).order_by()
    rows = sorted(page_rows, key=lambda row: order[row.pk]) if ids else []
    class_ids = [c.id for row in rows for c in row.public_classes]
    enrolled = public_facts.enrolled_by_class(class_ids)
    extra = public_facts.institution_facts([row.id for row in rows])
    labels = dict(CareClass.ClassType.choices)
    results = []
    for row in rows:
        classes = sorted(row.public_classes, key=lambda c: (CLASS_ORDER[c.class_type], c.name))
        info = extra.get(row.id, {})
        results.append(
            PublicInstitution(
                id=row.id,
                name=row.name,
                uscc=row.uscc,
                township={"code": row.township.code, "name": row.township.name},
                address=row.address,
                affordable=bool(row.affordable),
                filing_number=row.filing_number,
                filed_on=row.filed_on,
                classes=[
                    PublicClass(
                        class_type=c.class_type,
                        class_type_label=str(labels.get(c.class_type, c.class_type)),
                        capacity=c.capacity,
                        vacancies=max(c.capacity - enrolled.get(c.id, 0), 0),
                    )
                    for c in classes
                ],
                monthly_fee_yuan=row.monthly_fee_yuan,
                credit_rating=info.get("credit_rating"),
                last_inspection=info.get("last_inspection"),
                opening_hours=row.opening_hours,
            )
        )
    return PublicPage(count=count, page=page, page_size=page_size, results=results)

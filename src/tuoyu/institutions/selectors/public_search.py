"""The public search's page in one statement ([scale] #10 point 5 and the done-when "within
3× of the raw indexed query"): what `public_institutions` + `public_institutions_page` answer
(same rows, same order, same count, same facts), written out as SQL.

Why by hand: on a province the search itself is about a millisecond, and the ORM spent ten
times that around it — building the queryset (filters, the 普惠 CASE, the prefetch), compiling
three statements, making a hundred model instances per page. Here one statement answers
the count, the page and the page's filed classes:

- the inner query takes the page's ids in the public order (`ORDER BY name, id`, `LIMIT`/
  `OFFSET` on the covering index `institution_public_name` when there is no other filter)
  with `COUNT(*) OVER ()`, the number of matching rows, from the same search (the search
  index is read once, never a second time for the count);
- the outer query reads the page's columns, the 普惠 flag of the day (the stored designation
  days, `summary.affordable_on_day`) and the filed classes as a JSON array, for those ids
  only.

A page past the end has no row to carry the count: then (only then) a `COUNT(*)` of the same
conditions follows. A township filter first looks its code up (`unknown_region`, 422).
The ORM queryset `public_institutions` stays the definition of the public scope for other
readers; `tests/test_search_equivalence.py` holds both to the same answers.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.utils.translation import get_language

from tuoyu import policy
from tuoyu.core.errors import DomainError
from tuoyu.institutions import public_facts, search
from tuoyu.institutions.catalogue import InstitutionsError
from tuoyu.institutions.models import AffordableDesignation, CareClass, Institution
from tuoyu.institutions.selectors.public import (
    CLASS_ORDER,
    MAX_PAGE,
    PAGE_SIZE,
    USCC_LIKE,
    PublicClass,
    PublicInstitution,
    PublicPage,
    class_types_for_age,
    public_township,
)
from tuoyu.regions.models import Region

INSTITUTION = Institution._meta.db_table
CLASS = CareClass._meta.db_table
DESIGNATION = AffordableDesignation._meta.db_table
REGION = Region._meta.db_table
PUBLIC_ORDER_INDEX = "institution_public_name"  # Institution.Meta.indexes


def _conditions(*, q, township, affordable, age_months, day) -> tuple[list[str], list] | None:
    """WHERE conditions on `i` (the institution) and their parameters; None when nothing can
    match (no searchable word, no class type for the age)."""
    # The public scope as literals (constants of the code, never input): SQLite uses the
    # partial index `institution_public_name` only for a WHERE that states its condition,
    # which a bound parameter does not.
    where = [
        f"i.filing_status = '{Institution.FilingStatus.FILED.value}'",
        f"i.registration_status = '{Institution.RegistrationStatus.REGISTERED.value}'",
    ]
    params: list = []
    text = (q or "").strip()
    if text:
        sql, text_params = search.sql_condition(text, alias="i")
        if USCC_LIKE.match(text):  # only what can be a USCC (an OR keeps an index from use)
            sql, text_params = f"(({sql}) OR i.uscc = %s)", [*text_params, text.upper()]
        elif sql == "FALSE":
            return None
        where.append(sql)
        params += text_params
    if township:
        where.append("i.township_id = %s")
        params.append(public_township(township).pk)
    if affordable is not None:
        flag, flag_params = _affordable_sql(day)
        where.append(flag if affordable else f"NOT ({flag})")
        params += flag_params
    if age_months is not None:
        types = class_types_for_age(age_months, day)
        if not types:
            return None
        marks = ", ".join(["%s"] * len(types))
        where.append(
            f"EXISTS (SELECT 1 FROM {CLASS} c WHERE c.institution_id = i.id "
            f"AND c.status = %s AND c.class_type IN ({marks}))"
        )
        params += [CareClass.Status.FILED.value, *types]
    return where, params


def _affordable_sql(day: dt.date) -> tuple[str, list]:
    """`summary.affordable_on_day` (P-MODE-2): inside the latest designation's stored days,
    or — when that designation starts after the day — an earlier designation on the day."""
    d = connection.ops.adapt_datefield_value(day)
    # CASE: true or false, never null (no designation: not affordable; NOT of a null would
    # drop the row from `affordable=false`). The earlier designation is a counted scalar
    # subquery, not EXISTS: PostgreSQL turns an EXISTS into a hash of every designation of
    # the province, built for each statement, where this branch concerns the few rows whose
    # latest designation is still to start.
    return (
        "(CASE WHEN (i.affordable_from <= %s "
        "AND (i.affordable_until IS NULL OR i.affordable_until >= %s))"
        f" OR (i.affordable_from > %s AND (SELECT COUNT(*) FROM {DESIGNATION} d "
        "WHERE d.institution_id = i.id AND d.starts_on <= %s "
        "AND (d.ends_on IS NULL OR d.ends_on >= %s)) > 0) THEN TRUE ELSE FALSE END)"
    ), [d, d, d, d, d]


def _classes_sql() -> str:
    """The row's filed classes as one JSON array of [id, class_type, capacity, name]."""
    columns = "c.id, c.class_type, c.capacity, c.name"
    inner = f"FROM {CLASS} c WHERE c.institution_id = i.id AND c.status = %s"
    if connection.vendor == "postgresql":
        return f"(SELECT json_agg(json_build_array({columns})) {inner})"
    return f"(SELECT json_group_array(json_array({columns})) {inner})"


def _source(*, ordered_index: bool) -> str:
    """The institution table as the inner query and the count read it. `ordered_index`
    (no text search, no township): on SQLite through the covering index of the public order
    by name (`INDEXED BY`): the approximate statistics of `db_optimize` (`analysis_limit`)
    count ≈ 500 rows per filing status, so the planner would take the filing-status index
    and sort every filed row for each page; PostgreSQL's statistics choose it unaided."""
    if ordered_index and connection.vendor == "sqlite":
        return f"{INSTITUTION} i INDEXED BY {PUBLIC_ORDER_INDEX}"
    return f"{INSTITUTION} i"


def page_statement(
    conditions: tuple[list[str], list],
    day: dt.date,
    start: int,
    size: int,
    *,
    counted: bool,
    ordered_index: bool = False,
):
    """The statement of a page: (sql, params). `counted`: it also counts the matching rows
    (`COUNT(*) OVER ()`, read with the page; else `p.total` is null)."""
    where, params = conditions
    flag, flag_params = _affordable_sql(day)
    total = "COUNT(*) OVER ()" if counted else "NULL"
    sql = (
        "SELECT i.id, i.name, i.uscc, i.address, t.code, t.name, i.filing_number, i.filed_on, "
        f"i.monthly_fee_yuan, i.opening_hours, {flag}, p.total, {_classes_sql()} "
        f"FROM (SELECT i.id AS id, {total} AS total FROM {_source(ordered_index=ordered_index)} "
        f"WHERE {' AND '.join(where)} ORDER BY i.name, i.id LIMIT %s OFFSET %s) p "
        f"JOIN {INSTITUTION} i ON i.id = p.id JOIN {REGION} t ON t.id = i.township_id "
        "ORDER BY i.name, i.id"
    )
    return sql, [*flag_params, CareClass.Status.FILED.value, *params, size, start]


_LABELS: dict[str | None, dict[str, str]] = {}


def _class_type_labels() -> dict[str, str]:
    """The class types' names in the active language (translated once per language, not
    once per request)."""
    language = get_language()
    labels = _LABELS.get(language)
    if labels is None:
        labels = _LABELS[language] = {v: str(label) for v, label in CareClass.ClassType.choices}
    return labels


def _classes(value) -> list:
    """The row's filed classes ([id, class_type, capacity, name] each) in the public order."""
    rows = json.loads(value) if isinstance(value, str) else (value or [])
    return sorted((r for r in rows if r), key=lambda r: (CLASS_ORDER[r[1]], r[3]))


def _build(rows: list, labels: dict) -> list[PublicInstitution]:
    """The page's rows as public records, with the facts of the registered providers
    (`public_facts`: vacancies from the enrolment counters, the supervision facts; one
    query each per page, none while no provider is registered). Each record is built once,
    with its facts ([scale] #10: copying frozen records to add them cost a tenth of the
    request)."""
    classes = [_classes(r[12]) for r in rows]
    enrolled = public_facts.enrolled_by_class([c[0] for cs in classes for c in cs])
    extra = public_facts.institution_facts([r[0] for r in rows])
    return [
        _record(r, cs, labels, enrolled, extra.get(r[0], {}))
        for r, cs in zip(rows, classes, strict=True)
    ]


def public_page(
    *,
    q: str | None = None,
    township: str | None = None,
    affordable: bool | None = None,
    age_months: int | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    on_date=None,
) -> PublicPage:
    """One page of the public search (the filters of `public_institutions`), its count, its
    rows with their classes and public facts: one statement (two with a township, whose code
    is looked up; one more past the last page, for the count)."""
    if page < 1 or page > MAX_PAGE:
        raise DomainError(
            InstitutionsError.PAGE_OUT_OF_RANGE,
            f"页码应为 1 至 {MAX_PAGE} 的整数",
            field="page",
            status=422,
        )
    day = policy.as_date(on_date)
    conditions = _conditions(
        q=q, township=township, affordable=affordable, age_months=age_months, day=day
    )
    if conditions is None:
        return PublicPage(count=0, page=page, page_size=page_size, results=[])
    start = (page - 1) * page_size
    # A text search counts its matches with the page (one search); without one, the count
    # and the page's ids each walk the covering index alone: a window over every row
    # would read and sort all of them for every page.
    counted = bool((q or "").strip())
    ordered_index = not counted and not township
    where, params = conditions
    count_sql = (
        f"SELECT COUNT(*) FROM {_source(ordered_index=ordered_index)} WHERE {' AND '.join(where)}"
    )
    with connection.cursor() as cursor:
        if not counted:
            cursor.execute(count_sql, params)
            count = cursor.fetchone()[0]
        if counted or start < count:
            statement = page_statement(
                conditions, day, start, page_size, counted=counted, ordered_index=ordered_index
            )
            cursor.execute(*statement)
            rows = cursor.fetchall()
        else:
            rows = []
        if counted and rows:
            count = rows[0][11]
        elif counted and page == 1:
            count = 0
        elif counted:  # past the last page: no row carries the count
            cursor.execute(count_sql, params)
            count = cursor.fetchone()[0]
    labels = _class_type_labels()
    return PublicPage(count=count, page=page, page_size=page_size, results=_build(rows, labels))


def _record(r, classes: list, labels: dict, enrolled: dict, info: dict) -> PublicInstitution:
    """A row of the page statement as the public record."""
    filed_on = dt.date.fromisoformat(r[7]) if isinstance(r[7], str) else r[7]  # SQLite
    return PublicInstitution(
        id=r[0],
        name=r[1],
        uscc=r[2],
        township={"code": r[4], "name": r[5]},
        address=r[3],
        affordable=bool(r[10]),
        filing_number=r[6],
        filed_on=filed_on,
        classes=[
            PublicClass(
                class_type=c[1],
                class_type_label=labels.get(c[1], c[1]),
                capacity=c[2],
                vacancies=max(c[2] - enrolled.get(c[0], 0), 0),
            )
            for c in classes
        ],
        monthly_fee_yuan=r[8],
        credit_rating=info.get("credit_rating"),
        last_inspection=info.get("last_inspection"),
        opening_hours=r[9],
    )

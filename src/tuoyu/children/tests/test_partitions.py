"""[children] #12: a province year of daily checks in monthly range partitions (PostgreSQL;
SQLite keeps one plain table) with the contract of API-CONTRACT §3 unchanged (P-HC-3): the
key is (institution, record_id, date), and a record id reused on another date is still
`record_id_conflict`, a retry still duplicates only. The racing batches are in
test_partitions_concurrency.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests.factories import ChildFactory, HealthCheckFactory
from tests.jobrun import run_job
from tuoyu.children.models import HealthCheck
from tuoyu.children.services.health_checks import (
    DEFAULT_PARTITION,
    TABLE,
    attached_months,
    forget_known_partitions,
    health_checks_receive,
    healthcheck_partitions_ensure,
    partition_name,
)

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's (SQLite: one table)"
)

NOV_30 = dt.date(2026, 11, 30)
DEC_01 = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _fresh_partition_cache():
    # The per-process set of known months may name a partition a test drops (in its own,
    # rolled-back transaction): every test starts from the catalogue.
    forget_known_partitions()
    yield
    forget_known_partitions()


@pytest.fixture
def kids(large_class):
    return [ChildFactory(care_class=large_class, enrolled_on=dt.date(2026, 9, 1)) for _ in range(3)]


def rec(child, rid, day=DEC_01, **over):
    return {
        "record_id": rid,
        "child_id": child.pk,
        "date": day.isoformat(),
        "session": "morning",
        "attendance": "present",
        "temperature_c": 36.6,
        "symptoms": [],
        "action": "none",
        **over,
    }


def receive(user, nursery, records):
    return health_checks_receive(acting_user=user, institution=nursery, records=records)


def sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else None


def drop_partition(month: dt.date) -> None:
    sql(f"DROP TABLE IF EXISTS {partition_name(month)}")


def where_stored() -> dict[str, str]:
    return dict(sql(f"SELECT record_id, tableoid::regclass::text FROM {TABLE}"))


@postgresql_only
def test_the_table_is_range_partitioned_by_date_with_monthly_partitions_and_a_default():
    (strategy,) = sql(
        "SELECT p.partstrat FROM pg_partitioned_table p WHERE p.partrelid = %s::regclass",
        [TABLE],
    )[0]
    assert strategy == "r"
    children = {
        r[0]
        for r in sql(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
    }
    assert DEFAULT_PARTITION in children
    assert any(name.startswith(f"{TABLE}_p") for name in children)
    # The key holds the partition key; the primary key is (id, date) in the DDL.
    definitions = dict(
        sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
            [TABLE],
        )
    )
    assert definitions["healthcheck_unique_record"] == "UNIQUE (institution_id, record_id, date)"
    assert definitions[f"{TABLE}_pkey"] == "PRIMARY KEY (id, date)"


@postgresql_only
def test_a_batch_over_two_months_lands_in_two_partitions_created_when_missing(
    on_2026_12_01, nursery, nursery_user, kids
):
    drop_partition(dt.date(2026, 11, 1))
    assert dt.date(2026, 11, 1) not in attached_months()
    result = receive(nursery_user, nursery, [rec(kids[0], "nov", NOV_30), rec(kids[1], "dec")])
    assert result.accepted == 2 and not result.rejected
    assert dt.date(2026, 11, 1) in attached_months()
    assert where_stored() == {"nov": f"{TABLE}_p2026_11", "dec": f"{TABLE}_p2026_12"}


@postgresql_only
def test_rows_of_a_month_without_partition_wait_in_the_default_one_until_it_is_made(
    on_2026_12_01, nursery, nursery_user, kids
):
    """A write outside the service (a factory, the seed) into a month with no partition is
    not refused: it lands in the DEFAULT partition, and the month's creation moves it."""
    drop_partition(dt.date(2026, 10, 1))
    HealthCheckFactory(child=kids[0], record_id="oct", date=dt.date(2026, 10, 15))
    assert where_stored() == {"oct": DEFAULT_PARTITION}
    result = receive(nursery_user, nursery, [rec(kids[1], "oct-2", dt.date(2026, 10, 16))])
    assert result.accepted == 1
    assert where_stored() == {"oct": f"{TABLE}_p2026_10", "oct-2": f"{TABLE}_p2026_10"}
    assert sql(f"SELECT count(*) FROM {DEFAULT_PARTITION}") == [(0,)]


@postgresql_only
def test_the_daily_job_creates_next_months_partition_and_empties_the_default(nursery, kids):
    january = dt.date(2027, 1, 1)
    drop_partition(january)
    drop_partition(dt.date(2026, 9, 1))
    HealthCheckFactory(child=kids[0], record_id="sep", date=dt.date(2026, 9, 30))
    run = run_job("children.healthcheck_partitions", dt.date(2026, 12, 20))
    assert january in attached_months()
    assert "2027-01" in run.results["months"] and "2026-09" in run.results["months"]
    assert run.counts["left_in_default"] == 0
    assert where_stored() == {"sep": f"{TABLE}_p2026_09"}
    again = run_job("children.healthcheck_partitions", dt.date(2026, 12, 21))
    assert again.counts["created"] == 0  # rerun-safe


def test_the_daily_job_has_nothing_to_do_on_sqlite_or_an_up_to_date_database():
    run_job("children.healthcheck_partitions", dt.date(2026, 12, 20))
    run = run_job("children.healthcheck_partitions", dt.date(2026, 12, 20))
    assert run.counts == {"created": 0, "left_in_default": 0}


def test_a_retry_over_two_months_stores_each_record_once(
    on_2026_12_01, nursery, nursery_user, kids
):
    batch = [rec(kids[0], "a", NOV_30), rec(kids[1], "b"), rec(kids[2], "c", NOV_30)]
    first = receive(nursery_user, nursery, batch)
    again = receive(nursery_user, nursery, batch)
    assert (first.accepted, first.duplicates) == (3, 0)
    assert (again.accepted, again.duplicates, again.rejected) == (0, 3, [])
    assert HealthCheck.objects.count() == 3


def test_a_record_id_reused_on_another_date_is_record_id_conflict(
    on_2026_12_01, nursery, nursery_user, kids
):
    """P-HC-3 / API-CONTRACT §3: a record id names one record of the institution, whatever
    its date; the unique key (with the date) cannot see this, the service's look-up does."""
    receive(nursery_user, nursery, [rec(kids[0], "x1", NOV_30)])
    result = receive(nursery_user, nursery, [rec(kids[0], "x1", DEC_01), rec(kids[1], "x2")])
    assert result.accepted == 1
    assert [(r["index"], [e["code"] for e in r["errors"]]) for r in result.rejected] == [
        (0, ["record_id_conflict"])
    ]
    assert list(HealthCheck.objects.filter(record_id="x1").values_list("date", flat=True)) == [
        NOV_30
    ]


def test_another_institutions_record_id_on_another_date_is_no_conflict(
    on_2026_12_01, make_filed, make_user, nursery, nursery_user, kids
):
    other = make_filed(classes=(("toddler_large", 5),))
    other_user = make_user("other", institution=other)
    child = ChildFactory(care_class=other.classes.get(), enrolled_on=dt.date(2026, 9, 1))
    receive(nursery_user, nursery, [rec(kids[0], "same", NOV_30)])
    result = receive(other_user, other, [rec(child, "same", DEC_01)])
    assert result.accepted == 1 and not result.rejected


def test_a_normal_batch_asks_the_catalogue_nothing(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    """The months known to this process (filled on commit) cost no query."""
    months = [DEC_01, NOV_30]
    with django_capture_on_commit_callbacks(execute=True):
        healthcheck_partitions_ensure(months=months)
    with django_assert_num_queries(0):
        assert healthcheck_partitions_ensure(months=months) == []

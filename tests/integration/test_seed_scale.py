"""[scale] point 1 and 4: a multi-district seed has every state in EVERY district (not only
the platform's own), deterministic; `Scale` declares only what generators make; the seed
and `tuoyu db_optimize` leave the planner statistics fresh."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from tuoyu.core import seeding
from tuoyu.core.db import refresh_statistics, refresh_statistics_after_large_write
from tuoyu.filings.models import FilingApplication, SubjectReview
from tuoyu.institutions.models import AffordableDesignation, ChainAgreement, Institution
from tuoyu.regions.models import Region

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)


class _Rollback(Exception):
    pass


def _states_by_district() -> dict[str, set[str]]:
    """The states each district's institutions are in, as the issue names them."""
    out: dict[str, set[str]] = defaultdict(set)
    from tuoyu import policy

    deadline = policy.at(TODAY).filing.registration_to_filing_deadline_days  # P-REG-12
    for inst in Institution.objects.select_related("township"):
        d = inst.township.code[:6]
        if inst.registration_status == "deregistered":
            out[d].add("deregistered")
        elif inst.filing_status == "cancelled":
            out[d].add("cancelled")
        elif inst.filing_status == "filed":
            out[d].add("filed")
        elif inst.filing_status == "not_filed":
            out[d].add("registered_not_filed")
            if (TODAY - inst.registered_at.date()).days > deadline:
                out[d].add("overdue")
    for app in FilingApplication.objects.select_related("institution__township"):
        d = app.institution.township.code[:6]
        pending = app.reviews.filter(status="pending").exists()
        if app.kind == "initial" and app.status == "in_review" and pending:
            out[d].add("in_review_pending")
        if app.kind == "initial" and app.status == "returned":
            out[d].add("returned")
        if app.kind == "change" and app.status == "approved":
            out[d].add("changed")
    for des in AffordableDesignation.objects.select_related("institution__township"):
        out[des.institution.township.code[:6]].add("affordable")
    for agreement in ChainAgreement.objects.select_related("head__township"):
        if agreement.branches.exists():
            out[agreement.head.township.code[:6]].add("chain_with_branches")
    return out


EVERY_STATE = {
    "registered_not_filed",
    "overdue",
    "in_review_pending",
    "returned",
    "filed",
    "changed",
    "cancelled",
    "deregistered",
    "affordable",
    "chain_with_branches",
}


def _run(seed: int) -> dict:
    return seeding.run(
        scale="test",
        seed=seed,
        district_code=settings.TUOYU_DISTRICT_CODE,
        today=TODAY,
        quiet=True,
    ).shared["report"]


def _snapshot():
    return (
        sorted(
            Institution.objects.values_list(
                "uscc", "name", "township__code", "filing_status", "filing_number"
            )
        ),
        sorted(
            FilingApplication.objects.values_list("institution__uscc", "kind", "status", "round")
        ),
        sorted(SubjectReview.objects.values_list("institution__uscc", "subject", "status")),
        sorted(AffordableDesignation.objects.values_list("institution__uscc", "decision_ref")),
    )


def test_every_district_has_every_state_at_multi_district_scale():
    """The issue's example: only the platform's own district got designations, chains,
    cancellations and deregistrations. At the (small, multi-district) test scale every
    district of the region — none of them the platform's 330703 — has every state."""
    report = _run(1)
    districts = set(
        Region.objects.filter(level="district", code__startswith="3309").values_list(
            "code", flat=True
        )
    )
    assert len(districts) >= 4
    assert settings.TUOYU_DISTRICT_CODE not in districts
    states = _states_by_district()
    for code in sorted(districts):
        assert states[code] >= EVERY_STATE, (code, EVERY_STATE - states[code])
    # Filing numbers are those of each institution's own district's platform.
    for number, code in Institution.objects.exclude(filing_number=None).values_list(
        "filing_number", "township__code"
    ):
        assert number.startswith(f"TY{code[:6]}-")
    # The run reports what it wrote, how fast, and its peak memory.
    assert report["rows"] > 0 and report["rows_per_second"] > 0 and report["peak_rss_mib"] > 0
    assert report["tables"]["institutions_institution"] == 100


def test_multi_district_seed_is_deterministic():
    snapshots = []
    for seed in (3, 3):
        try:
            with transaction.atomic():
                _run(seed)
                snapshots.append(_snapshot())
                raise _Rollback
        except _Rollback:
            pass
    assert snapshots[0] == snapshots[1]
    assert snapshots[0][0]


def test_scale_declares_only_what_generators_make():
    """`Scale` declared 200,000 children and 100,000 staff that no generator made."""
    for scale in seeding.SCALES.values():
        assert not hasattr(scale, "children") and not hasattr(scale, "staff")


def test_stream_writes_in_chunks_from_a_generator():
    from tuoyu.accounts.models import User

    ctx = seeding.SeedContext(
        scale=seeding.SCALES["district"], seed=1, district_code="330703", today=TODAY
    )
    made = []

    def rows():
        for n in range(7):
            made.append(n)
            yield User(username=f"stream{n}", password="!")

    assert ctx.stream(User, rows(), chunk=3) == 7
    assert ctx.streamed["accounts.user"] == 7
    assert User.objects.filter(username__startswith="stream").count() == 7


def _has_statistics() -> bool:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL "
                "FROM pg_stat_user_tables WHERE relname = 'institutions_institution'"
            )
            row = cur.fetchone()
            return bool(row and row[0])
        cur.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cur.fetchone():
            return False
        cur.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'institutions_institution'")
        return cur.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_db_optimize_command_refreshes_statistics(make_institution):
    """[scale] point 4: `tuoyu db_optimize` — ANALYZE on PostgreSQL; on SQLite ANALYZE of the
    tables never analysed, then PRAGMA optimize."""
    make_institution()
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cur.fetchone():
                cur.execute("DELETE FROM sqlite_stat1")
    out = io.StringIO()
    call_command("db_optimize", stdout=out)
    assert "统计信息已刷新" in out.getvalue()
    assert _has_statistics()
    again = refresh_statistics()  # nothing is left unanalysed
    assert again["vendor"] == connection.vendor
    if connection.vendor == "sqlite":
        assert "institutions_institution" not in again["analysed"]


def test_large_write_refreshes_statistics_on_commit_only(
    monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr("tuoyu.core.db.refresh_statistics", lambda **kw: calls.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh_statistics_after_large_write(10) is False
        assert refresh_statistics_after_large_write(5_000) is True
        assert calls == []  # not inside the transaction
    assert len(calls) == 1


def test_statistics_job_is_declared_daily():
    from tuoyu.core.jobs import get_job

    spec = get_job("core.db_optimize")
    assert spec is not None and spec.schedule == "daily"

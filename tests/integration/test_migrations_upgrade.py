"""Upgrades ([operations] point 5): a database made by the previous release's migrations
(tests/integration/data/previous_release.json), with demo-like data in it, migrates
forward to this code's migrations keeping every row and value; and every migration added
since that release is checked for backward-incompatible operations
(django-migration-linter), so that the previous release keeps running on the new schema
during a rolling upgrade."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.integration.ops_support import env_for, other_database

pytestmark = pytest.mark.django_db(transaction=True)

PREVIOUS = Path(__file__).parent / "data" / "previous_release.json"

# Migrate to the previous release, fill it through the historical models (the models of
# that release), migrate forward, report counts and values.
SCRIPT = textwrap.dedent(
    """
    import datetime as dt, json, sys
    import django
    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    prev = json.load(open(sys.argv[1]))["leaves"]
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    # Our apps at the previous release (apps born since: not yet); Django's and the
    # libraries' apps at their leaves (their versions are locked).
    from django.apps import apps
    ours = {c.label for c in apps.get_app_configs() if c.name.startswith("tuoyu.")}
    others = [n for n in graph.leaf_nodes() if n[0] not in ours]
    targets = [(a, n) for a, n in prev.items()] + others
    executor.migrate(targets)
    old = executor.loader.project_state(targets).apps
    Region = old.get_model("regions", "Region")
    Department = old.get_model("accounts", "Department")
    User = old.get_model("accounts", "User")
    Institution = old.get_model("institutions", "Institution")
    Filing = old.get_model("filings", "FilingApplication")
    district = Region.objects.create(code="330703", name="金东区", level="district")
    towns = [Region.objects.create(code=f"33070300{i}", name=f"镇{i}", level="township",
                                   parent=district) for i in range(1, 4)]
    health = Department.objects.create(code="health", name="区卫生健康局")
    User.objects.create(username="weijian", password="!", display_name="卫健局张三",
                        scope_kind="department", department=health)
    now = timezone.now()
    for i in range(12):
        inst = Institution.objects.create(
            uscc=f"91330703MA2{i:07d}", name=f"演示托育园{i}", legal_form="company",
            for_profit=True, registration_authority="market_regulation", registered_at=now,
            township=towns[i % 3])
        User.objects.create(username=f"inst{i}", password="!", scope_kind="institution",
                            institution=inst, display_name=f"园长{i}")
        if i % 2:
            Filing.objects.create(institution=inst, kind="initial")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    executor = MigrationExecutor(connection)  # a fresh look at what is applied
    left = executor.migration_plan(executor.loader.graph.leaf_nodes())
    from tuoyu.accounts.models import User as NewUser
    from tuoyu.filings.models import FilingApplication
    from tuoyu.institutions.models import Institution as NewInstitution
    print(json.dumps({
        "left": len(left),
        "institutions": NewInstitution.objects.count(),
        "users": NewUser.objects.count(),
        "filings": FilingApplication.objects.count(),
        "names": sorted(NewInstitution.objects.values_list("name", flat=True))[:3],
        "weijian": NewUser.objects.get(username="weijian").display_name,
        "township_of_7": NewInstitution.objects.get(name="演示托育园7").township.code,
        "filing_kinds": sorted(set(FilingApplication.objects.values_list("kind", flat=True))),
    }, ensure_ascii=False))
    """
)


def test_previous_release_database_migrates_forward_keeping_rows_and_values(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "upgrade.py"
    script.write_text(SCRIPT)
    with other_database(tmp_path) as (url, _):
        done = subprocess.run(
            [sys.executable, str(script), str(PREVIOUS)],
            env=env_for(url, tmp_path / "var"),
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {
        "left": 0,
        "institutions": 12,
        "users": 13,
        "filings": 6,
        "names": ["演示托育园0", "演示托育园1", "演示托育园10"],
        "weijian": "卫健局张三",
        "township_of_7": "330703002",
        "filing_kinds": ["initial"],
    }


def test_previous_release_file_names_migrations_that_exist():
    """The recorded release must still be reachable: its migrations are never deleted."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    recorded = json.loads(PREVIOUS.read_text())["migrations"]
    for app, names in recorded.items():
        for name in names:
            assert (app, name) in loader.disk_migrations, f"{app}.{name}"


def test_new_migrations_are_backward_compatible(capsys):
    """django-migration-linter over every migration added since the previous release:
    no dropped or renamed column or table, no NOT NULL column without a default… (those
    break the previous release still serving during the upgrade). A migration that must do
    so says why with `django_migration_linter.IgnoreMigration()` among its operations."""
    from django_migration_linter import MigrationLinter

    recorded = json.loads(PREVIOUS.read_text())["migrations"]
    known = {(app, name) for app, names in recorded.items() for name in names}
    # An app's initial migration creates its own new tables: nothing the previous release
    # reads changes (the linter would take their NOT NULL columns for added ones).
    linter = MigrationLinter(
        no_cache=True, database=connection.alias, ignore_initial_migrations=True
    )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    new = sorted(
        key
        for key, migration in loader.disk_migrations.items()
        if migration.__module__.startswith("tuoyu.") and key not in known
    )
    for key in new:
        linter.lint_migration(loader.disk_migrations[key])
    report = capsys.readouterr().out
    assert not linter.has_errors, report
    assert linter.nb_total == len(new), "every new migration was linted"

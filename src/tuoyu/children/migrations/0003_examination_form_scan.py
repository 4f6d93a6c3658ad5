"""[children] #12, P-HC-1: the entry examination can be the scanned examination form
(入托体检表): a blank file field on `children_examination`.

The migration linter reports "NOT NULL constraint on columns" (the column is NOT NULL with
the empty string for the existing rows; Django drops the temporary default again). That
concerns a table the previous release does not have — the children app is not in it
(tests/integration/data/previous_release.json), so nothing still serving during an upgrade
inserts examinations without the column: hence `IgnoreMigration`, as for 0002.
"""

from django.db import migrations, models

import tuoyu.core.filenames

try:  # a test dependency (tests/integration/test_migrations_upgrade.py), not a runtime one
    from django_migration_linter import IgnoreMigration

    LINTER_IGNORE = [IgnoreMigration()]
except ImportError:
    LINTER_IGNORE = []


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0002_healthcheck_monthly_partitions"),
    ]

    operations = [
        migrations.AddField(
            model_name="examination",
            name="form_scan",
            field=models.FileField(
                blank=True,
                upload_to=tuoyu.core.filenames.RandomName("children/examinations/%Y/%m/"),
                verbose_name="体检表扫描件",
            ),
        ),
        *LINTER_IGNORE,
    ]

"""Issue #7 point 4 (P-MODE-2): a designation whose filing was cancelled before it started
ends the day before its start (an empty period, no affordable day); only a withdrawn row may
end before it starts."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0006_filed_standards"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="affordabledesignation",
            name="affordable_end_after_start",
        ),
        migrations.AddConstraint(
            model_name="affordabledesignation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("ends_on__isnull", True),
                    ("ends_on__gte", models.F("starts_on")),
                    ("withdrawn_at__isnull", False),
                    _connector="OR",
                ),
                name="affordable_end_after_start",
            ),
        ),
    ]

"""[hardening] points 3 and 16: attempts recorded before their check, per-address blocks,
completed logins, and the lock rows that serialise parallel attempts."""

from django.db import migrations, models
from django.db.models import F


def forwards(apps, schema_editor):
    LoginAttempt = apps.get_model("accounts", "LoginAttempt")
    # Before: every successful attempt was a completed login; the block was the address.
    LoginAttempt.objects.filter(succeeded=True).update(signed_in=True)
    LoginAttempt.objects.update(ip_block=F("ip"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="loginattempt",
            name="ip_block",
            field=models.CharField(blank=True, default="", max_length=45),
        ),
        migrations.AddField(
            model_name="loginattempt",
            name="factor",
            field=models.CharField(
                choices=[("password", "密码"), ("otp", "动态验证码")],
                default="password",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="loginattempt",
            name="signed_in",
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name="loginattempt",
            index=models.Index(fields=["ip_block", "at"], name="accounts_lo_ip_bloc_263617_idx"),
        ),
        migrations.CreateModel(
            name="LoginThrottle",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=200, unique=True)),
                ("locked_until", models.DateTimeField(blank=True, null=True)),
                ("refused", models.PositiveIntegerField(default=0)),
                ("refused_last_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]

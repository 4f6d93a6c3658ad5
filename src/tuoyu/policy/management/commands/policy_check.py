"""Validate a policy data directory (a district's copy) and print what applies when.

tuoyu policy_check                     # the configured directory
tuoyu policy_check /path/to/yaml-dir   # another directory, e.g. before deploying it
tuoyu policy_check --date 2024-01-01   # also list every parameter on that day
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from tuoyu.policy import loader
from tuoyu.policy.labels import label_for
from tuoyu.policy.selectors import format_value


class Command(BaseCommand):
    help = "校验政策数据目录并列出各版本 / validate the policy YAML and list its versions"

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", help="默认为 TUOYU_POLICY_DIR 或内置数据")
        parser.add_argument("--date", help="列出该日（YYYY-MM-DD）生效的全部参数")

    def handle(self, *args, **options):
        directory, day_text = options["directory"], options["date"]
        try:
            book = loader.load(directory)
        except loader.PolicyDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{book.directory}")
        for v in book.versions():
            end = v.effective_to.isoformat() if v.effective_to else "…"
            self.stdout.write(
                f"  {v.id:<12} {v.effective_from.isoformat()} – {end:<10} "
                f"{len(v.params):>3} 项  {v.title}"
            )
        self.stdout.write(f"有效期 / coverage: {book.coverage()}")
        if day_text:
            try:
                day = date.fromisoformat(day_text)
                params = book.parameters_at(day)
            except (ValueError, loader.PolicyDateError) as exc:
                raise CommandError(str(exc)) from exc
            for key, value, meta in params:
                self.stdout.write(
                    f"{key:<55} {format_value(value, str(label_for(key).unit)):<28} {meta.ref:<10} {meta.confidence} "
                    f"{meta.version}"
                )
        self.stdout.write(self.style.SUCCESS("政策数据有效 / policy data valid"))

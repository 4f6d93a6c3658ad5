"""Excel export of the institution directory (the list as filtered on screen).

openpyxl in write-only mode: rows stream from one database cursor into the sheet without
holding the list in memory; the workbook is written to a temporary file that the response
then streams. Each export is an audited event (who exported which filter, how many rows).
"""

from __future__ import annotations

import tempfile
from typing import IO

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from tuoyu.accounts.models import Department
from tuoyu.audit.services import audit_record
from tuoyu.core.excel import safe_row
from tuoyu.institutions.catalogue import InstitutionsAction
from tuoyu.institutions.models import Institution
from tuoyu.institutions.models.institution import InstitutionForm, OperatingMode
from tuoyu.institutions.selectors.directory import (
    DirectoryFilters,
    days_of,
    directory_export_rows,
)
from tuoyu.policy import as_date

SHEET_TITLE = "托育机构名单"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

# (header, width, value from a row dict). Headers are the file format: Chinese whatever the
# interface language, like the import templates.
COLUMNS = (
    ("机构名称", 40, lambda r, L: r["name"]),
    ("统一社会信用代码", 22, lambda r, L: r["uscc"]),
    ("所在镇乡街道", 14, lambda r, L: r["township__name"]),
    ("镇乡街道代码", 12, lambda r, L: r["township__code"]),
    ("法人类型", 14, lambda r, L: L["legal_form"].get(r["legal_form"], r["legal_form"])),
    ("营利性", 8, lambda r, L: "营利性" if r["for_profit"] else "非营利性"),
    (
        "登记机关",
        18,
        lambda r, L: L["authority"].get(r["registration_authority"], r["registration_authority"]),
    ),
    (
        "登记状态",
        12,
        lambda r, L: L["registration"].get(r["registration_status"], r["registration_status"]),
    ),
    ("登记时间", 18, lambda r, L: _local(r["registered_at"])),
    ("登记至今天数", 10, lambda r, L: days_of(r["days_registered"])),
    ("备案状态", 12, lambda r, L: L["filing"].get(r["filing_status"], r["filing_status"])),
    ("备案编号", 22, lambda r, L: r["filing_number"] or ""),
    ("备案日期", 12, lambda r, L: r["filed_on"]),
    ("服务模式", 16, lambda r, L: L["mode"].get(r["operating_mode"], r["operating_mode"])),
    ("机构形态", 10, lambda r, L: L["form"].get(r["institution_form"], r["institution_form"])),
    ("托位数", 8, lambda r, L: r["slots"]),
    ("普惠性", 8, lambda r, L: "是" if r["affordable"] else "否"),
    ("连锁协议编号（分支机构）", 20, lambda r, L: r["chain_agreement__agreement_number"] or ""),
    ("连锁总部", 8, lambda r, L: "是" if r["is_chain_head"] else ""),
    ("月收费（元）", 10, lambda r, L: r["monthly_fee_yuan"]),
    ("地址", 40, lambda r, L: r["address"]),
)
HEADERS = tuple(c[0] for c in COLUMNS)


def _local(value):
    """openpyxl writes naive datetimes: the Asia/Shanghai wall time."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def _labels() -> dict[str, dict[str, str]]:
    def of(choices):
        return {k: str(v) for k, v in choices}

    return {
        "legal_form": of(Institution.LegalForm.choices),
        "registration": of(Institution.RegistrationStatus.choices),
        "filing": of(Institution.FilingStatus.choices),
        "mode": of(OperatingMode.choices),
        "form": of(InstitutionForm.choices),
        "authority": of(Department.RegistrationAuthority.choices),
    }


@transaction.atomic
def directory_export_xlsx(
    *, acting_user, filters: DirectoryFilters | None = None, on_date=None
) -> tuple[IO[bytes], int]:
    """Write the directory (scope and `filters` applied) to a temporary .xlsx file; returns
    the open file (at its start) and the number of data rows. Records the export in the
    audit log (filters, row count) in the same transaction."""
    day = as_date(on_date)
    labels = _labels()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    for i, (_, width, _) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "B2"
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        header.append(cell)
    ws.append(header)
    count = 0
    for row in directory_export_rows(acting_user=acting_user, filters=filters, on_date=day):
        ws.append(safe_row(value(row, labels) for _, _, value in COLUMNS))
        count += 1
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    wb.save(out)
    out.seek(0)
    audit_record(
        action=InstitutionsAction.DIRECTORY_EXPORTED,
        actor=acting_user,
        object_type="institutions.institution",
        object_label=SHEET_TITLE,
        detail={
            "filters": (filters or DirectoryFilters()).as_detail(),
            "rows": count,
            "on_date": day,
        },
    )
    return out, count

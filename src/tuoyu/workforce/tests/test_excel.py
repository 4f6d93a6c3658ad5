"""The Excel roster upload: template, all or nothing, every row error at once, the same
person twice in one file refused (P-WF-1)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.factories import id_number_for
from tuoyu.core.errors import DomainError
from tuoyu.workforce import services
from tuoyu.workforce.excel_roster import DATA_SHEET_TITLE, HEADERS, roster_template
from tuoyu.workforce.models import Certificate, StaffMember

pytestmark = pytest.mark.django_db


def workbook(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET_TITLE
    ws.append(list(HEADERS))
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "roster.xlsx"
    return out


def row(n, **kw):
    values = {
        "name": f"员工{n}",
        "id": id_number_for(n),
        "role": "保育人员",
        "cls": "",
        "hired": "2024-03-01",
        "ft": "专职",
        "phone": "",
        "edu": "大专",
        "kind": "健康合格证",
        "num": f"JK{n}",
        "from": "2024-01-01",
        "until": "2024-12-31",
    }
    values.update(kw)
    return list(values.values())


def test_template_has_the_headers(filed):
    wb = load_workbook(io.BytesIO(roster_template(class_names=["托小一班"])))
    assert [c.value for c in wb[DATA_SHEET_TITLE][1]] == list(HEADERS)


def test_import_writes_all_rows(filed_user, filed):
    cls = filed.classes.first()
    count = services.staff_import(
        acting_user=filed_user,
        institution=filed,
        file=workbook([row(1, cls=cls.name), row(2, role="保健人员", cls="")]),
    )
    assert count == 2
    assert StaffMember.objects.filter(institution=filed).count() == 2
    assert StaffMember.objects.get(name="员工1").care_class == cls
    assert Certificate.objects.count() == 2


def test_every_row_error_at_once_and_nothing_imported(filed_user, filed):
    bad_checksum = id_number_for(3)[:-1] + ("0" if id_number_for(3)[-1] != "0" else "1")
    file = workbook(
        [
            row(1),
            row(2, role="园长助理"),
            row(3, id=bad_checksum),
            row(4, kind="飞行执照"),
            row(5, until="2023-01-01"),
            row(1, name="重复"),
            row(6, hired="明天"),
        ]
    )
    with pytest.raises(DomainError) as exc:
        services.staff_import(acting_user=filed_user, institution=filed, file=file)
    got = [(e.row, str(e.code)) for e in exc.value.errors]
    assert got == [
        (3, "invalid_choice"),
        (4, "id_number_checksum"),
        (5, "unknown_certificate_kind"),
        (6, "certificate_dates"),
        (7, "duplicate_person_in_file"),
        (8, "date_parsing"),
    ]
    assert exc.value.errors[4].field == "身份证号码"
    assert not StaffMember.objects.exists()


def test_already_on_roster_is_a_row_error(filed_user, filed):
    services.staff_import(acting_user=filed_user, institution=filed, file=workbook([row(1)]))
    with pytest.raises(DomainError) as exc:
        services.staff_import(
            acting_user=filed_user, institution=filed, file=workbook([row(2), row(1)])
        )
    assert [(e.row, str(e.code)) for e in exc.value.errors] == [(3, "already_on_roster")]
    assert StaffMember.objects.count() == 1


def test_a_row_with_several_bad_cells_lists_each_once(filed_user, filed):
    """[accounts-ux] #9 point 5: an unreadable cell does not hide the rest of its row (a bad
    岗位 and a bad 身份证号码 in one row are both reported), and the stand-in that replaced
    the unreadable cell adds no second error for it."""
    bad_checksum = id_number_for(3)[:-1] + ("0" if id_number_for(3)[-1] != "0" else "1")
    file = workbook([row(1, role="园长助理", id=bad_checksum, hired="明天")])
    with pytest.raises(DomainError) as exc:
        services.staff_import(acting_user=filed_user, institution=filed, file=file)
    got = sorted((e.row, str(e.code), e.field) for e in exc.value.errors)
    assert got == [
        (2, "date_parsing", "入职日期"),
        (2, "id_number_checksum", "身份证号码"),
        (2, "invalid_choice", "岗位"),
    ]
    assert not StaffMember.objects.exists()

"""Excel upload of registration events (P-REG-11): the template, a good file, every bad
case reported row by row, nothing imported on any error, and the upload page."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tuoyu.core.errors import DomainError
from tuoyu.institutions import excel_registration
from tuoyu.institutions.models import Institution, RegistrationEvent
from tuoyu.institutions.services import registration_import

from .conftest import DONGXIAO, DUOHU, excel_row, new_uscc, xlsx_upload

pytestmark = pytest.mark.django_db


def row(**values) -> list:
    base = {
        "event_id": None,
        "action": "登记",
        "uscc": new_uscc(),
        "name": "金华市金东区导入托育有限公司",
        "legal_form": "企业",
        "for_profit": "营利性",
        "legal_representative": "孙七",
        "address": "金东区多湖街道导入路 5 号",
        "township_code": DUOHU,
        "occurred_at": dt.datetime(2024, 7, 1, 9, 0),
    }
    base.update(values)
    return excel_row(**base)


def import_file(user, rows, **kwargs):
    return registration_import.registration_events_import(
        acting_user=user, file=xlsx_upload(rows, **kwargs)
    )


def problems(exc_info) -> list[tuple]:
    return [(e.row, e.field, e.code) for e in exc_info.value.errors]


# --- template ----------------------------------------------------------------------------


def test_template_has_chinese_headers_townships_and_instructions(client, market_user):
    client.force_login(market_user)
    response = client.get(reverse("institutions:registration_template"))
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["登记信息", "镇乡街道代码", "填写说明"]
    headers = [c.value for c in wb["登记信息"][1]]
    assert headers == list(excel_registration.IMPORT_HEADERS)
    assert headers[:3] == ["事件编号", "事项", "统一社会信用代码"]
    codes = [r for r in wb["镇乡街道代码"].iter_rows(min_row=2, values_only=True)]
    assert codes == [(DUOHU, "多湖街道"), (DONGXIAO, "东孝街道")]
    notes = "\n".join(
        str(c) for r in wb["填写说明"].iter_rows(values_only=True) for c in r if c is not None
    )
    assert "区市场监管局" in notes and "P-REG-10" in notes
    assert str(excel_registration.MAX_IMPORT_ROWS) in notes
    lists = [dv.formula1 for dv in wb["登记信息"].data_validations.dataValidation]
    assert '"登记,变更,注销"' in lists


def test_the_template_filled_in_imports(market_user, client):
    """The downloaded template itself, filled in, is a good upload."""
    client.force_login(market_user)
    wb = load_workbook(BytesIO(client.get(reverse("institutions:registration_template")).content))
    wb["登记信息"].append(row())
    out = BytesIO()
    wb.save(out)
    result = registration_import.registration_events_import(
        acting_user=market_user, file=SimpleUploadedFile("模板.xlsx", out.getvalue())
    )
    assert result.created == 1


# --- a good file -------------------------------------------------------------------------


def test_good_file_receives_every_row_through_the_push(market_user):
    first, second = new_uscc(), new_uscc()
    rows = [
        row(uscc=first, event_id="SAMR-330703-2024-100001"),
        row(uscc=second, township_code=DONGXIAO, occurred_at="2024-07-02 14:30"),
        row(
            action="变更",
            uscc=first,
            name="金华市金东区导入改名托育有限公司",
            legal_form=None,
            for_profit=None,
            township_code=None,
            occurred_at="2024/07/03",
        ),
    ]

    result = import_file(market_user, rows)

    assert (result.rows, result.created, result.replayed) == (3, 3, 0)
    assert result.by_action == {"registered": 2, "changed": 1}
    assert Institution.objects.get(uscc=first).name == "金华市金东区导入改名托育有限公司"
    assert Institution.objects.get(uscc=second).township.code == DONGXIAO
    events = RegistrationEvent.objects.order_by("pk")
    assert {e.channel for e in events} == {RegistrationEvent.Channel.EXCEL}
    assert events[0].event_id == "SAMR-330703-2024-100001"
    assert events[1].event_id.startswith("EXCEL-market_regulation-")
    assert events[1].occurred_at == dt.datetime(2024, 7, 2, 6, 30, tzinfo=dt.UTC)


def test_the_same_file_again_replays(market_user):
    rows = [row(), row()]
    upload = xlsx_upload(rows)
    content = upload.read()
    first = registration_import.registration_events_import(
        acting_user=market_user, file=SimpleUploadedFile("a.xlsx", content)
    )
    again = registration_import.registration_events_import(
        acting_user=market_user, file=SimpleUploadedFile("a.xlsx", content)
    )
    assert (first.created, first.replayed) == (2, 0)
    assert (again.created, again.replayed) == (0, 2)
    assert RegistrationEvent.objects.count() == 2


# --- bad files: nothing imported ---------------------------------------------------------


def test_one_bad_row_imports_nothing_and_names_row_column_code(market_user):
    good = new_uscc()
    bad = new_uscc()
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    with pytest.raises(DomainError) as exc_info:
        import_file(market_user, [row(uscc=good), row(uscc=bad)])
    assert problems(exc_info) == [(3, "统一社会信用代码", "uscc_checksum")]
    assert exc_info.value.errors[0].message == "统一社会信用代码校验位错误"
    assert not Institution.objects.exists()
    assert not RegistrationEvent.objects.exists()


def test_every_bad_row_is_reported(market_user):
    with pytest.raises(DomainError) as exc_info:
        import_file(
            market_user,
            [
                row(),
                row(action="开业"),
                row(legal_form="合伙"),
                row(occurred_at="下周一"),
                row(township_code="330703999"),
                row(legal_form="幼儿园", for_profit="非营利性"),
                row(legal_form="社会组织", for_profit="营利性"),
                row(uscc="91330703"),
                row(action="变更", uscc=new_uscc()),
                row(name=None),
            ],
        )
    assert problems(exc_info) == [
        (3, "事项", "invalid_choice"),
        (4, "法人类型", "invalid_choice"),
        (5, "发生时间", "invalid_datetime"),
        (6, "镇乡街道代码", "unknown_region"),
        (7, "登记机关", "wrong_authority"),
        (8, "营利性", "legal_form_mismatch"),
        (9, "统一社会信用代码", "uscc_format"),
        (10, "统一社会信用代码", "unknown_institution"),
        (11, "机构名称", "required"),
    ]
    assert not Institution.objects.exists()


def test_duplicate_event_ids_and_duplicate_registrations_in_one_file(market_user):
    uscc = new_uscc()
    with pytest.raises(DomainError) as exc_info:
        import_file(
            market_user,
            [
                row(event_id="E-1"),
                row(event_id="E-1"),
                row(uscc=uscc),
                row(uscc=uscc),
            ],
        )
    assert problems(exc_info) == [
        (3, "事件编号", "duplicate_event_id"),
        (5, "统一社会信用代码", "already_registered"),
    ]
    assert not Institution.objects.exists()


def test_header_mismatch(market_user):
    headers = list(excel_registration.IMPORT_HEADERS)
    headers[2] = "信用代码"
    with pytest.raises(DomainError) as exc_info:
        import_file(market_user, [row()], headers=headers)
    assert problems(exc_info) == [(1, "统一社会信用代码", "header_mismatch")]


def test_empty_files(market_user):
    with pytest.raises(DomainError) as no_rows:
        import_file(market_user, [])
    assert [e.code for e in no_rows.value.errors] == ["file_empty"]
    with pytest.raises(DomainError) as zero_bytes:
        registration_import.registration_events_import(
            acting_user=market_user, file=SimpleUploadedFile("空.xlsx", b"")
        )
    assert zero_bytes.value.code == "file_empty"


def test_not_an_xlsx(market_user):
    with pytest.raises(DomainError) as exc_info:
        registration_import.registration_events_import(
            acting_user=market_user, file=SimpleUploadedFile("a.xlsx", b"uscc,name\n1,2\n")
        )
    assert exc_info.value.code == "file_invalid"
    with pytest.raises(DomainError) as broken:
        registration_import.registration_events_import(
            acting_user=market_user, file=SimpleUploadedFile("b.xlsx", b"PK\x03\x04garbage")
        )
    assert broken.value.code == "file_invalid"


def test_row_and_size_limits(market_user, monkeypatch):
    monkeypatch.setattr(registration_import, "MAX_IMPORT_ROWS", 2)
    with pytest.raises(DomainError) as too_many:
        import_file(market_user, [row(), row(), row()])
    assert problems(too_many) == [(4, "file", "too_many_rows")]
    monkeypatch.setattr(registration_import, "MAX_IMPORT_BYTES", 1000)
    with pytest.raises(DomainError) as too_large:
        import_file(market_user, [row()])
    assert too_large.value.code == "file_too_large"
    assert too_large.value.status == 413
    assert not Institution.objects.exists()


def test_only_registration_authorities_import(health_user, township_user):
    for user in (health_user, township_user):
        with pytest.raises(DomainError) as exc_info:
            import_file(user, [row()])
        assert exc_info.value.code == "out_of_scope"


def test_rows_are_the_uploaders_authority(civil_user):
    """The authority is the uploader's department: a for-profit company in 区民政局's file
    is refused (P-REG-10), and so is its USCC of 工商 (GB 32100-2015)."""
    with pytest.raises(DomainError) as exc_info:
        import_file(civil_user, [row()])
    assert problems(exc_info) == [
        (2, "统一社会信用代码", "uscc_authority_mismatch"),
        (2, "登记机关", "wrong_authority"),
    ]


# --- the upload page ---------------------------------------------------------------------


def test_upload_page_reports_errors_row_by_row(client, market_user):
    client.force_login(market_user)
    response = client.post(
        reverse("institutions:registration_import"),
        {"file": xlsx_upload([row(), row(township_code="330703999")])},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "导入失败，未导入任何数据" in html
    assert '<tr data-code="unknown_region"><td>3</td><td>镇乡街道代码</td>' in html
    assert not Institution.objects.exists()


def test_upload_page_imports_and_redirects(client, market_user):
    client.force_login(market_user)
    response = client.post(
        reverse("institutions:registration_import"),
        {"file": xlsx_upload([row(), row()])},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("institutions:registrations")
    assert "新接收 2 条" in response.content.decode()
    assert Institution.objects.count() == 2

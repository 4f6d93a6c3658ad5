"""CSV upload of daily checks (P-HC-3) in the shape of API-CONTRACT §3: one file = one batch
through the same set-based service; partial acceptance like the API; every rejected row
with its row number; UTF-8 (with or without BOM) and GB18030 read, garbled files refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import ChildFactory
from tuoyu.children.models import HealthCheck, HealthCheckBatch
from tuoyu.children.tests.conftest import months_ago

pytestmark = pytest.mark.django_db

URL = "/children/classes/upload/"
HEADER = "record_id,child_id,date,session,attendance,temperature_c,symptoms,action"


@pytest.fixture
def kids(large_class):
    return [ChildFactory(care_class=large_class, birth_date=months_ago(30)) for _ in range(3)]


def _upload(client, text: str, encoding="utf-8", name="checks.csv"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def _good(kids, day):
    return "\n".join(
        [
            HEADER,
            f"R1,{kids[0].pk},{day},morning,present,36.6,,none",
            f"R2,{kids[1].pk},{day},morning,absent_sick,,fever;cough,none",
            f"R3,{kids[2].pk},{day},morning,present,37.8,,observe",
        ]
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_good_file_one_batch(client, nursery_user, kids, today, encoding):
    client.force_login(nursery_user)
    text = _good(kids, today).replace(",none\n", ",none\n", 1) + "\n"
    if encoding == "gb18030":  # Chinese in a cell: only GB18030 reads it right
        text = text.replace("R1,", "晨检1,")
    r = _upload(client, text, encoding)
    assert r.status_code == 200
    assert 'data-accepted="3"' in r.content.decode()
    assert HealthCheck.objects.count() == 3 and HealthCheckBatch.objects.count() == 1
    sick = HealthCheck.objects.get(child=kids[1])
    assert sick.symptoms == ",cough,fever," and sick.attendance == "absent_sick"
    if encoding == "gb18030":
        assert HealthCheck.objects.filter(record_id="晨检1").exists()
    # the same file again: duplicates, nothing stored twice (idempotent record_id)
    r = _upload(client, text, encoding)
    assert 'data-duplicates="3"' in r.content.decode() and HealthCheck.objects.count() == 3


def test_partial_file_rejected_rows_with_row_numbers(client, nursery_user, kids, today, make_filed):
    """Like the API: valid rows stored, each rejected row reported with its number."""
    stranger = ChildFactory(care_class=make_filed().classes.first(), birth_date=months_ago(30))
    tomorrow = today + dt.timedelta(days=1)
    text = "\n".join(
        [
            HEADER,
            f"P1,{kids[0].pk},{today},morning,present,36.6,,none",
            f"P2,{kids[1].pk},{tomorrow},morning,present,,,none",  # row 3 future_date
            f"P3,{kids[2].pk},{today},morning,present,45.0,,none",  # row 4 temperature
            f"P4,{stranger.pk},{today},morning,present,,,none",  # row 5 child_not_enrolled
            f"P5,{kids[2].pk},{today},noon,present,,plague,none",  # row 6 unknown_symptom
            f"P1,{kids[1].pk},{today},noon,present,,,none",  # row 7 duplicate_record_id
            f"P6,{kids[1].pk},{today},noon,present,,,none",
        ]
    )
    client.force_login(nursery_user)
    r = _upload(client, text)
    html = r.content.decode()
    assert r.status_code == 200 and 'data-accepted="2"' in html and 'data-rejected="5"' in html
    for row, code in (
        (3, "future_date"),
        (4, "temperature_out_of_range"),
        (5, "child_not_enrolled"),
        (6, "unknown_symptom"),
        (7, "duplicate_record_id"),
    ):
        assert f'data-row="{row}" data-code="{code}"' in html
    assert "体温应在 34.0–43.0" in html
    assert set(HealthCheck.objects.values_list("record_id", flat=True)) == {"P1", "P6"}


def test_conflicting_resubmission_is_rejected(client, nursery_user, kids, today):
    client.force_login(nursery_user)
    _upload(client, _good(kids, today))
    changed = _good(kids, today).replace("36.6", "38.6")
    html = _upload(client, changed).content.decode()
    assert 'data-row="2" data-code="record_id_conflict"' in html


@pytest.mark.parametrize(
    "raw, code",
    [
        (b"\xff\xfe\x00r\x00e\x00c\x00", "csv_encoding"),  # UTF-16: NULs
        (b"%PDF-1.7\n\x81\xff\xfe\x80\x80garbage", "csv_encoding"),
        (b"name,age\n\xe5\xbc\xa0,3\n", "csv_columns"),
        (b"", "file_empty"),
    ],
)
def test_bad_files_refused_whole(client, nursery_user, kids, raw, code):
    client.force_login(nursery_user)
    r = _upload(client, raw)
    assert r.status_code == 400
    html = r.content.decode()
    assert f'data-code="{code}"' in html and "未保存任何记录" in html
    assert code not in html.replace(f'data-code="{code}"', "")  # words, never codes
    assert HealthCheck.objects.count() == 0


def test_unreadable_rows_refuse_the_file(client, nursery_user, kids, today):
    """Like the API's schema errors: a row that is no record refuses the file, every such
    row listed, nothing stored."""
    text = _good(kids, today) + f"\nX1,abc,{today},morning,present,,,none\nX2,{kids[0].pk}\n"
    client.force_login(nursery_user)
    r = _upload(client, text)
    html = r.content.decode()
    assert r.status_code == 400
    assert 'data-code="int_parsing" data-row="5"' in html
    assert 'data-code="csv_row_shape" data-row="6"' in html
    assert HealthCheck.objects.count() == 0


def test_only_the_institution_uploads(client, health_user):
    client.force_login(health_user)
    assert client.get(URL).status_code == 403

"""[accounts-ux] point 5: an Excel import lists every error of a row at once — a refused
cell (a bad date, an unknown choice) no longer hides the row's other problems (P-REG-11)."""

from __future__ import annotations

import pytest

from tuoyu.core.errors import DomainError
from tuoyu.institutions.models import Institution
from tuoyu.institutions.services import registration_import
from tuoyu.institutions.tests.conftest import DUOHU, excel_row, new_uscc, xlsx_upload

pytestmark = pytest.mark.django_db


def _row(**values) -> list:
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
        "occurred_at": "2024-07-01 09:00",
    }
    base.update(values)
    return excel_row(**base)


def test_a_bad_date_does_not_hide_the_rows_other_errors(market_user):
    with pytest.raises(DomainError) as exc_info:
        registration_import.registration_events_import(
            acting_user=market_user,
            file=xlsx_upload(
                [
                    _row(),
                    _row(occurred_at="下周一", township_code="330703999", name=None),
                    _row(legal_form="合伙", uscc="91330703"),
                ]
            ),
        )
    found = [(e.row, e.field, e.code) for e in exc_info.value.errors]
    assert (3, "发生时间", "invalid_datetime") in found
    assert (3, "镇乡街道代码", "unknown_region") in found
    assert (3, "机构名称", "required") in found
    assert (4, "法人类型", "invalid_choice") in found
    assert (4, "统一社会信用代码", "uscc_format") in found
    # The refused cell is not reported a second time as missing.
    assert [f for f in found if f[0] == 3 and f[1] == "发生时间"] == [
        (3, "发生时间", "invalid_datetime")
    ]
    messages = " ".join(e.message for e in exc_info.value.errors)
    assert "GET /api" not in messages and "330703999" in messages
    assert not Institution.objects.exists()

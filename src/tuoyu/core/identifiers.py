"""National identifiers: USCC (GB 32100-2015) and resident ID numbers (GB 11643-1999).

Validation delegates to python-stdnum; this module only maps its exceptions onto the stable
error codes of API-CONTRACT §0 and adds the generators the demo data needs.
"""

from __future__ import annotations

import datetime as dt

from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric, uscc

from tuoyu.core import clock
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError


def validate_uscc(value: str, *, field: str = "uscc") -> str:
    value = (value or "").strip().upper()
    try:
        return uscc.validate(value)
    except stdnum_exc.InvalidChecksum as exc:
        raise DomainError(
            CoreError.USCC_CHECKSUM, "统一社会信用代码校验位错误", field=field
        ) from exc
    except stdnum_exc.ValidationError as exc:
        raise DomainError(
            CoreError.USCC_FORMAT, "统一社会信用代码格式错误，应为18位数字或大写字母", field=field
        ) from exc


def validate_id_number(value: str, *, field: str = "id_number") -> str:
    """Length, digits, GB 11643 check digit and birth date.

    stdnum's own `ric.validate` also looks the address code up in a bundled list that lacks
    current codes (330703 Jindong among them), so it would reject real residents; the
    address code is therefore not checked against that list.
    """
    value = ric.compact(value or "").upper()
    if len(value) != 18 or not value[:-1].isdigit() or value[-1] not in "0123456789X":
        raise DomainError(CoreError.ID_NUMBER_FORMAT, "身份证号码格式错误，应为18位", field=field)
    if value[-1] != ric.calc_check_digit(value):
        raise DomainError(CoreError.ID_NUMBER_CHECKSUM, "身份证号码校验位错误", field=field)
    try:
        born = ric.get_birth_date(value)
    except stdnum_exc.ValidationError as exc:
        raise DomainError(
            CoreError.ID_NUMBER_BIRTH_DATE, "身份证号码中的出生日期无效", field=field
        ) from exc
    if born > clock.today():
        raise DomainError(
            CoreError.ID_NUMBER_BIRTH_DATE, "身份证号码中的出生日期晚于今天", field=field
        )
    return value


def birth_date_from_id_number(value: str) -> dt.date:
    return ric.get_birth_date(value)


def make_id_number(region_code: str, birth_date: dt.date, sequence: int) -> str:
    """A checksummed 18-digit ID number (for generated demo people only)."""
    body = f"{region_code[:6]}{birth_date:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_uscc(registration_dept: str, org_type: str, region_code: str, org_code8: str) -> str:
    """A checksummed USCC: dept(1) + type(1) + region(6) + organisation code(9) + check(1)."""
    org_code9 = org_code8 + _org_code_check(org_code8)
    body = f"{registration_dept}{org_type}{region_code[:6]}{org_code9}"
    return body + uscc.calc_check_digit(body)


_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _org_code_check(code8: str) -> str:
    # GB 11714 organisation code check digit (the 9th character inside a USCC).
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(_ALNUM.index(c) * w for c, w in zip(code8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))

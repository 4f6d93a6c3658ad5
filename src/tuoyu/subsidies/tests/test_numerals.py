"""人民币大写 of the payment list (P-SUB-4: the totals a finance document signs), by the
rules of 《会计基础工作规范》第五十二条 as `tuoyu.subsidies.numerals` states them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuoyu.subsidies.numerals import DIGITS, rmb_capital, yuan_figures


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("150000.00", "壹拾伍万元整"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        # zeros in the middle: one 零 for the run
        ("100005.00", "壹拾万零伍元整"),
        ("10500", "壹万零伍佰元整"),
        ("10001000", "壹仟万零壹仟元整"),
        ("12304000", "壹仟贰佰叁拾万零肆仟元整"),
        ("100000005", "壹亿零伍元整"),
        ("101000000", "壹亿零壹佰万元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("1001", "壹仟零壹元整"),
        # a run of zeros ending at 元 before 角 is 零; a single zero 元 digit is not
        ("1000000.10", "壹佰万元零壹角"),
        ("10.50", "壹拾元伍角"),
        # a zero 角 between 元 and 分 is always 零
        ("1.05", "壹元零伍分"),
        ("20.05", "贰拾元零伍分"),
        # below one yuan
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("0.55", "伍角伍分"),
        ("0", "零元整"),
        # 壹拾 keeps its 壹
        ("10", "壹拾元整"),
        ("11", "壹拾壹元整"),
        ("50000", "伍万元整"),
        ("99999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        ("-3.20", "负叁元贰角"),
    ],
)
def test_capital_numerals_follow_the_accounting_rules(amount, words):
    assert rmb_capital(Decimal(amount)) == words


def test_amounts_are_rounded_half_up_to_the_fen():
    assert rmb_capital(Decimal("0.005")) == "壹分"
    assert rmb_capital(Decimal("2.675")) == "贰元陆角捌分"


def test_figures_have_thousands_separators_and_two_decimals():
    assert yuan_figures(Decimal("150000")) == "¥150,000.00"
    assert yuan_figures(Decimal("1234.5")) == "¥1,234.50"


_VALUE = {d: i for i, d in enumerate(DIGITS)}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}
_BIG = {"万": 10**4, "亿": 10**8}


def _read_back(words: str) -> Decimal:
    """Parse capitals back to an amount (the inverse, to check the writer on any amount)."""
    yuan_words, _, rest = words.partition("元") if "元" in words else ("", "", words)
    total = section = digit = 0
    for ch in yuan_words:
        if ch in _VALUE:
            digit = _VALUE[ch]
        elif ch in _SMALL:
            section += digit * _SMALL[ch]
            digit = 0
        elif ch in _BIG:
            total = (
                (total + section + digit) * _BIG[ch]
                if ch == "亿"
                else total + (section + digit) * _BIG[ch]
            )
            section = digit = 0
    amount = Decimal(total + section + digit)
    for ch, unit in (("角", Decimal("0.1")), ("分", Decimal("0.01"))):
        if ch in rest:
            amount += _VALUE[rest[rest.index(ch) - 1]] * unit
    return amount


@given(st.integers(min_value=1, max_value=999_999_999_99))
def test_any_amount_reads_back_to_itself(fen):
    amount = Decimal(fen) / 100
    words = rmb_capital(amount)
    assert _read_back(words) == amount, words
    assert "零零" not in words and not words.startswith("零")
    assert words.endswith("整") == (fen % 100 == 0)

"""Money in Chinese capital numerals (人民币大写) for the payment list (P-SUB-4).

Written here rather than taken from PyPI: the maintained package (cn2an, `an2cn(x, "rmb")`)
drops the 零 between 万/亿 and a following 仟 (10,001,000 → 壹仟万壹仟元整, where the
accounting rules — 《会计基础工作规范》第五十二条 — want 壹仟万零壹仟元整) and writes no 零
for an empty 元 digit before 角 (1,000,000.10 → 壹佰万元壹角); it also takes floats and
would add a dependency for some thirty lines.

The rules followed:
- whole yuan end in 整 (¥150,000.00 → 壹拾伍万元整); an amount with 分 has no 整; an amount
  ending in 角 is written without 整 too (¥10.50 → 壹拾元伍角), as the district's vouchers do;
- zeros inside the yuan are one 零 however many (100,005 → 壹拾万零伍元整), a zero group
  of four (万) is skipped but still leaves its 零 (100,000,005 → 壹亿零伍元整);
- a zero 角 between 元 and 分 is 零 (1.05 → 壹元零伍分); so is a run of zeros ending at
  元 before 角 (1,000,000.10 → 壹佰万元零壹角), but not a single zero 元 digit
  (10.50 → 壹拾元伍角); below one yuan only 角/分 (0.05 → 伍分);
- 壹拾 is always written with its 壹 (finance documents never write a bare 拾);
- amounts are Decimal, rounded to the fen with ROUND_HALF_UP; negative amounts get 负.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿", "万亿")
FEN = Decimal("0.01")


def _group(n: int) -> str:
    """0 < n < 10000, with inner zeros as one 零 and no leading or trailing 零."""
    out = []
    zero = False
    for power in (3, 2, 1, 0):
        d = n // 10**power % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[d] + SMALL_UNITS[power])
    return "".join(out)


def _yuan(n: int) -> str:
    """The whole yuan of n > 0 in capitals (without 元)."""
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(GROUP_UNITS):
        raise ValueError("amount too large")
    out = []
    previous = None  # the last group written
    pending_zero = False
    for index in range(len(groups) - 1, -1, -1):
        g = groups[index]
        if g == 0:
            pending_zero = bool(out)
            continue
        # zeros between two written groups are one 零: a skipped group, the higher group's
        # trailing zeros (壹仟万零壹仟) or the lower group's leading ones (壹万零伍佰)
        if out and (pending_zero or g < 1000 or previous % 10 == 0):
            out.append("零")
        out.append(_group(g) + GROUP_UNITS[index])
        previous = g
        pending_zero = False
    return "".join(out)


def rmb_capital(amount: Decimal | int | str) -> str:
    """¥1,234.56 → 壹仟贰佰叁拾肆元伍角陆分; ¥0 → 零元整."""
    value = Decimal(str(amount)).quantize(FEN, rounding=ROUND_HALF_UP)
    sign = "负" if value < 0 else ""
    fen_total = int(abs(value) * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    if fen_total == 0:
        return "零元整"
    out = sign
    if yuan:
        out += _yuan(yuan) + "元"
    if jiao == 0 and fen == 0:
        return out + "整"
    if yuan and (jiao == 0 or yuan % 100 == 0):
        # a zero 角 between 元 and 分 is always 零 (壹元零伍分); a run of zeros ending at 元
        # is too (壹佰万元零壹角), a single zero 元 digit is not (壹拾元伍角) — the rules
        # allow either for those, and this is how the district's vouchers write them
        out += "零"
    if jiao:
        out += DIGITS[jiao] + "角"
    if fen:
        out += DIGITS[fen] + "分"
    return out


def yuan_figures(amount: Decimal) -> str:
    """¥150,000.00 as finance documents write figures."""
    value = Decimal(str(amount)).quantize(FEN, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"

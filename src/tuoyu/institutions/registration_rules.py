"""P-REG-10 — who registers whom, as one table; GB 32100-2015 — which first characters of a
USCC each authority issues, as another; and the checks every channel applies.

Used by the registration service (API, form, Excel) and by the pages that name authorities.
"""

from __future__ import annotations

from collections.abc import Mapping

from tuoyu.accounts.models import Department
from tuoyu.core.errors import DomainError, ErrorItem
from tuoyu.institutions.catalogue import InstitutionsError
from tuoyu.institutions.models import Institution


class _ChoiceLabels(Mapping):
    """code → label of a model's choices, as plain text in the active language at the moment
    it is read (Excel cells and string checks cannot take lazy translations)."""

    def __init__(self, choices_class):
        self._choices = choices_class

    def __getitem__(self, code):
        return str(dict(self._choices.choices)[code])

    def __iter__(self):
        return iter(self._choices.values)

    def __len__(self):
        return len(self._choices.values)


AUTHORITY_LABELS = _ChoiceLabels(Department.RegistrationAuthority)
LEGAL_FORM_LABELS = _ChoiceLabels(Institution.LegalForm)

# P-REG-10 — who registers whom. (legal_form, for_profit) → registration authority; None for
# for_profit means "either". A pair that is not in the table is inconsistent in itself
# (a for-profit social organisation or public institution, a non-profit company) and is
# refused with `legal_form_mismatch` before the authority is compared (`wrong_authority`).
#
#   | kind                                        | legal_form          | for_profit | authority                        |
#   |---------------------------------------------|---------------------|------------|----------------------------------|
#   | integrated kindergarten–nursery (托幼一体化) | kindergarten        | either     | education (区教体局)              |
#   | non-profit, social organisation             | social_organization | false      | civil_affairs (区民政局)          |
#   | non-profit, public institution (事业单位)    | public_institution  | false      | public_institution_registration  |
#   | for-profit                                  | company             | true       | market_regulation (区市场监管局)  |
P_REG_10: tuple[tuple[str, bool | None, str], ...] = (
    ("kindergarten", None, "education"),
    ("social_organization", False, "civil_affairs"),
    ("public_institution", False, "public_institution_registration"),
    ("company", True, "market_regulation"),
)

# GB 32100-2015 §4.1, table 1: the first character of a USCC is the code of the department
# that registered the organisation (登记管理部门代码) — 1 机构编制 (public institutions),
# 5 民政 (social organisations), 9 工商, today 市场监管 (companies), Y 其他. A push must come
# from an authority that may have issued the code it names (`uscc_authority_mismatch`,
# API-CONTRACT §1): a USCC beginning with 5 is 区民政局's, whoever pushes it.
#
#   | authority                        | first character | because                                                |
#   |----------------------------------|-----------------|--------------------------------------------------------|
#   | market_regulation (区市场监管局)  | 9               | it registers companies (企业)                           |
#   | civil_affairs (区民政局)          | 5               | it registers social organisations (民办非企业单位)      |
#   | public_institution_registration  | 1               | 机构编制: it registers public institutions (事业单位)   |
#   | education (区教体局)              | 1 or 5          | a public kindergarten is a 事业单位 (1); a private       |
#   |                                  |                 | non-profit one a 民办非企业单位 registered with 民政 (5) |
#
# (The demo data and the factories build USCCs the same way: seeding.FORMS,
# tests/factories/institutions.py LEGAL_FORMS.)
USCC_AUTHORITY_CHARACTERS: dict[str, frozenset[str]] = {
    "market_regulation": frozenset("9"),
    "civil_affairs": frozenset("5"),
    "public_institution_registration": frozenset("1"),
    "education": frozenset("15"),
}
# What the first character says, for the messages (GB 32100-2015 table 1).
USCC_DEPARTMENT_NAMES = {"1": "机构编制", "5": "民政", "9": "工商（市场监管）", "Y": "其他"}


def uscc_authority_problem(*, authority: str, uscc: str) -> ErrorItem | None:
    """The `uscc_authority_mismatch` problem of a well-formed USCC pushed by `authority`
    whose first character that authority cannot have issued (see the table above); None
    when it fits."""
    allowed = USCC_AUTHORITY_CHARACTERS.get(authority)
    first = uscc[:1]
    if allowed is None or first in allowed:
        return None
    named = USCC_DEPARTMENT_NAMES.get(first, "其他登记管理部门")
    fits = "或".join(f"“{c}”" for c in sorted(allowed))
    return ErrorItem(
        InstitutionsError.USCC_AUTHORITY_MISMATCH,
        f"统一社会信用代码首位“{first}”表示由{named}登记，不是"
        f"{AUTHORITY_LABELS.get(authority, authority)}登记的机构；"
        f"{AUTHORITY_LABELS.get(authority, authority)}推送的统一社会信用代码首位应为"
        f"{fits}（GB 32100-2015）",
        field="uscc",
    )


def authority_for(legal_form: str, for_profit: bool) -> str | None:
    """P-REG-10: the registration authority for this kind of institution; None when the
    pair is inconsistent (see the table above)."""
    for form, profit, authority in P_REG_10:
        if form == legal_form and (profit is None or profit == for_profit):
            return authority
    return None


def authority_check(*, authority: str, legal_form: str, for_profit: bool) -> None:
    expected = authority_for(legal_form, for_profit)
    if expected is None:
        raise DomainError(
            InstitutionsError.LEGAL_FORM_MISMATCH,
            f"法人类型“{LEGAL_FORM_LABELS.get(legal_form, legal_form)}”与"
            f"“{'营利性' if for_profit else '非营利性'}”不相符（P-REG-10：企业为营利性，"
            "社会组织、事业单位为非营利性）",
            field="for_profit",
        )
    if expected != authority:
        raise DomainError(
            InstitutionsError.WRONG_AUTHORITY,
            f"{'营利性' if for_profit else '非营利性'}"
            f"{LEGAL_FORM_LABELS.get(legal_form, legal_form)}应由"
            f"{AUTHORITY_LABELS[expected]}登记（P-REG-10），不由"
            f"{AUTHORITY_LABELS.get(authority, authority)}推送",
            field="authority",
        )

"""P-REG-10 — who registers whom, as one table, and the check every channel applies.

Used by the registration service (API, form, Excel) and by the pages that name authorities.
"""

from __future__ import annotations

from collections.abc import Mapping

from tuoyu.accounts.models import Department
from tuoyu.core.errors import DomainError
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

# Registration facts an event carries, in the order of the contract body.
FACT_FIELDS = (
    "name",
    "legal_form",
    "for_profit",
    "legal_representative",
    "address",
    "township_code",
)
REQUIRED_FOR_REGISTERED = ("name", "legal_form", "for_profit", "township_code")
FIELD_LABELS = {
    "event_id": "事件编号",
    "authority": "登记机关",
    "action": "事项",
    "uscc": "统一社会信用代码",
    "name": "机构名称",
    "legal_form": "法人类型",
    "for_profit": "营利性",
    "legal_representative": "法定代表人",
    "address": "地址",
    "township_code": "镇乡街道代码",
    "occurred_at": "发生时间",
}


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

"""Action permissions of subsidies (`rules`); who sees which rows is in scopes.py.

P-ORG-2: 区卫健局 reviews eligibility and records demonstration titles; 区财政局 keeps the
funds, approves and pays; an institution sees its own entitlement and claims; 区税务局 and
the utility companies (through 区发改局) receive the relief lists (P-TAX-1..3)."""

import rules

from tuoyu.accounts.rules import is_department, is_health_bureau, is_institution, is_township


@rules.predicate
def is_finance_bureau(user):
    return is_department(user) and user.department.code == "finance"


@rules.predicate
def receives_relief_lists(user):
    return is_department(user) and user.department.code in {
        "health",
        "finance",
        "tax",
        "development_reform",
    }


rules.add_perm("subsidies.view_entitlement", is_health_bureau | is_finance_bureau | is_institution)
rules.add_perm("subsidies.claim", is_institution)
# P-ORG-2: a township follows the claims of its area (read only)
rules.add_perm(
    "subsidies.view_claims", is_health_bureau | is_finance_bureau | is_institution | is_township
)
rules.add_perm("subsidies.review", is_health_bureau)
rules.add_perm("subsidies.approve", is_finance_bureau)
rules.add_perm("subsidies.pay", is_finance_bureau)
rules.add_perm("subsidies.manage_funds", is_finance_bureau)
rules.add_perm("subsidies.view_ledger", is_finance_bureau | is_health_bureau)
rules.add_perm("subsidies.record_titles", is_health_bureau)
rules.add_perm("subsidies.view_reports", is_finance_bureau | is_health_bureau)
rules.add_perm("subsidies.relief_lists", receives_relief_lists)

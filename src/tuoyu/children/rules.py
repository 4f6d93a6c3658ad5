"""Action permissions of children (`rules`); what is visible is in scopes.py."""

import rules

from tuoyu.accounts.rules import is_health_bureau, is_institution, is_township

# The institution records its own children and checks; 区卫健局 and the township follow up.
rules.add_perm("children.enrol", is_institution)
rules.add_perm("children.record_checks", is_institution)
rules.add_perm("children.view_children", is_institution | is_township | is_health_bureau)
rules.add_perm("children.view_alerts", is_institution | is_township | is_health_bureau)
# An alert is acknowledged by the institution or 区卫健局; closed with the action taken.
rules.add_perm("children.handle_alerts", is_institution | is_health_bureau)
# P-NAT-3, P-TGT-12: the rates and the children behind the in-care figures.
rules.add_perm("children.view_rates", is_township | is_health_bureau)
# P-HC-7: the institution keeps and publishes its meal-fee accounts.
rules.add_perm("children.keep_meal_accounts", is_institution)

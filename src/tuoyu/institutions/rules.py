"""Action permissions for institutions (`rules`); data visibility is in accounts/scopes.py."""

import rules

from tuoyu.accounts.rules import (
    is_department,
    is_health_bureau,
    is_registration_authority,
    is_township,
)

rules.add_perm("institutions.view_directory", is_department | is_township)
rules.add_perm("institutions.view_registrations", is_health_bureau | is_registration_authority)
rules.add_perm("institutions.enter_registrations", is_registration_authority)
rules.add_perm("institutions.manage_chains", is_health_bureau)
rules.add_perm("institutions.designate_affordable", is_health_bureau)
# [accounts-ux] point 2: who follows up registrations not yet filed (P-REG-12 deadline):
# 区卫健局 district-wide, a township those located in it (the home card and its badge).
rules.add_perm("institutions.follow_unfiled", is_health_bureau | is_township)

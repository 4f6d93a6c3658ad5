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

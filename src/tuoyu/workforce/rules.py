"""Action permissions of workforce (`rules`); data visibility is in scopes.py."""

import rules

from tuoyu.accounts.rules import is_department, is_health_bureau, is_institution, is_township


@rules.predicate
def is_human_resources(user):
    """区人力社保局 (P-WF-3: training and appraisal subsidies)."""
    return is_department(user) and user.department.code == "human_resources"


rules.add_perm("workforce.keep_roster", is_institution)
rules.add_perm("workforce.view_rosters", is_department | is_township | is_institution)
rules.add_perm("workforce.view_gaps", is_health_bureau | is_township)
# P-SUP-6: 区卫健局 records, approves (a second officer) and lifts lifetime bans.
rules.add_perm("workforce.manage_bans", is_health_bureau)
rules.add_perm("workforce.export_trainings", is_human_resources | is_health_bureau)

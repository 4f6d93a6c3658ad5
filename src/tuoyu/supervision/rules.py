"""Action permissions of supervision (`rules`)."""

import rules

from tuoyu.accounts.rules import is_department, is_health_bureau, is_institution, is_township
from tuoyu.supervision.duties import supervises


@rules.predicate
def has_supervisory_duty(user):
    return is_department(user) and supervises(user.department.code)


rules.add_perm("supervision.inspect", has_supervisory_duty)
# Every department answers what is routed to it; hotline (12345) entries are made by any
# department's staff.
rules.add_perm("supervision.handle_complaints", is_department)
rules.add_perm("supervision.view", is_department | is_township | is_institution)
# Inspections and rectification orders: the departments with a supervisory duty (their
# own), a township (its area), an institution (its own); never a department without duty.
rules.add_perm("supervision.view_inspections", has_supervisory_duty | is_township | is_institution)
rules.add_perm("supervision.reply_order", is_institution)
# P-SUP-5/6: the blacklist is decided and approved by 区卫健局 officers (four eyes).
rules.add_perm("supervision.blacklist", is_health_bureau)
# P-ORG-2: a township knows every institution in its area; departments look at any township.
rules.add_perm("supervision.view_township", is_department | is_township)
rules.add_perm("supervision.view_case", has_supervisory_duty | is_township)
# P-SUP-5: penalties, commendations and demonstration status are entered by 区卫健局 and
# the departments with a supervisory duty.
rules.add_perm("supervision.record_credit", has_supervisory_duty)

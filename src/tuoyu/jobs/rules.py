"""Who sees the job runs and who may start one ("立即运行")."""

import rules

from tuoyu.accounts.rules import is_health_bureau, is_system

rules.add_perm("jobs.view_runs", is_health_bureau | is_system)
rules.add_perm("jobs.run_now", is_health_bureau)

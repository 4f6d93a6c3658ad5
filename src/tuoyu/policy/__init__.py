"""Policy as data (POLICY.md): versioned YAML with effective dates, typed accessors.

    from tuoyu import policy

    policy.at(day).subsidy.new_class_affordable_yuan        # 50000 (int yuan)
    policy.at(day).classes["toddler_small"].max_children    # 15
    policy.ref("subsidy.new_class_affordable_yuan", day)    # ParamMeta(ref="P-SUB-1", …)
    policy.parameters_at(day)                                # [(key, value, meta), …]
    policy.in_force("standards.home_care_point_max_children", day)  # False before 2023-11-14
    policy.versions()                                        # every version, oldest first
    policy.periods(date(2023, 1, 1), date(2023, 12, 31))     # a year split by version

Code never writes a policy number as a literal: it asks this module. See `loader` for the
file format and how versions combine, `schema` for every parameter.
"""

from tuoyu.policy.loader import (
    DEFAULT_DIR,
    Parameter,
    ParamMeta,
    PolicyBook,
    PolicyDataError,
    PolicyDateError,
    PolicyKeyError,
    PolicyPeriod,
    Problem,
    Version,
    as_date,
    at,
    clear_cache,
    data_dir,
    get_book,
    in_force,
    keys,
    later_keys,
    load,
    parameters_at,
    periods,
    ref,
    reload,
    today,
    value,
    versions,
    versions_at,
)
from tuoyu.policy.schema import CLASS_TYPES, ClassStandard, Policy, Target

__all__ = [
    "CLASS_TYPES",
    "DEFAULT_DIR",
    "ClassStandard",
    "ParamMeta",
    "Parameter",
    "Policy",
    "PolicyBook",
    "PolicyDataError",
    "PolicyDateError",
    "PolicyKeyError",
    "PolicyPeriod",
    "Problem",
    "Target",
    "Version",
    "as_date",
    "at",
    "clear_cache",
    "data_dir",
    "get_book",
    "in_force",
    "keys",
    "later_keys",
    "load",
    "parameters_at",
    "periods",
    "ref",
    "reload",
    "today",
    "value",
    "versions",
    "versions_at",
]

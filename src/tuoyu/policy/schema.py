"""The shape of the policy: every parameter, its type, and the form of a YAML leaf.

Two families of models live here:

* the *resolved* policy (`Policy` and its sections): what `policy.at(date)` returns. Plain
  typed values: `int` for yuan, days, counts; `Decimal` for rates and ratios (never float);
  `Literal` codes for choices; `Target` for a target with its deadline.
* the *file* forms: `Leaf[T]` (`{value, ref, source, confidence, note?, decision?}`) and
  `VersionHeader`. The loader derives, from the resolved sections, a "partial" model per
  section in which every parameter is an optional `Leaf[T]`, so that one YAML version may
  override only some parameters while an unknown key (a typo) still fails (`extra="forbid"`).

Adding a parameter = adding a field here, a label in `labels.py`, and a value in the base
YAML version. Nothing else. A parameter of a rule that started after the base version is
marked `Later[T]` and set by the version that introduced it (a file with that version's
effective date); before it, the parameter is *not in force*: `policy.at(day)` holds `None`,
`policy.in_force(key, day)` is False and `policy.parameters_at(day)` leaves it out.
"""

import math
import typing
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Annotated, Any, Generic, Literal, TypeVar

from annotated_types import Ge, Gt, Le
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    model_validator,
)

T = TypeVar("T")

# --- value types -------------------------------------------------------------------------

Yuan = Annotated[int, Strict(), Ge(0)]
"""Money in whole yuan. Strict: 50000.0 or "50000" in YAML is refused."""
Count = Annotated[int, Strict(), Ge(0)]
Positive = Annotated[int, Strict(), Gt(0)]
Rate = Annotated[Decimal, Ge(0), Le(1)]
"""A share between 0 and 1 (0.9 = 90 %). YAML floats are read as Decimal, never float."""
PositiveDecimal = Annotated[Decimal, Gt(0)]
Confidence = Literal["A", "B", "U"]
"""A official text; B several agreeing copies; U not verified (POLICY.md §9)."""
Ref = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")]
"""A rule id such as P-SUB-1 (a district may use its own prefix, e.g. D-SUB-1)."""
VersionId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=40)]
FrozenMap = Annotated[
    dict[str, str],
    AfterValidator(lambda d: MappingProxyType(dict(d))),
    PlainSerializer(dict, return_type=dict[str, str]),
]
"""A code → Chinese name mapping; read-only so that the cached policy cannot be altered."""

DemonstrationAwardRule = Literal["each_level_once", "highest_level_difference"]
OperatingBasis = Literal["filed_slots", "enrolled_children"]
# What 区卫健局 checks before a claim goes to 区财政局 (P-SUB-1..3): `filed_on_dates` is
# the subsidies app's own check (filed and not cancelled on the dates of each item); the
# others are answered by the apps that own the facts (`tuoyu.institutions.standing`).
EligibilityRule = Literal[
    "filed_on_dates", "not_blacklisted", "no_open_critical_order", "not_suspended"
]
HealthManagementDefinition = Literal["any_followup", "systematic_4_2_2"]
TargetKind = Literal["count", "rate", "per_thousand", "trend"]
Comparison = Literal[">=", ">"]
ClassType = Literal["infant", "toddler_small", "toddler_large", "mixed"]
CLASS_TYPES: tuple[str, ...] = ("infant", "toddler_small", "toddler_large", "mixed")


class IntroducedLater:
    """Marks a parameter of a rule that started after the base version (see `Later`)."""

    def __repr__(self) -> str:
        return "INTRODUCED_LATER"


INTRODUCED_LATER = IntroducedLater()


class _LaterAlias:
    """`Later[T]`: a parameter that a later version introduces. Its YAML leaf holds a `T`
    (never null); on a date where no version in force sets it, the resolved value is `None`
    (the rule is not in force that day)."""

    def __getitem__(self, tp: Any) -> Any:
        return Annotated[tp | None, INTRODUCED_LATER]


Later = _LaterAlias()


def later_value_type(tp: Any) -> Any | None:
    """The value type `T` of a `Later[T]` annotation; None for any other annotation."""
    if typing.get_origin(tp) is Annotated and any(
        isinstance(m, IntroducedLater) for m in tp.__metadata__
    ):
        inner = [a for a in typing.get_args(tp.__origin__) if a is not type(None)]
        return inner[0]
    return None


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- composite values ----------------------------------------------------------------------


def _check_target(kind: str, value: Decimal | None) -> None:
    if kind == "trend":
        if value is not None:
            raise ValueError("趋势型目标的 value 应为 null / a trend target has value null")
        return
    if value is None:
        raise ValueError(
            f"{kind} 型目标需要数值 / a {kind} target needs a value "
            "(use kind: trend for a target without a number)"
        )
    if kind == "rate" and not (0 <= value <= 1):
        raise ValueError("比率型目标应在 0 与 1 之间 / a rate target lies in 0..1")


class Target(Frozen):
    """A target (P-TGT-*, P-NAT-*): reach `comparison value` by `deadline`.

    `kind="trend"` targets have no number (`value is None`): the policy only asks for a
    "clearly higher" value than the baseline year.
    """

    value: Decimal | None
    deadline: date
    kind: TargetKind
    comparison: Comparison = ">="
    baseline_year: int | None = None

    @model_validator(mode="after")
    def _value_matches_kind(self):
        _check_target(self.kind, self.value)
        return self

    def met(self, actual: Decimal | int | None, baseline: Decimal | int | None = None):
        """True/False whether `actual` meets the target; None when it cannot be judged
        (no actual value, or a trend target without a baseline)."""
        if actual is None:
            return None
        if self.kind == "trend":
            return None if baseline is None else Decimal(actual) > Decimal(baseline)
        if self.comparison == ">":
            return Decimal(actual) > self.value
        return Decimal(actual) >= self.value


class ClassStandard(Frozen):
    """One class type of 托育机构设置标准（试行）(POLICY.md §9.1).

    Ages are months: `min_age_months` inclusive, `max_age_months` exclusive (a child of
    exactly 12 months belongs to toddler_small). `children_per_caregiver` is the most
    children one caregiver may look after (1 : 3 → 3); ratios are minimums (P-STD-1).
    """

    name_zh: str
    min_age_months: Count
    max_age_months: Positive
    max_children: Positive
    children_per_caregiver: PositiveDecimal

    @model_validator(mode="after")
    def _ages_ordered(self):
        if self.min_age_months >= self.max_age_months:
            raise ValueError(
                "min_age_months 应小于 max_age_months / min_age_months must be below max_age_months"
            )
        return self

    @property
    def caregiver_ratio(self) -> str:
        """ "1:3" for display."""
        return f"1:{self.children_per_caregiver.normalize():f}"

    def admits_age(self, age_months: int) -> bool:
        return self.min_age_months <= age_months < self.max_age_months

    def min_caregivers(self, children: int) -> int:
        """Caregivers needed for `children` children (rounded up)."""
        if children <= 0:
            return 0
        return math.ceil(Decimal(children) / self.children_per_caregiver)


# --- sections of the resolved policy --------------------------------------------------------


class TargetsPolicy(Frozen):
    """P-TGT-1..13 (36号文 工作目标) and P-NAT-1 (national/provincial indicators)."""

    new_institutions_2020: Target
    new_slots_2020: Target
    health_management_rate_2020: Target
    parenting_knowledge_rate_2020: Target
    provincial_demonstration_units_2020: Target
    health_management_rate_2025: Target
    parenting_knowledge_rate_2025: Target
    practitioner_certification_rate_2025: Target
    township_affordable_coverage_2025: Target
    community_coverage_2025: Target
    nursery_class_rate_2025: Target
    enrolment_rate_2025: Target
    service_system_coverage_2025: Target
    slots_per_1000_2025: Target
    affordable_slot_share_2025: Target


class ClassesPolicy(Frozen):
    """Class types of §9.1. Index like a mapping: `classes["toddler_small"].max_children`."""

    infant: ClassStandard
    toddler_small: ClassStandard
    toddler_large: ClassStandard
    mixed: ClassStandard

    def __getitem__(self, class_type: str) -> ClassStandard:
        if class_type not in CLASS_TYPES:
            raise KeyError(f"未知班级类型 / unknown class type: {class_type!r}")
        return getattr(self, class_type)

    def __contains__(self, class_type: object) -> bool:
        return class_type in CLASS_TYPES

    def keys(self) -> tuple[str, ...]:
        return CLASS_TYPES

    def items(self) -> list[tuple[str, ClassStandard]]:
        return [(k, getattr(self, k)) for k in CLASS_TYPES]

    def for_age(self, age_months: int) -> list[str]:
        """Class types a child of this age may join (none under 6 months, P-STD-1)."""
        return [k for k, c in self.items() if c.admits_age(age_months)]


class StandardsPolicy(Frozen):
    """P-STD-1..5 and P-MODE-3."""

    min_age_months: Count
    nursery_class_min_age_months: Count
    nursery_class_max_age_months: Positive
    head_min_experience_years: Count
    min_health_workers: Positive
    full_time_health_worker_threshold_children: Positive
    premises_min_lease_years: Count
    max_living_floor: Positive
    min_window_floor_ratio: Rate
    health_observation_room_min_m2: PositiveDecimal
    area_per_child_m2: PositiveDecimal
    cctv_retention_days: Positive
    outdoor_hours_per_day: PositiveDecimal
    # P-STD-5 (家庭托育点管理办法（试行）, 2023-11): not in force before that version.
    home_care_point_max_children: Later[Positive] = None
    home_care_point_children_per_caregiver: Later[Positive] = None


class FilingPolicy(Frozen):
    """P-FIL-2 and the Decision on how long after registration filing is expected."""

    receipt_working_days: Positive
    rejection_notice_working_days: Positive
    registration_to_filing_deadline_days: Positive


class SubsidyPolicy(Frozen):
    """P-SUB-1..3 and P-V2023-1. Amounts in whole yuan; `None` = no such award then."""

    new_class_eligible_from: date
    new_class_affordable_yuan: Yuan
    new_class_other_yuan: Yuan
    operating_per_slot_year_yuan: Yuan
    operating_basis: OperatingBasis
    operating_prorated_by_days: bool
    demonstration_national_yuan: Yuan | None
    demonstration_provincial_yuan: Yuan | None
    demonstration_municipal_yuan: Yuan | None
    demonstration_award_rule: DemonstrationAwardRule
    comprehensive_centre_yuan: Yuan | None
    claim_eligibility_rules: tuple[EligibilityRule, ...]

    def demonstration_yuan(self, level: str) -> int | None:
        """Award for a demonstration `level` (national / provincial / municipal)."""
        if level not in ("national", "provincial", "municipal"):
            raise KeyError(f"未知示范级别 / unknown demonstration level: {level!r}")
        return getattr(self, f"demonstration_{level}_yuan")

    @model_validator(mode="after")
    def _levels_ordered(self):
        amounts = [
            a
            for a in (
                self.demonstration_national_yuan,
                self.demonstration_provincial_yuan,
                self.demonstration_municipal_yuan,
            )
            if a is not None
        ]
        if self.demonstration_award_rule == "highest_level_difference" and amounts != sorted(
            amounts, reverse=True
        ):
            raise ValueError(
                "按最高级别补差时，国家级 ≥ 省级 ≥ 市级 / highest_level_difference needs "
                "national ≥ provincial ≥ municipal"
            )
        return self


class FeesPolicy(Frozen):
    """P-V2023-1: affordable institutions charge monthly, at most N months in advance."""

    affordable_max_prepay_months: Positive | None


class OutbreakPolicy(Frozen):
    """P-HC-6 thresholds."""

    class_similar_cases_same_day: Positive
    class_similar_cases_in_window: Positive
    class_similar_window_days: Positive
    report_within_hours: Positive
    hfmd_class_cases: Positive
    hfmd_class_window_days: Positive
    hfmd_institution_cases: Positive
    hfmd_institution_window_days: Positive
    symptoms: FrozenMap


class HealthPolicy(Frozen):
    """P-HC-1, P-HC-2, P-HC-4, P-HC-5, P-HC-6."""

    reexam_after_absence_months: Positive
    exams_per_year_under_1: Positive
    exams_per_year_1_to_3: Positive
    exam_interval_months_1_to_3: Positive
    haemoglobin_tests_per_year: Positive
    hearing_screens_per_year_1_to_3: Positive
    # P-HC-4 (儿童入托、入学预防接种证查验办法, 2021): not in force before that version.
    vaccination_check_within_days: Later[Positive] = None
    staff_exam_interval_months: Positive
    # P-HC-7: month M's meal-fee account is published by this day of month M+1
    meal_account_publish_by_day: Annotated[int, Strict(), Ge(1), Le(28)]
    outbreak: OutbreakPolicy


class IndicatorsPolicy(Frozen):
    """Indicator definitions (§2, P-NAT-3)."""

    parenting_pass_mark: Rate
    health_management_definition: HealthManagementDefinition


CareMode = Literal[
    "family_care",
    "community",
    "social",
    "employer",
    "kindergarten_class",
    "public_private",
    "private_public_support",
]


class TaxPolicy(Frozen):
    """P-TAX-1."""

    care_income_counted_share: Rate
    # the service modes (P-MODE-1) that count as community care for the relief lists
    community_care_modes: tuple[CareMode, ...]


class RetentionPolicy(Frozen):
    """P-RET-1..6 ([operations] point 3, PIPL art. 19 and 47): how many years a personal
    record is kept after the relationship ends, before `core.retention` anonymises it."""

    child_after_withdrawal_years: Positive
    staff_after_leaving_years: Positive
    complaint_after_closing_years: Positive
    account_after_disabling_years: Positive
    login_attempts_years: Positive
    practitioner_credit_years: Positive


Points = Annotated[int, Strict()]
"""Credit points: negative for a bad event, positive for a good one."""
Weight = Annotated[Decimal, Ge(0)]


class SupervisionPolicy(Frozen):
    """P-SUP-4/5 ([supervision]): complaint routing and deadlines, rectification deadlines,
    credit points and ratings, risk weights."""

    # complaints (P-SUP-4): category → responsible department code; urgent categories →
    # the departments told at once (comma-separated codes)
    complaint_routing: FrozenMap
    complaint_urgent_categories: FrozenMap
    complaint_answer_days: Positive
    complaint_urgent_answer_days: Positive
    # rectification (P-SUP-3): days to rectify per finding severity
    rectification_days_minor: Positive
    rectification_days_serious: Positive
    rectification_days_critical: Positive
    # credit files (P-SUP-5): a base score, points per event kind, rating thresholds
    credit_base_score: Positive
    credit_points_serious_finding: Points
    credit_points_overdue_order: Points
    credit_points_substantiated_complaint: Points
    credit_points_penalty: Points
    credit_points_commendation: Points
    credit_points_demonstration: Points
    credit_rating_a_min: Positive
    credit_rating_b_min: Positive
    credit_rating_c_min: Positive
    # risk score (P-SUP-4): weight of each contribution; draw weight = 1 + score
    risk_weight_failed_item: Weight
    risk_weight_open_order: Weight
    risk_weight_overdue_order: Weight
    risk_weight_complaint: Weight
    risk_weight_outbreak_alert: Weight
    risk_weight_credit_step: Weight
    risk_weight_month_uninspected: Weight
    risk_weight_staffing_gap: Weight
    risk_lookback_days: Positive
    risk_max_months_uninspected: Positive

    @model_validator(mode="after")
    def _thresholds_ordered(self):
        if not (self.credit_rating_a_min > self.credit_rating_b_min > self.credit_rating_c_min):
            raise ValueError("信用等级分数线应 A > B > C / credit rating thresholds need A > B > C")
        return self


EducationLevel = Literal[
    "junior_middle", "senior_middle", "junior_college", "bachelor", "postgraduate"
]


class WorkforcePolicy(Frozen):
    """P-WF-1, P-STD-2, P-HC-5, P-TGT-8: which certificates count, warning windows, ages."""

    min_staff_age_years: Positive
    head_min_education: EducationLevel
    health_worker_certificate_kinds: FrozenMap
    certification_rate_kinds: FrozenMap
    certification_rate_roles: FrozenMap
    expiry_warning_days: Positive


class Policy(Frozen):
    """Every parameter in force on one date. Returned by `policy.at(date)`."""

    targets: TargetsPolicy
    classes: ClassesPolicy
    standards: StandardsPolicy
    filing: FilingPolicy
    subsidy: SubsidyPolicy
    fees: FeesPolicy
    health: HealthPolicy
    indicators: IndicatorsPolicy
    tax: TaxPolicy
    workforce: WorkforcePolicy
    supervision: SupervisionPolicy
    retention: RetentionPolicy

    @model_validator(mode="after")
    def _no_class_below_min_age(self):
        for key, cls in self.classes.items():
            if cls.min_age_months < self.standards.min_age_months:
                raise ValueError(
                    f"classes.{key}.min_age_months ({cls.min_age_months}) 低于 "
                    f"standards.min_age_months ({self.standards.min_age_months}) / a class "
                    "admits children younger than the minimum age (P-STD-1)"
                )
        return self


# --- the file forms ------------------------------------------------------------------------


class LeafMeta(BaseModel):
    """Where a number comes from. Every leaf carries it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ref: Ref
    source: Annotated[str, Field(min_length=1)]
    confidence: Confidence
    note: str | None = None
    decision: bool = False
    """True for a choice made where the text is ambiguous (POLICY.md: **Decision**)."""

    @model_validator(mode="after")
    def _explain_doubt(self):
        if (self.confidence == "U" or self.decision) and not (self.note or "").strip():
            raise ValueError(
                "待核实 (U) 或决定 (decision) 的参数须有 note 说明 / a U-confidence or "
                "decision parameter needs a note"
            )
        return self


class Leaf(LeafMeta, Generic[T]):
    """`{value: …, ref: P-SUB-1, source: "…", confidence: A|B|U, note?: "…"}`."""

    value: T

    def resolved(self):
        return self.value


class TargetLeaf(LeafMeta):
    """A target leaf: `{value, deadline, kind, comparison?, baseline_year?, ref, source, …}`."""

    value: Decimal | None
    deadline: date
    kind: TargetKind
    comparison: Comparison = ">="
    baseline_year: int | None = None

    @model_validator(mode="after")
    def _target_rules(self):
        _check_target(self.kind, self.value)
        return self

    def resolved(self) -> Target:
        return Target(
            value=self.value,
            deadline=self.deadline,
            kind=self.kind,
            comparison=self.comparison,
            baseline_year=self.baseline_year,
        )


COMPOSITE_LEAVES: dict[type, type[LeafMeta]] = {Target: TargetLeaf}
"""Resolved value types whose YAML leaf has more fields than `value`."""


class VersionHeader(BaseModel):
    """The `version:` block of a YAML file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: VersionId
    title: Annotated[str, Field(min_length=1)]
    source: Annotated[str, Field(min_length=1)]
    confidence: Confidence
    effective_from: date
    effective_to: date | None = None
    """Inclusive; null = open-ended."""
    ref: Ref | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _range_ordered(self):
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(
                "effective_to 早于 effective_from / effective_to is before effective_from"
            )
        return self

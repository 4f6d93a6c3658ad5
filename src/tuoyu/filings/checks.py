"""What a filing application must contain and what it is checked against (P-FIL-1,
P-REG-12, P-STD-1..5, P-MODE-1/3): the facts of the form, their validation, the required
materials, the subjects a change touches, completeness errors and standard warnings.

Pure functions over an application and the policy in force; the services call them inside
their transactions, the pages call them to show what is missing.

Facts (`FilingApplication.facts`):

    {"basic": {operating_mode, institution_form, legal_representative, address, township,
               community, latitude, longitude, indoor_area_m2, outdoor_area_m2,
               opening_hours, monthly_fee_yuan, serves_meals},
     "staff": {role: {"count": n, "certified": n}} for the roles of STAFF_ROLES,
     "standards": {                                   # P-STD-2 / P-STD-3, see STANDARD_FACTS
         head_education,            # postgraduate | bachelor | college | secondary
         head_experience_years,     # int, years in care / education / health management
         head_post_training,        # bool: head-of-centre post training (岗位培训)
         health_workers_full_time,  # int ≤ staff.health_worker.count (the count itself
                                    #   is the staff section's, kept once)
         health_worker_mch_trained, # bool: trained by a 妇幼保健机构
         security_guard_licensed,   # bool: 保安员证, placed by a licensed security company
         premises_tenure,           # owned | leased
         lease_years,               # int, the lease term (None when owned)
         living_floor_lowest, living_floor_highest,   # int ≥ 1, children's living rooms
         living_underground,        # bool: any living room underground
         window_area_m2, living_room_area_m2,         # window-to-floor ratio of those rooms
         observation_room_m2,       # decimal: the health observation room (0 = none)
         observation_bed},          # bool: it has an observation bed
     "pushed_premises": {address, township, event_id, occurred_at}
                                    # a registration `changed` push that moved the premises
                                    #   of a filed institution (P-FIL-3), see receivers.py
     "classes_close": [class ids to close]            # change applications only
     "classes": [{id, name, class_type, capacity, action}]   # snapshot taken at submission
     "cancellation": {"cancelled_on", "reason"}}      # cancellation applications only

`township` and `community` are region codes; decimals are kept as strings, money as int yuan.

Standards (P-STD-1/2/3/5): what the policy says *must* hold refuses the submission
(`submission_errors`, each a `RuleErrorItem` naming its rule: the message in words, the rule
id as small print and in the API's `rule`): the head's education (大专 or higher), years and
post training; at least `min_health_workers` health workers, trained by a 妇幼保健机构, one
full time from `full_time_health_worker_threshold_children` children; a licensed security
guard; premises owned or leased ≥ `premises_min_lease_years`; living rooms on floor
`max_living_floor` or lower, never underground; windows ≥ `min_window_floor_ratio` of the
floor; an observation room ≥ `health_observation_room_min_m2` with a bed; caregivers at least
the class ratios (P-STD-1 "ratios are minimums"). A home care point (family_care) answers to
P-STD-5 instead of P-STD-2/3 (家庭托育点管理办法: ≤ N children, ≤ M children per caregiver,
each only while the policy in force sets it). The area per child (P-STD-3) stays a warning
(`filing_warnings`): its figure is a draft the district chose ([U], a Decision).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tuoyu import policy
from tuoyu.core.bounds import too_long_item
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, ErrorItem
from tuoyu.filings.catalogue import FilingsError
from tuoyu.filings.models import FilingApplication, FilingMaterial, Subject
from tuoyu.institutions.catalogue import InstitutionsError
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.institutions.models.institution import InstitutionForm, OperatingMode
from tuoyu.institutions.services.classes import class_size_error
from tuoyu.regions.catalogue import RegionsError
from tuoyu.regions.models import Region

ALL_SUBJECTS: tuple[str, ...] = tuple(Subject.values)
# The subjects that judge the premises (P-FIL-3: a move is reviewed on them).
PREMISES = frozenset({Subject.FIRE, Subject.SECURITY, Subject.HEALTH_CARE})

# --- basic facts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FactField:
    name: str
    label: str
    kind: str  # choice | text | region | decimal | int | bool
    required: bool = True
    max_length: int | None = None


BASIC_FACTS: tuple[FactField, ...] = (
    FactField("operating_mode", _("服务模式"), "choice"),
    FactField("institution_form", _("机构形态"), "choice"),
    FactField("legal_representative", _("法定代表人"), "text", max_length=60),
    FactField("address", _("地址"), "text", max_length=200),
    FactField("township", _("所在镇乡街道"), "region"),
    FactField("community", _("所在村（社区）"), "region"),
    FactField("latitude", _("纬度"), "decimal"),
    FactField("longitude", _("经度"), "decimal"),
    FactField("indoor_area_m2", _("室内面积（㎡）"), "decimal"),
    FactField("outdoor_area_m2", _("室外面积（㎡）"), "decimal"),
    FactField("opening_hours", _("服务时间"), "text", max_length=100),
    FactField("monthly_fee_yuan", _("月收费（元）"), "int"),
    FactField("serves_meals", _("提供膳食"), "bool", required=False),
)
BASIC_FACT_NAMES = tuple(f.name for f in BASIC_FACTS)
CHOICES = {"operating_mode": OperatingMode, "institution_form": InstitutionForm}
# Coordinates: a sanity box around mainland China (schematic position only, no map).
LAT_RANGE = (Decimal("3"), Decimal("54"))
LNG_RANGE = (Decimal("73"), Decimal("136"))
# [hardening] point 6: technical bounds, checked before the database (the columns would
# take more, but nothing real comes near): no childcare fee reaches a million yuan a month,
# no premises 100,000 ㎡, no role 10,000 people. A fee of 10^20 saved on a change used to
# crash 区卫健局's approval with a 500 (PositiveIntegerField) and leave it stuck; an area
# of 1e30 crashed the save (quantize).
MAX_MONTHLY_FEE_YUAN = 1_000_000  # exclusive
MAX_AREA_M2 = 100_000  # exclusive
MAX_STAFF_PER_ROLE = 10_000

# [hardening] point 7: what people type into the workflow, limited to fit its use (a
# 100,000-character return reason made the institution's page 88,000 px tall). The forms
# show each limit (maxlength and "最多 N 字").
RETURN_REASON_MAX = 300  # one reason (one line of the return form)
RETURN_REASONS_MAX = 20  # reasons in one return
REVIEW_COMMENT_MAX = 500
DECISION_NOTE_MAX = 1000
CANCELLATION_REASON_MAX = 500
WITHDRAW_REASON_MAX = 500

STAFF_ROLES: tuple[tuple[str, object], ...] = (
    ("principal", _("负责人")),
    ("caregiver", _("保育人员")),
    ("health_worker", _("保健人员")),
    ("cook", _("炊事人员")),
    ("security", _("保安人员")),
    ("other", _("其他人员")),
)
STAFF_ROLE_NAMES = tuple(r for r, _label in STAFF_ROLES)

# --- the standards section (P-STD-2, P-STD-3) ----------------------------------------------

EDUCATION_LEVELS: tuple[tuple[str, object], ...] = (
    ("postgraduate", _("研究生")),
    ("bachelor", _("本科")),
    ("college", _("大专")),
    ("secondary", _("中专及以下")),
)
# P-STD-2: the head holds 大专 (junior college) or higher — a level the rule names, not a number.
HEAD_EDUCATION_AT_LEAST = frozenset({"postgraduate", "bachelor", "college"})
TENURES: tuple[tuple[str, object], ...] = (("owned", _("自有")), ("leased", _("租赁")))
# Technical bounds (far above anything real): a career, a lease, a building.
MAX_YEARS = 100
MAX_FLOOR = 200

_HEAD = frozenset({Subject.SECURITY, Subject.HEALTH_CARE})
_ROOMS = frozenset({Subject.FIRE, Subject.HEALTH_CARE})


@dataclass(frozen=True)
class StandardField:
    """One fact of the standards section: `shown_to` the subject reviewers who judge it on
    the application's page, `reviewed_by` the subjects a change of it is reviewed on."""

    name: str
    label: str
    kind: str  # choice | int | decimal | bool
    shown_to: frozenset[str]
    reviewed_by: frozenset[str]
    required: bool = True
    low: int = 0  # int bounds (inclusive)
    high: int = MAX_YEARS


STANDARD_FACTS: tuple[StandardField, ...] = (
    # the head: every reviewer sees who runs the institution; a change is a staff change
    StandardField("head_education", _("负责人学历"), "choice", frozenset(ALL_SUBJECTS), _HEAD),
    StandardField(
        "head_experience_years",
        _("负责人从事托育、教育、卫生健康管理工作年限"),
        "int",
        frozenset(ALL_SUBJECTS),
        _HEAD,
    ),
    StandardField(
        "head_post_training",
        _("负责人经托育机构负责人岗位培训"),
        "bool",
        frozenset(ALL_SUBJECTS),
        _HEAD,
        required=False,
    ),
    StandardField(
        "health_workers_full_time",
        _("其中专职保健人员人数"),
        "int",
        frozenset({Subject.HEALTH_CARE}),
        frozenset({Subject.HEALTH_CARE}),
        high=MAX_STAFF_PER_ROLE,
    ),
    StandardField(
        "health_worker_mch_trained",
        _("保健人员经妇幼保健机构培训"),
        "bool",
        frozenset({Subject.HEALTH_CARE}),
        frozenset({Subject.HEALTH_CARE}),
        required=False,
    ),
    StandardField(
        "security_guard_licensed",
        _("保安人员持保安员证，由取得许可的保安服务公司派驻"),
        "bool",
        frozenset({Subject.SECURITY}),
        frozenset({Subject.SECURITY}),
        required=False,
    ),
    StandardField("premises_tenure", _("房屋产权"), "choice", PREMISES, PREMISES),
    StandardField("lease_years", _("租期（年）"), "int", PREMISES, PREMISES, required=False),
    StandardField(
        "living_floor_lowest",
        _("婴幼儿生活用房最低楼层"),
        "int",
        _ROOMS,
        PREMISES,
        low=1,
        high=MAX_FLOOR,
    ),
    StandardField(
        "living_floor_highest",
        _("婴幼儿生活用房最高楼层"),
        "int",
        _ROOMS,
        PREMISES,
        low=1,
        high=MAX_FLOOR,
    ),
    StandardField(
        "living_underground",
        _("有生活用房设在地下或半地下"),
        "bool",
        _ROOMS,
        PREMISES,
        required=False,
    ),
    StandardField("window_area_m2", _("生活用房窗洞面积（㎡）"), "decimal", _ROOMS, PREMISES),
    StandardField("living_room_area_m2", _("生活用房地面面积（㎡）"), "decimal", _ROOMS, PREMISES),
    StandardField(
        "observation_room_m2",
        _("保健观察室面积（㎡，无则填 0）"),
        "decimal",
        frozenset({Subject.HEALTH_CARE}),
        frozenset({Subject.HEALTH_CARE}),
    ),
    StandardField(
        "observation_bed",
        _("保健观察室设观察床"),
        "bool",
        frozenset({Subject.HEALTH_CARE}),
        frozenset({Subject.HEALTH_CARE}),
        required=False,
    ),
)
STANDARD_FACT_NAMES = tuple(f.name for f in STANDARD_FACTS)
STANDARD_CHOICES = {"head_education": EDUCATION_LEVELS, "premises_tenure": TENURES}

# The rules the standards cite, in words (people see words; the rule id is small print).
RULE_NAMES = {
    "P-STD-1": _("《托育机构设置标准（试行）》人员配比"),
    "P-STD-2": _("《托育机构设置标准（试行）》人员资质"),
    "P-STD-3": _("《托育机构设置标准（试行）》场地设施"),
    "P-STD-5": _("《家庭托育点管理办法（试行）》"),
}


@dataclass(frozen=True)
class RuleErrorItem(ErrorItem):
    """An error or warning against a rule of the policy: `rule` is its id (P-STD-2 …),
    shown as small print on the page and given to the API as `rule`."""

    rule: str = ""

    def as_dict(self) -> dict:
        out = super().as_dict()
        if self.rule:
            out["rule"] = self.rule
        return out


def rule_item(code, rule: str, message: str, field: str | None) -> RuleErrorItem:
    """The message "不符合《…》：…" — the rule named in words, its id kept on the item."""
    return RuleErrorItem(
        code,
        gettext("不符合%(rule)s：%(what)s") % {"rule": RULE_NAMES[rule], "what": message},
        field=field,
        rule=rule,
    )


# --- which subjects a change touches (P-FIL-3) ---------------------------------------------
# A change filing is reviewed only on the subjects its changed facts concern; a change that
# touches none (fee, legal representative, mode, form, opening hours) goes straight to
# 区卫健局 for decision.
FACT_SUBJECTS: dict[str, frozenset[str]] = {
    "address": PREMISES,
    "township": PREMISES,
    "community": PREMISES,
    "latitude": PREMISES,
    "longitude": PREMISES,
    "indoor_area_m2": PREMISES,
    "outdoor_area_m2": PREMISES,
    "serves_meals": frozenset({Subject.FOOD}),
    "classes": frozenset({Subject.FIRE, Subject.HEALTH_CARE}),
    "staff": frozenset({Subject.SECURITY, Subject.HEALTH_CARE}),
    "operating_mode": frozenset(),
    "institution_form": frozenset(),
    "legal_representative": frozenset(),
    "opening_hours": frozenset(),
    "monthly_fee_yuan": frozenset(),
}
# A material uploaded with a change brings the subject that judges it into the review.
MATERIAL_SUBJECTS: dict[str, frozenset[str]] = {
    FilingMaterial.Kind.FIRE_INSPECTION: frozenset({Subject.FIRE}),
    FilingMaterial.Kind.FOOD_LICENCE: frozenset({Subject.FOOD}),
    FilingMaterial.Kind.HYGIENE_EVALUATION: frozenset({Subject.HEALTH_CARE}),
    FilingMaterial.Kind.PREMISES_PROOF: PREMISES,
    FilingMaterial.Kind.STAFF_QUALIFICATIONS: frozenset({Subject.HEALTH_CARE}),
}

# --- materials (P-FIL-1) -------------------------------------------------------------------

INITIAL_MATERIALS = (
    FilingMaterial.Kind.COMMITMENT_LETTER,
    FilingMaterial.Kind.BUSINESS_LICENCE,
    FilingMaterial.Kind.PREMISES_PROOF,
    FilingMaterial.Kind.STAFF_QUALIFICATIONS,
    FilingMaterial.Kind.HYGIENE_EVALUATION,
    FilingMaterial.Kind.FIRE_INSPECTION,
)
DEFAULT_MATERIAL_MAX_BYTES = 10 * 1024 * 1024


def material_max_bytes() -> int:
    """Upload limit (a technical limit, not a policy number): settings override."""
    return int(getattr(settings, "TUOYU_FILING_MATERIAL_MAX_BYTES", DEFAULT_MATERIAL_MAX_BYTES))


def required_materials(application: FilingApplication, basic: dict, before: dict) -> list[str]:
    """P-FIL-1: every initial filing needs the commitment letter and the scans; the food
    business licence only if meals are served. A change needs the proof of the premises when
    the address or premises change, and the food licence when meals start."""
    if application.kind == FilingApplication.Kind.INITIAL:
        kinds = list(INITIAL_MATERIALS)
        if basic.get("serves_meals"):
            kinds.append(FilingMaterial.Kind.FOOD_LICENCE)
        return kinds
    if application.kind == FilingApplication.Kind.CHANGE:
        kinds = []
        changed = changed_fact_names(before, basic)
        premises = {"address", "township", "community", "indoor_area_m2", "outdoor_area_m2"}
        if premises & set(changed):
            kinds.append(FilingMaterial.Kind.PREMISES_PROOF)
        if basic.get("serves_meals") and not before.get("serves_meals"):
            kinds.append(FilingMaterial.Kind.FOOD_LICENCE)
        return kinds
    return []


# --- validation of the form's values -------------------------------------------------------


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError from None
    if not d.is_finite():
        raise ValueError
    return d


def clean_basic(data: dict, *, institution: Institution) -> dict:
    """Validate the values typed into the basic-facts section (format and consistency, not
    completeness: a draft may be saved half filled). Raises DomainError with every problem;
    returns the normalised dict (strings stripped, decimals as strings, money as int)."""
    errors: list[ErrorItem] = []
    out: dict = {}

    def bad(code, message, name):
        errors.append(ErrorItem(code=code, message=str(message), field=name))

    for f in BASIC_FACTS:
        raw = data.get(f.name)
        if f.kind == "bool":
            out[f.name] = raw in (True, "true", "on", "1", 1, "True")
            continue
        value = raw.strip() if isinstance(raw, str) else raw
        if value in (None, ""):
            out[f.name] = None if f.kind in ("decimal", "int", "region") else ""
            continue
        cleaned = _clean_fact_value(f, value, bad)
        if cleaned is not None:
            out[f.name] = cleaned
    _check_fact_regions(out, bad)
    if errors:
        raise DomainError(errors=errors)
    return out


def _clean_fact_value(f: FactField, value, bad: Callable[..., None]):
    """One filled-in basic fact normalised by its kind (choice, text, decimal, int, region);
    None after reporting it through `bad` when it is not a valid value."""
    if f.kind == "choice":
        if value not in CHOICES[f.name].values:
            bad(CoreError.INVALID_CHOICE, _("%(label)s的取值无效") % {"label": f.label}, f.name)
            return None
        return value
    if f.kind == "text":
        if f.max_length and len(value) > f.max_length:
            item = too_long_item(field=f.name, label=str(f.label), limit=f.max_length)
            bad(item.code, item.message, f.name)
            return None
        return value
    if f.kind == "decimal":
        return _clean_decimal_fact(f, value, bad)
    if f.kind == "int":
        try:
            n = int(str(value).strip())
        except ValueError:
            bad(
                FilingsError.NUMBER_INVALID,
                _("%(label)s应为整数（元）") % {"label": f.label},
                f.name,
            )
            return None
        if n < 0:
            bad(
                FilingsError.NUMBER_INVALID,
                _("%(label)s不能为负数") % {"label": f.label},
                f.name,
            )
            return None
        if n >= MAX_MONTHLY_FEE_YUAN:
            bad(
                CoreError.OUT_OF_RANGE,
                _("%(label)s应小于 %(max)s 元") % {"label": f.label, "max": MAX_MONTHLY_FEE_YUAN},
                f.name,
            )
            return None
        return n
    if f.kind == "region":
        return str(value)
    return None


def _clean_decimal_fact(f: FactField, value, bad: Callable[..., None]) -> str | None:
    """A decimal fact: a number; coordinates inside the sanity box (6 places), areas not
    negative (2 places); None after reporting it through `bad` otherwise."""
    try:
        d = _decimal(value)
    except ValueError:
        bad(FilingsError.NUMBER_INVALID, _("%(label)s应为数字") % {"label": f.label}, f.name)
        return None
    if f.name == "latitude" and not (LAT_RANGE[0] <= d <= LAT_RANGE[1]):
        bad(FilingsError.COORDINATES_INVALID, _("纬度超出范围"), f.name)
        return None
    if f.name == "longitude" and not (LNG_RANGE[0] <= d <= LNG_RANGE[1]):
        bad(FilingsError.COORDINATES_INVALID, _("经度超出范围"), f.name)
        return None
    if f.name.endswith("_m2") and d < 0:
        bad(
            FilingsError.NUMBER_INVALID,
            _("%(label)s不能为负数") % {"label": f.label},
            f.name,
        )
        return None
    if f.name.endswith("_m2") and d >= MAX_AREA_M2:
        bad(
            CoreError.OUT_OF_RANGE,
            _("%(label)s应小于 %(max)s ㎡") % {"label": f.label, "max": MAX_AREA_M2},
            f.name,
        )
        return None
    places = Decimal("0.000001") if f.name in ("latitude", "longitude") else Decimal("0.01")
    return str(d.quantize(places))


def stored_basic_errors(basic: dict) -> list[ErrorItem]:
    """The stored basic facts checked again against the bounds of `clean_basic` (a draft
    saved before a bound existed must not reach the database through an approval)."""
    errors: list[ErrorItem] = []

    def bad(code, message, name):
        errors.append(ErrorItem(code=code, message=str(message), field=name))

    for f in BASIC_FACTS:
        value = (basic or {}).get(f.name)
        if f.kind in ("bool", "region") or value in (None, ""):
            continue
        _clean_fact_value(f, value, bad)
    return errors


def _check_fact_regions(out: dict, bad: Callable[..., None]) -> None:
    """The township must be one of this district's, the community must exist and lie in
    the chosen township; an unknown code is reported through `bad` and cleared."""
    township_code = out.get("township")
    if township_code:
        township = Region.objects.filter(code=township_code, level=Region.Level.TOWNSHIP).first()
        if township is None or not township.code.startswith(settings.TUOYU_DISTRICT_CODE):
            bad(RegionsError.UNKNOWN_REGION, _("所在镇乡街道不在本区"), "township")
            out["township"] = None
    community_code = out.get("community")
    if community_code:
        community = Region.objects.filter(code=community_code, level=Region.Level.VILLAGE).first()
        if community is None:
            bad(RegionsError.UNKNOWN_REGION, _("所在村（社区）不存在"), "community")
            out["community"] = None
        elif out.get("township") and community.parent.code != out["township"]:
            bad(
                FilingsError.COMMUNITY_OUTSIDE_TOWNSHIP,
                _("所选村（社区）不属于所选镇乡街道"),
                "community",
            )


def clean_staff(data: dict) -> dict:
    """Counts by role (P-STD-2 roles); certified ≤ count."""
    errors: list[ErrorItem] = []
    out: dict = {}
    for role, label in STAFF_ROLES:
        row = data.get(role) or {}
        values = {}
        for key in ("count", "certified"):
            raw = row.get(key, 0)
            try:
                n = int(str(raw).strip() or 0)
            except ValueError:
                n = -1
            if n > MAX_STAFF_PER_ROLE:
                errors.append(
                    ErrorItem(
                        code=CoreError.OUT_OF_RANGE,
                        message=str(
                            _("%(label)s人数不能超过 %(max)s")
                            % {"label": label, "max": MAX_STAFF_PER_ROLE}
                        ),
                        field=f"staff.{role}.{key}",
                    )
                )
                n = 0
            if n < 0:
                errors.append(
                    ErrorItem(
                        code=FilingsError.NUMBER_INVALID,
                        message=str(_("%(label)s人数应为非负整数") % {"label": label}),
                        field=f"staff.{role}.{key}",
                    )
                )
                n = 0
            values[key] = n
        if values["certified"] > values["count"]:
            errors.append(
                ErrorItem(
                    code=FilingsError.CERTIFIED_EXCEEDS_COUNT,
                    message=str(_("%(label)s持证人数不能多于总人数") % {"label": label}),
                    field=f"staff.{role}.certified",
                )
            )
        out[role] = values
    if errors:
        raise DomainError(errors=errors)
    return out


def _truthy(raw) -> bool:
    return raw in (True, "true", "on", "1", 1, "True")


def clean_standards(data: dict) -> dict:
    """Validate the standards section (P-STD-2 / P-STD-3) for format and consistency, not
    completeness nor the standards themselves (a draft may be saved half filled; the rules
    are `standards_errors` at submission). Raises DomainError with every problem, each with
    its field `standards.<name>`; returns the normalised dict (ints, decimals as strings with
    2 places, bools; `lease_years` None unless leased)."""
    errors: list[ErrorItem] = []
    out: dict = {}

    def bad(code, message, name):
        errors.append(ErrorItem(code=code, message=str(message), field=f"standards.{name}"))

    for f in STANDARD_FACTS:
        raw = (data or {}).get(f.name)
        if f.kind == "bool":
            out[f.name] = _truthy(raw)
            continue
        value = raw.strip() if isinstance(raw, str) else raw
        if value in (None, ""):
            out[f.name] = "" if f.kind == "choice" else None
            continue
        out[f.name] = _clean_standard_value(f, value, bad)
    if out.get("premises_tenure") != "leased":
        out["lease_years"] = None
    low, high = out.get("living_floor_lowest"), out.get("living_floor_highest")
    if low is not None and high is not None and high < low:
        bad(
            FilingsError.FLOOR_RANGE_INVALID,
            _("最高楼层不能低于最低楼层"),
            "living_floor_highest",
        )
    if errors:
        raise DomainError(errors=errors)
    return out


def _clean_standard_value(f: StandardField, value, bad: Callable[..., None]):
    """One filled-in standards fact normalised by its kind; None after reporting it."""
    if f.kind == "choice":
        if value not in {v for v, _label in STANDARD_CHOICES[f.name]}:
            bad(CoreError.INVALID_CHOICE, _("%(label)s的取值无效") % {"label": f.label}, f.name)
            return None
        return value
    if f.kind == "int":
        try:
            n = int(str(value).strip())
        except ValueError:
            bad(FilingsError.NUMBER_INVALID, _("%(label)s应为整数") % {"label": f.label}, f.name)
            return None
        if not f.low <= n <= f.high:
            bad(
                CoreError.OUT_OF_RANGE,
                _("%(label)s应在 %(min)s 至 %(max)s 之间")
                % {"label": f.label, "min": f.low, "max": f.high},
                f.name,
            )
            return None
        return n
    try:
        d = _decimal(value)
    except ValueError:
        bad(FilingsError.NUMBER_INVALID, _("%(label)s应为数字") % {"label": f.label}, f.name)
        return None
    if d < 0:
        bad(FilingsError.NUMBER_INVALID, _("%(label)s不能为负数") % {"label": f.label}, f.name)
        return None
    if d >= MAX_AREA_M2:
        bad(
            CoreError.OUT_OF_RANGE,
            _("%(label)s应小于 %(max)s ㎡") % {"label": f.label, "max": MAX_AREA_M2},
            f.name,
        )
        return None
    return str(d.quantize(Decimal("0.01")))


def standards_changed_names(before: dict, after: dict) -> list[str]:
    """Standards facts whose value differs (numbers compared as numbers)."""
    before, after = before or {}, after or {}
    return [n for n in STANDARD_FACT_NAMES if not _same(before.get(n), after.get(n))]


def standards_by_subject(
    standards: dict, staff: dict, subjects: list[str] | None = None
) -> list[tuple[object, list[tuple[object, str]]]]:
    """What each subject reviewer judges of the standards section (P-STD-2/3), for the
    application's page: [(subject label, [(fact label, shown value)])] for `subjects`
    (None: all four). The health workers' count is the staff section's."""
    standards = standards or {}
    health = int(((staff or {}).get("health_worker") or {}).get("count", 0))
    out = []
    for subject in ALL_SUBJECTS:
        if subjects is not None and subject not in subjects:
            continue
        rows: list[tuple[object, str]] = []
        for f in STANDARD_FACTS:
            if subject not in f.shown_to:
                continue
            if f.name == "health_workers_full_time":
                rows.append((_("保健人员人数"), str(health)))
            if f.name == "lease_years" and standards.get("premises_tenure") != "leased":
                continue
            rows.append((f.label, standard_display(f, standards.get(f.name))))
        if subject in _ROOMS:
            ratio = window_floor_ratio(standards)
            rows.append((_("窗地面积比"), "—" if ratio is None else f"{ratio:.2f}"))
        out.append((Subject(subject).label, rows))
    return out


def standard_display(f: StandardField, value) -> str:
    if f.kind == "bool":
        return str(_("是") if value else _("否"))
    if value in (None, ""):
        return "—"
    if f.kind == "choice":
        return str(dict(STANDARD_CHOICES[f.name]).get(value, value))
    return str(value)


def window_floor_ratio(standards: dict) -> Decimal | None:
    """Window area over the living rooms' floor area (P-STD-3), None when not computable."""
    try:
        window = _decimal((standards or {}).get("window_area_m2"))
        floor = _decimal((standards or {}).get("living_room_area_m2"))
    except ValueError:
        return None
    if window is None or not floor:
        return None
    return window / floor


# --- facts of the institution and of an application ----------------------------------------


def institution_basic_facts(institution: Institution) -> dict:
    """The filed basic facts of the institution, in the facts form."""

    def dec(v):
        return None if v is None else str(v)

    return {
        "operating_mode": institution.operating_mode,
        "institution_form": institution.institution_form,
        "legal_representative": institution.legal_representative,
        "address": institution.address,
        "township": institution.township.code if institution.township_id else None,
        "community": institution.community.code if institution.community_id else None,
        "latitude": dec(institution.latitude),
        "longitude": dec(institution.longitude),
        "indoor_area_m2": dec(institution.indoor_area_m2),
        "outdoor_area_m2": dec(institution.outdoor_area_m2),
        "opening_hours": institution.opening_hours,
        "monthly_fee_yuan": institution.monthly_fee_yuan,
        "serves_meals": institution.serves_meals,
    }


def institution_facts(institution: Institution) -> dict:
    """The filed facts (basic + staff + standards + filed classes) for before/after
    comparison and to prefill a change filing."""
    classes = [
        {"id": c.pk, "name": c.name, "class_type": c.class_type, "capacity": c.capacity}
        for c in institution.classes.filter(status=CareClass.Status.FILED).order_by("pk")
    ]
    return {
        "basic": institution_basic_facts(institution),
        "staff": institution.staff_summary or {},
        "standards": institution.filed_standards or {},
        "classes": classes,
    }


def pushed_premises_apply(basic: dict, pushed: dict) -> dict:
    """The basic facts with the premises a registration push moved (P-FIL-3): the pushed
    address and township; a new township clears the community (it lay in the old one, the
    institution chooses the new one)."""
    out = dict(basic or {})
    if pushed.get("address"):
        out["address"] = pushed["address"]
    if pushed.get("township") and pushed["township"] != out.get("township"):
        out["township"] = pushed["township"]
        out["community"] = None
    return out


def pushed_premises_pending(institution: Institution) -> dict | None:
    """The premises the registration authority last pushed for the institution (recorded
    on an application, `facts["pushed_premises"]`, P-FIL-3) while they are not yet its
    filed premises: a change filing is still required. None otherwise."""
    latest = (
        FilingApplication.objects.filter(
            institution_id=institution.pk, facts__has_key="pushed_premises"
        )
        .order_by("-pk")
        .values_list("facts", flat=True)
        .first()
    )
    if not latest:
        return None
    pushed = latest["pushed_premises"]
    filed_township = institution.township.code if institution.township_id else None
    moved = (pushed.get("address") and pushed["address"] != institution.address) or (
        pushed.get("township") and pushed["township"] != filed_township
    )
    return pushed if moved else None


def changed_fact_names(before: dict, after: dict) -> list[str]:
    """Basic facts whose value differs (decimals compared as numbers)."""
    out = []
    for name in BASIC_FACT_NAMES:
        a, b = before.get(name), after.get(name)
        if _same(a, b):
            continue
        out.append(name)
    return out


def _same(a, b) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return a == b


def open_classes(application: FilingApplication) -> list[dict]:
    """The classes as the application would leave them: proposed classes are added, filed
    ones kept unless listed for closing. Live while editable; the snapshot once submitted."""
    if (
        application.status
        not in (
            FilingApplication.Status.DRAFT,
            FilingApplication.Status.RETURNED,
        )
        and "classes" in application.facts
    ):
        return list(application.facts["classes"])
    close = set(application.facts.get("classes_close") or [])
    rows = []
    for c in (
        CareClass.objects.filter(institution_id=application.institution_id)
        .exclude(status=CareClass.Status.CLOSED)
        .order_by("class_type", "name")
    ):
        if c.status == CareClass.Status.PROPOSED:
            action = "add"
        elif c.pk in close:
            action = "close"
        else:
            action = "keep"
        rows.append(
            {
                "id": c.pk,
                "name": c.name,
                "class_type": c.class_type,
                "capacity": c.capacity,
                "action": action,
            }
        )
    return rows


def slots_after(classes: list[dict]) -> int:
    return sum(c["capacity"] for c in classes if c["action"] != "close")


def touched_subjects(
    application: FilingApplication,
    basic: dict,
    before: dict,
    classes,
    staff,
    old_staff,
    *,
    standards: dict | None = None,
    old_standards: dict | None = None,
) -> list[str]:
    """The subjects an application is reviewed on: all four for an initial filing; for a
    change, those its changed facts, standards (StandardField.reviewed_by: the premises'
    tenure, floors and windows → 消防, 安全保卫, 卫生保健; the head → 安全保卫, 卫生保健; the
    guard → 安全保卫; health worker and observation room → 卫生保健) and new materials concern
    (FACT_SUBJECTS, MATERIAL_SUBJECTS); none for a cancellation (decided by 区卫健局)."""
    if application.kind == FilingApplication.Kind.INITIAL:
        return list(ALL_SUBJECTS)
    if application.kind != FilingApplication.Kind.CHANGE:
        return []
    subjects: set[str] = set()
    for name in changed_fact_names(before, basic):
        subjects |= FACT_SUBJECTS.get(name, frozenset())
    if any(c["action"] != "keep" for c in classes):
        subjects |= FACT_SUBJECTS["classes"]
    if _staff_changed(old_staff, staff):
        subjects |= FACT_SUBJECTS["staff"]
    if standards is not None:
        by_name = {f.name: f for f in STANDARD_FACTS}
        for name in standards_changed_names(old_standards, standards):
            subjects |= by_name[name].reviewed_by
    for kind in application.materials.filter(superseded=False).values_list("kind", flat=True):
        subjects |= MATERIAL_SUBJECTS.get(kind, frozenset())
    return [s for s in ALL_SUBJECTS if s in subjects]


def _staff_changed(old: dict, new: dict) -> bool:
    if not new:
        return False
    for role in STAFF_ROLE_NAMES:
        o = (old or {}).get(role) or {"count": 0, "certified": 0}
        n = new.get(role) or {"count": 0, "certified": 0}
        if int(o.get("count", 0)) != int(n.get("count", 0)) or int(o.get("certified", 0)) != int(
            n.get("certified", 0)
        ):
            return True
    return False


# --- completeness and warnings -------------------------------------------------------------


def submission_errors(
    application: FilingApplication, *, on: dt.date, commitment_accepted: bool
) -> list[ErrorItem]:
    """Everything that keeps the application from being submitted, each a specific error."""
    institution = application.institution
    errors = _institution_state_errors(institution)
    if errors:
        return errors
    basic = application.facts.get("basic") or {}
    staff = application.facts.get("staff") or {}
    classes = open_classes(application)
    current = policy.at(on)
    if application.kind in (FilingApplication.Kind.INITIAL, FilingApplication.Kind.CHANGE):
        errors += _basic_fact_errors(basic)
        errors += stored_basic_errors(basic)
        live = [c for c in classes if c["action"] != "close"]
        errors += _class_errors(live, on=on)
        mode = basic.get("operating_mode")
        if mode == OperatingMode.KINDERGARTEN_CLASS:
            errors += _nursery_class_age_errors(live, current)
        errors += _staff_errors(staff)
        standards = application.facts.get("standards") or {}
        if mode == OperatingMode.FAMILY_CARE:
            errors += _home_care_point_errors(live, staff, current)
        else:
            errors += _caregiver_ratio_errors(live, staff, current)
            errors += standards_errors(standards, staff, slots=slots_after(live), current=current)
        if application.kind == FilingApplication.Kind.CHANGE:
            before = institution_basic_facts(institution)
            errors += _no_change_errors(institution, before, basic, classes, staff, standards)
        else:
            before = {}
        errors += _material_errors(application, basic, before)
    if not commitment_accepted:
        errors.append(
            ErrorItem(
                FilingsError.COMMITMENT_REQUIRED,
                gettext("请阅读并确认承诺书内容"),
                field="commitment_accepted",
            )
        )
    return errors


def _institution_state_errors(institution: Institution) -> list[ErrorItem]:
    """A deregistered institution files nothing; the other checks are then moot."""
    if institution.is_deregistered:
        return [
            ErrorItem(
                InstitutionsError.INSTITUTION_DEREGISTERED,
                gettext("机构已注销登记，不能办理备案"),
                field="uscc",
            )
        ]
    return []


def _basic_fact_errors(basic: dict) -> list[ErrorItem]:
    """Every required basic fact left empty (a draft may be saved half filled)."""
    return [
        ErrorItem(
            FilingsError.FACT_MISSING,
            str(_("请填写%(label)s") % {"label": f.label}),
            field=f.name,
        )
        for f in BASIC_FACTS
        if f.required and basic.get(f.name) in (None, "")
    ]


def _class_errors(live: list[dict], *, on: dt.date) -> list[ErrorItem]:
    """At least one class must remain, and each within the class size of its type (P-STD-1)."""
    errors: list[ErrorItem] = []
    if not live:
        errors.append(
            ErrorItem(FilingsError.CLASSES_MISSING, gettext("请至少设置一个班级"), field="classes")
        )
    for c in live:
        too_big = class_size_error(
            class_type=c["class_type"],
            capacity=c["capacity"],
            on=on,
            name=c["name"],
            field="classes",
        )
        if too_big is not None:
            errors.append(too_big)
    return errors


def _nursery_class_age_errors(live: list[dict], current: policy.Policy) -> list[ErrorItem]:
    """P-MODE-3: a kindergarten's nursery classes take children aged 2–3 only."""
    low = current.standards.nursery_class_min_age_months
    return [
        ErrorItem(
            FilingsError.CLASS_TYPE_OUTSIDE_NURSERY_AGES,
            gettext("%(name)s：幼儿园托班只招收 %(months)s 个月以上幼儿")
            % {"name": c["name"], "months": low},
            field="classes",
        )
        for c in live
        if current.classes[c["class_type"]].min_age_months < low
    ]


def _home_care_point_errors(
    live: list[dict], staff: dict, current: policy.Policy
) -> list[ErrorItem]:
    """P-STD-5 (家庭托育点管理办法（试行）, in force from November 2023): a home care point
    takes at most N children — above that it files as an institution — and at most M
    children per caregiver (5 children with 1 caregiver is refused). A limit the policy in
    force does not set (before the measures) does not apply; before them the class ratios
    of P-STD-1 apply as to any class."""
    errors: list[ErrorItem] = []
    slots = slots_after(live)
    most = current.standards.home_care_point_max_children
    if most is not None and slots > most:
        errors.append(
            ErrorItem(
                FilingsError.HOME_CARE_POINT_TOO_LARGE,
                gettext("家庭托育点收托不超过 %(max)s 人，超过的须按托育机构备案") % {"max": most},
                field="classes",
            )
        )
    per_caregiver = current.standards.home_care_point_children_per_caregiver
    if per_caregiver is None:
        return errors + _caregiver_ratio_errors(live, staff, current)
    needed = math.ceil(Decimal(slots) / per_caregiver) if slots else 0
    have = int(((staff or {}).get("caregiver") or {}).get("count", 0))
    if have < needed:
        errors.append(
            rule_item(
                FilingsError.HOME_CARE_POINT_CAREGIVERS_BELOW_RATIO,
                "P-STD-5",
                gettext(
                    "家庭托育点每名照护人员最多照护 %(per)s 名婴幼儿，收托 %(slots)s 人至少需要 "
                    "%(needed)s 名照护人员（现有 %(have)s 名）"
                )
                % {"per": per_caregiver, "slots": slots, "needed": needed, "have": have},
                "staff.caregiver",
            )
        )
    return errors


def _caregiver_ratio_errors(
    live: list[dict], staff: dict, current: policy.Policy
) -> list[ErrorItem]:
    """P-STD-1 "ratios are minimums": fewer caregivers than the classes' ratios need is not
    a shortfall to note but a standard not met — the submission is refused (it was a
    warning before [fidelity] #7)."""
    if not live or not staff:
        return []
    needed = sum(current.classes[c["class_type"]].min_caregivers(c["capacity"]) for c in live)
    have = int((staff.get("caregiver") or {}).get("count", 0))
    if have >= needed:
        return []
    return [
        rule_item(
            FilingsError.CAREGIVERS_BELOW_RATIO,
            "P-STD-1",
            gettext("保育人员 %(have)s 人，按班型配比至少需要 %(needed)s 人")
            % {"have": have, "needed": needed},
            "staff.caregiver",
        )
    ]


def standards_errors(
    standards: dict, staff: dict, *, slots: int, current: policy.Policy
) -> list[ErrorItem]:
    """The standards section at submission (P-STD-2, P-STD-3): every required fact filled,
    the stored values within the bounds of `clean_standards`, and each standard the policy
    says must hold — each refusal a `RuleErrorItem` with its field `standards.<name>` (or
    `staff.<role>`)."""
    standards = standards or {}
    try:
        clean_standards(standards)
    except DomainError as exc:
        return list(exc.errors)
    errors: list[ErrorItem] = []
    missing = [
        f
        for f in STANDARD_FACTS
        if f.required and f.kind != "bool" and standards.get(f.name) in (None, "")
    ]
    if standards.get("premises_tenure") == "leased" and standards.get("lease_years") is None:
        missing.append(next(f for f in STANDARD_FACTS if f.name == "lease_years"))
    errors += [
        ErrorItem(
            FilingsError.FACT_MISSING,
            str(_("请填写%(label)s") % {"label": f.label}),
            field=f"standards.{f.name}",
        )
        for f in missing
    ]
    missing_names = {f.name for f in missing}
    std = current.standards
    errors += _head_errors(standards, std, missing_names)
    errors += _health_worker_errors(standards, staff, std, slots, missing_names)
    security = int(((staff or {}).get("security") or {}).get("count", 0))
    if not standards.get("security_guard_licensed") or security < 1:
        errors.append(
            rule_item(
                FilingsError.SECURITY_GUARD_UNLICENSED,
                "P-STD-2",
                gettext("须配备持保安员证、由取得许可的保安服务公司派驻的保安人员"),
                "standards.security_guard_licensed",
            )
        )
    errors += _premises_errors(standards, std, missing_names)
    return errors


def _head_errors(standards: dict, std, missing: set[str]) -> list[ErrorItem]:
    """P-STD-2: the head holds 大专 or higher, has worked ≥ N years in care, education or
    health management, and has had the head-of-centre post training."""
    out: list[ErrorItem] = []
    if "head_education" not in missing and standards["head_education"] not in (
        HEAD_EDUCATION_AT_LEAST
    ):
        out.append(
            rule_item(
                FilingsError.HEAD_EDUCATION_BELOW_STANDARD,
                "P-STD-2",
                gettext("负责人应具有大专及以上学历"),
                "standards.head_education",
            )
        )
    years = standards.get("head_experience_years")
    if "head_experience_years" not in missing and int(years) < std.head_min_experience_years:
        out.append(
            rule_item(
                FilingsError.HEAD_EXPERIENCE_BELOW_STANDARD,
                "P-STD-2",
                gettext("负责人应有 %(min)s 年以上从事托育、教育、卫生健康管理工作的经历")
                % {"min": std.head_min_experience_years},
                "standards.head_experience_years",
            )
        )
    if not standards.get("head_post_training"):
        out.append(
            rule_item(
                FilingsError.HEAD_TRAINING_MISSING,
                "P-STD-2",
                gettext("负责人应经托育机构负责人岗位培训"),
                "standards.head_post_training",
            )
        )
    return out


def _health_worker_errors(
    standards: dict, staff: dict, std, slots: int, missing: set[str]
) -> list[ErrorItem]:
    """P-STD-2: at least N health workers, trained by a 妇幼保健机构; one full time once
    the institution takes the threshold's number of children or more (its filed slots)."""
    out: list[ErrorItem] = []
    health = int(((staff or {}).get("health_worker") or {}).get("count", 0))
    if health < std.min_health_workers:
        out.append(
            rule_item(
                FilingsError.HEALTH_WORKERS_BELOW_STANDARD,
                "P-STD-2",
                gettext("保健人员至少 %(min)s 名") % {"min": std.min_health_workers},
                "staff.health_worker",
            )
        )
    elif not standards.get("health_worker_mch_trained"):
        out.append(
            rule_item(
                FilingsError.HEALTH_WORKER_NOT_TRAINED,
                "P-STD-2",
                gettext("保健人员应经妇幼保健机构培训"),
                "standards.health_worker_mch_trained",
            )
        )
    if "health_workers_full_time" in missing:
        return out
    full_time = int(standards["health_workers_full_time"])
    if full_time > health:
        out.append(
            ErrorItem(
                FilingsError.FULL_TIME_EXCEEDS_COUNT,
                gettext("专职保健人员人数不能多于保健人员人数（%(n)s）") % {"n": health},
                field="standards.health_workers_full_time",
            )
        )
    threshold = std.full_time_health_worker_threshold_children
    if slots >= threshold and full_time < 1:
        out.append(
            rule_item(
                FilingsError.FULL_TIME_HEALTH_WORKER_MISSING,
                "P-STD-2",
                gettext("收托 %(threshold)s 名及以上婴幼儿须配备专职保健人员（收托 %(slots)s 名）")
                % {"threshold": threshold, "slots": slots},
                "standards.health_workers_full_time",
            )
        )
    return out


def _premises_errors(standards: dict, std, missing: set[str]) -> list[ErrorItem]:
    """P-STD-3: premises owned or leased ≥ N years; living rooms on floor N or lower and
    never underground; windows ≥ the ratio of the floor area; a health observation room of
    at least N m² with an observation bed."""
    out: list[ErrorItem] = []

    def rule(code, message, name):
        out.append(rule_item(code, "P-STD-3", message, f"standards.{name}"))

    lease = standards.get("lease_years")
    if (
        standards.get("premises_tenure") == "leased"
        and lease is not None
        and int(lease) < std.premises_min_lease_years
    ):
        rule(
            FilingsError.LEASE_TOO_SHORT,
            gettext("房屋应为自有或租期不少于 %(min)s 年") % {"min": std.premises_min_lease_years},
            "lease_years",
        )
    highest = standards.get("living_floor_highest")
    if highest is not None and int(highest) > std.max_living_floor:
        rule(
            FilingsError.LIVING_FLOOR_TOO_HIGH,
            gettext("婴幼儿生活用房应设在 %(max)s 层及以下") % {"max": std.max_living_floor},
            "living_floor_highest",
        )
    if standards.get("living_underground"):
        rule(
            FilingsError.LIVING_ROOMS_UNDERGROUND,
            gettext("婴幼儿生活用房不得设在地下室或半地下室"),
            "living_underground",
        )
    ratio = window_floor_ratio(standards)
    if ratio is not None and ratio < std.min_window_floor_ratio:
        rule(
            FilingsError.WINDOW_RATIO_BELOW_STANDARD,
            gettext("生活用房窗地面积比 %(ratio)s，不应低于 %(min)s")
            % {"ratio": f"{ratio:.2f}", "min": std.min_window_floor_ratio},
            "window_area_m2",
        )
    room = standards.get("observation_room_m2")
    if "observation_room_m2" not in missing and Decimal(str(room)) < (
        std.health_observation_room_min_m2
    ):
        rule(
            FilingsError.OBSERVATION_ROOM_TOO_SMALL,
            gettext("应设不小于 %(min)s ㎡ 的保健观察室")
            % {"min": std.health_observation_room_min_m2},
            "observation_room_m2",
        )
    if not standards.get("observation_bed"):
        rule(
            FilingsError.OBSERVATION_BED_MISSING,
            gettext("保健观察室应设观察床"),
            "observation_bed",
        )
    return out


def _staff_errors(staff: dict) -> list[ErrorItem]:
    """The staffing must be filled in, with a principal (负责人) among it."""
    if not staff or not any(int(v.get("count", 0)) for v in staff.values()):
        return [ErrorItem(FilingsError.STAFF_MISSING, gettext("请填写人员配备情况"), field="staff")]
    if int((staff.get("principal") or {}).get("count", 0)) < 1:
        return [
            ErrorItem(FilingsError.STAFF_MISSING, gettext("请填写负责人"), field="staff.principal")
        ]
    return []


def _no_change_errors(
    institution: Institution,
    before: dict,
    basic: dict,
    classes: list[dict],
    staff: dict,
    standards: dict | None = None,
) -> list[ErrorItem]:
    """A change filing must change something: a basic fact, a class, the staffing or the
    standards section."""
    old_staff = institution.staff_summary or {}
    changed = (
        changed_fact_names(before, basic)
        or any(c["action"] != "keep" for c in classes)
        or _staff_changed(old_staff, staff)
        or standards_changed_names(institution.filed_standards or {}, standards or {})
    )
    if not changed:
        return [ErrorItem(FilingsError.NO_CHANGES, gettext("未修改任何备案事项"), field=None)]
    return []


def _material_errors(application: FilingApplication, basic: dict, before: dict) -> list[ErrorItem]:
    """Each material the application requires (P-FIL-1) that has no current upload."""
    have = set(application.materials.filter(superseded=False).values_list("kind", flat=True))
    return [
        ErrorItem(
            FilingsError.MATERIAL_MISSING,
            gettext("缺少材料：%(material)s") % {"material": FilingMaterial.Kind(kind).label},
            field=f"materials.{kind}",
        )
        for kind in required_materials(application, basic, before)
        if kind not in have
    ]


def filing_warnings(application: FilingApplication, *, on: dt.date) -> list[ErrorItem]:
    """Standards the application does not meet that do not block it (shown on the filing
    and to the reviewers): the area per child (P-STD-3), whose figure is a draft the
    district chose ([U], a Decision). The caregiver ratio (P-STD-1) and the health workers
    (P-STD-2) are minimums and refuse the submission (`submission_errors`)."""
    current = policy.at(on)
    basic = application.facts.get("basic") or {}
    classes = [c for c in open_classes(application) if c["action"] != "close"]
    slots = slots_after(classes)
    out: list[ErrorItem] = []
    indoor = basic.get("indoor_area_m2")
    if slots and indoor not in (None, ""):
        per_child = Decimal(str(indoor)) / slots
        need = current.standards.area_per_child_m2
        if per_child < need:
            out.append(
                RuleErrorItem(
                    FilingsError.AREA_PER_CHILD_BELOW_STANDARD,
                    gettext("室内面积人均 %(per_child)s ㎡，低于每名婴幼儿 %(need)s ㎡ 的标准")
                    % {"per_child": f"{per_child:.2f}", "need": need},
                    field="indoor_area_m2",
                    rule="P-STD-3",
                )
            )
    return out

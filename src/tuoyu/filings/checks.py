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
     "classes_close": [class ids to close]            # change applications only
     "classes": [{id, name, class_type, capacity, action}]   # snapshot taken at submission
     "cancellation": {"cancelled_on", "reason"}}      # cancellation applications only

`township` and `community` are region codes; decimals are kept as strings, money as int yuan.
"""

from __future__ import annotations

import datetime as dt
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

# --- which subjects a change touches (P-FIL-3) ---------------------------------------------
# A change filing is reviewed only on the subjects its changed facts concern; a change that
# touches none (fee, legal representative, mode, form, opening hours) goes straight to
# 区卫健局 for decision.
PREMISES = frozenset({Subject.FIRE, Subject.SECURITY, Subject.HEALTH_CARE})
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
    """The filed facts (basic + staff + filed classes) for before/after comparison."""
    classes = [
        {"id": c.pk, "name": c.name, "class_type": c.class_type, "capacity": c.capacity}
        for c in institution.classes.filter(status=CareClass.Status.FILED).order_by("pk")
    ]
    return {
        "basic": institution_basic_facts(institution),
        "staff": institution.staff_summary or {},
        "classes": classes,
    }


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
    application: FilingApplication, basic: dict, before: dict, classes, staff, old_staff
) -> list[str]:
    """The subjects an application is reviewed on: all four for an initial filing; for a
    change, those its changed facts and new materials concern (FACT_SUBJECTS,
    MATERIAL_SUBJECTS); none for a cancellation (decided by 区卫健局)."""
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
        if mode == OperatingMode.FAMILY_CARE:
            errors += _home_care_point_size_errors(live, current)
        errors += _staff_errors(staff)
        if application.kind == FilingApplication.Kind.CHANGE:
            before = institution_basic_facts(institution)
            errors += _no_change_errors(institution, before, basic, classes, staff)
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


def _home_care_point_size_errors(live: list[dict], current: policy.Policy) -> list[ErrorItem]:
    """P-STD-5: a home care point takes at most N children; above that it files as an
    institution."""
    most = current.standards.home_care_point_max_children
    if slots_after(live) > most:
        return [
            ErrorItem(
                FilingsError.HOME_CARE_POINT_TOO_LARGE,
                gettext("家庭托育点收托不超过 %(max)s 人，超过的须按托育机构备案") % {"max": most},
                field="classes",
            )
        ]
    return []


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
    institution: Institution, before: dict, basic: dict, classes: list[dict], staff: dict
) -> list[ErrorItem]:
    """A change filing must change something: a basic fact, a class or the staffing."""
    old_staff = institution.staff_summary or {}
    changed = (
        changed_fact_names(before, basic)
        or any(c["action"] != "keep" for c in classes)
        or _staff_changed(old_staff, staff)
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
    and to the reviewers): area per child (P-STD-3), caregiver ratio (P-STD-1), health
    workers (P-STD-2)."""
    current = policy.at(on)
    basic = application.facts.get("basic") or {}
    staff = application.facts.get("staff") or {}
    classes = [c for c in open_classes(application) if c["action"] != "close"]
    slots = slots_after(classes)
    out: list[ErrorItem] = []
    indoor = basic.get("indoor_area_m2")
    if slots and indoor not in (None, ""):
        per_child = Decimal(str(indoor)) / slots
        need = current.standards.area_per_child_m2
        if per_child < need:
            out.append(
                ErrorItem(
                    FilingsError.AREA_PER_CHILD_BELOW_STANDARD,
                    gettext(
                        "室内面积人均 %(per_child)s ㎡，低于每名婴幼儿 %(need)s ㎡ 的标准（P-STD-3）"
                    )
                    % {"per_child": f"{per_child:.2f}", "need": need},
                    field="indoor_area_m2",
                )
            )
    if classes and staff:
        needed = sum(
            current.classes[c["class_type"]].min_caregivers(c["capacity"]) for c in classes
        )
        have = int((staff.get("caregiver") or {}).get("count", 0))
        if have < needed:
            out.append(
                ErrorItem(
                    FilingsError.CAREGIVERS_BELOW_RATIO,
                    gettext("保育人员 %(have)s 人，按班型配比至少需要 %(needed)s 人（P-STD-1）")
                    % {"have": have, "needed": needed},
                    field="staff.caregiver",
                )
            )
        health = int((staff.get("health_worker") or {}).get("count", 0))
        if health < current.standards.min_health_workers:
            out.append(
                ErrorItem(
                    FilingsError.HEALTH_WORKERS_BELOW_STANDARD,
                    gettext("保健人员至少 %(min)s 名（P-STD-2）")
                    % {"min": current.standards.min_health_workers},
                    field="staff.health_worker",
                )
            )
    return out

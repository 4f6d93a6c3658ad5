"""Policy as data: versioned YAML, validated once, read through typed accessors.

Data directory
    Every `*.yaml` / `*.yml` file in the directory is one *version*::

        version:
          id: V2023-1
          title: 金华市普惠托育机构认定和补助相关规定
          source: "…"
          confidence: A
          effective_from: 2023-08-01
          effective_to: 2026-07-31      # inclusive; omit or null = open-ended
        parameters:
          subsidy:
            demonstration_national_yuan: {value: 200000, ref: P-V2023-1, source: "…",
                                          confidence: A}

    The directory is `TUOYU_POLICY_DIR` (Django setting, else environment variable), else
    `policy/data/` of this package. A district copies the directory and edits numbers.

How versions combine (and how gaps are handled)
    `at(day)` merges every version in force on `day` (effective_from ≤ day ≤ effective_to),
    in order of effective_from: a later version overrides only the parameters it names and
    inherits the rest. When a version ends, the versions still in force apply again (after
    P-V2023-1 ends on 2026-07-31 the 2020 numbers are back unless a later version exists).

    Validation at load time splits the time line at every effective_from and effective_to
    + 1 day and requires, for every stretch on which at least one version is in force, that
    the merged parameters are complete and consistent. So `at(day)` either returns a
    complete `Policy` or raises `PolicyDateError` because *no* version is in force that day
    (before the first version, or in a gap between versions; a version that only introduces
    later parameters does not cover a day on its own). Two versions that start on the same
    day and set the same parameter are ambiguous and refused.

Parameters introduced later
    A parameter of a rule that started after the base version (`Later[T]` in the schema,
    e.g. the home-care-point limits of P-STD-5 from 2023-11-14) is set only by the version
    that introduced it. On a day no version in force sets it, it is *not in force*:
    `at(day)` holds `None` for it, `in_force(key, day)` is False, `value(key, day)` and
    `ref(key, day)` return None, and `parameters_at(day)` leaves it out. Readers test
    `policy.at(day).standards.home_care_point_max_children is None` (or `in_force`) and
    then apply no such limit. Every other parameter must be set on every covered day.

Reading YAML
    Decimal fractions are read as `Decimal` (never float); `1:3` (YAML 1.1 base-60) and
    duplicate keys are refused; every problem is reported with file, line and key path, all
    problems of all files at once.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import os
import threading
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import yaml
from django.core.exceptions import ImproperlyConfigured
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from tuoyu.core import clock
from tuoyu.core.errors import DomainError
from tuoyu.policy.catalogue import PolicyError
from tuoyu.policy.schema import (
    COMPOSITE_LEAVES,
    Frozen,
    Leaf,
    LeafMeta,
    Policy,
    VersionHeader,
    later_value_type,
)

DEFAULT_DIR = Path(__file__).resolve().parent / "data"
SETTING = "TUOYU_POLICY_DIR"
TZ = clock.TZ
ONE_DAY = timedelta(days=1)


# --- errors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the policy data."""

    file: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key or '(file)'}: {self.message}"


class PolicyDataError(ImproperlyConfigured):
    """The policy data is invalid (typo, wrong type, missing parameter, bad date range).

    `problems` lists every problem found; `file` and `key` are those of the first.
    """

    def __init__(self, problems: list[Problem], directory: Path | str | None = None):
        self.problems = list(problems)
        self.directory = str(directory) if directory else None
        first = self.problems[0]
        self.file, self.key = first.file, first.key
        head = "政策数据有误，请修改后重新启动 / invalid policy data"
        if self.directory:
            head += f" ({self.directory})"
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{head}:\n{body}")


class PolicyDateError(DomainError):
    """No policy version is in force on `day` (before the first version or in a gap)."""

    def __init__(self, day: date, coverage: str):
        self.day = day
        super().__init__(
            PolicyError.POLICY_NOT_IN_FORCE,
            f"{day.isoformat()} 没有生效的政策版本（政策数据的有效期：{coverage}）",
            field="date",
        )


class PolicyKeyError(KeyError):
    """No parameter has this dotted key."""

    def __init__(self, key: str, known: Iterable[str]):
        near = difflib.get_close_matches(key, list(known), n=3, cutoff=0.6)
        hint = f"；是否为 / did you mean: {', '.join(near)}" if near else ""
        self.key = key
        super().__init__(f"未知政策参数 / unknown policy parameter: {key!r}{hint}")

    def __str__(self) -> str:
        return str(self.args[0])


# --- public value types --------------------------------------------------------------------


@dataclass(frozen=True)
class ParamMeta:
    """Where the value of one parameter on one date comes from (`policy.ref`)."""

    key: str
    ref: str
    source: str
    confidence: str
    note: str | None
    decision: bool
    version: str
    version_title: str
    version_from: date
    version_to: date | None
    file: str

    @property
    def unverified(self) -> bool:
        """[U]: not verified against the official text (待核实)."""
        return self.confidence == "U"


class Parameter(NamedTuple):
    key: str
    value: Any
    meta: ParamMeta


@dataclass(frozen=True)
class Version:
    """One YAML file: its header and the parameters it sets (key → value, meta)."""

    id: str
    title: str
    source: str
    confidence: str
    effective_from: date
    effective_to: date | None
    ref: str | None
    note: str | None
    file: str
    params: MappingProxyType = field(repr=False)

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.params)


@dataclass(frozen=True)
class PolicyPeriod:
    """A stretch of days on which the same parameters apply (`policy.periods`)."""

    start: date
    end: date
    policy: Policy = field(repr=False)
    version_ids: tuple[str, ...]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


# --- the schema, walked once ---------------------------------------------------------------


def _is_section(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Frozen) and tp not in COMPOSITE_LEAVES


def _hints(model: type[BaseModel]) -> dict[str, Any]:
    return typing.get_type_hints(model, include_extras=True)


@cache
def parameter_types() -> MappingProxyType:
    """Every parameter key (dotted, in schema order) → its value type."""
    out: dict[str, Any] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, tp in _hints(model).items():
            key = f"{prefix}{name}"
            if _is_section(tp):
                walk(tp, key + ".")
            else:
                out[key] = tp

    walk(Policy, "")
    return MappingProxyType(out)


def keys() -> tuple[str, ...]:
    """All parameter keys, e.g. `subsidy.new_class_affordable_yuan`."""
    return tuple(parameter_types())


@cache
def later_keys() -> frozenset[str]:
    """Keys of parameters introduced by a later version (`Later[T]`): absent = not in force."""
    return frozenset(k for k, tp in parameter_types().items() if later_value_type(tp) is not None)


def _leaf_model(tp: Any) -> type[LeafMeta]:
    return COMPOSITE_LEAVES.get(tp) or Leaf[tp]


@cache
def _partial_model(section: type[BaseModel]) -> type[BaseModel]:
    """`section` with every field optional: a sub-section or a `Leaf[T]`; unknown keys fail."""
    fields: dict[str, Any] = {}
    for name, tp in _hints(section).items():
        inner = _partial_model(tp) if _is_section(tp) else _leaf_model(later_value_type(tp) or tp)
        fields[name] = (inner | None, None)
    return create_model(
        f"{section.__name__}Partial", __config__=ConfigDict(extra="forbid"), **fields
    )


@cache
def _file_model() -> type[BaseModel]:
    return create_model(
        "PolicyFile",
        __config__=ConfigDict(extra="forbid"),
        version=(VersionHeader, ...),
        parameters=(_partial_model(Policy), ...),
    )


def _model_children(model: type[BaseModel], loc: tuple) -> list[str]:
    """Allowed keys at YAML path `loc` below `model` (for "did you mean")."""
    for part in loc:
        ann = model.model_fields.get(part)
        if ann is None:
            return []
        candidates = [
            a
            for a in typing.get_args(ann.annotation) or (ann.annotation,)
            if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        if not candidates:
            return []
        model = candidates[0]
    return list(model.model_fields)


# --- reading YAML ----------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML with Decimal fractions, no base-60 numbers and no duplicate keys."""


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> Decimal:
    text = loader.construct_scalar(node).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or ":" in text:
        raise yaml.constructor.ConstructorError(
            None, None, f"不支持的数值 / unsupported number {text!r}", node.start_mark
        )
    return value


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if ":" in text:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"{text!r} 会被 YAML 读作六十进制数，请加引号或改写 / {text!r} is a base-60 "
            "number in YAML 1.1; quote it or write the number",
            node.start_mark,
        )
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"重复的键 / duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"日期无效 / invalid date {node.value!r}: {exc}", node.start_mark
        ) from exc


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _node_positions(node: yaml.Node | None, path: tuple = (), out: dict | None = None) -> dict:
    """YAML key path → (line, column) of the key, both 1-based."""
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                sub = (*path, key_node.value)
                out[sub] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                _node_positions(value_node, sub, out)
    return out


class _YamlError(Exception):
    def __init__(self, problem: str, line: int | None, key: str = ""):
        super().__init__(problem)
        self.problem, self.line, self.key = problem, line, key


def _read_yaml(path: Path) -> tuple[Any, dict]:
    """Parse; on a construction error (bad number, date, duplicate key) name the key."""
    loader = _Loader(path.read_text(encoding="utf-8"))
    positions: dict = {}
    try:
        node = loader.get_single_node()
        positions = _node_positions(node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        key = ""
        if mark is not None:  # the last key that starts before the offending node
            here = (mark.line + 1, mark.column + 1)
            before = [(pos, p) for p, pos in positions.items() if pos <= here]
            if before:
                key = ".".join(max(before)[1])
        raise _YamlError(exc.problem or str(exc), line, key) from exc
    finally:
        loader.dispose()
    return data, {p: pos[0] for p, pos in positions.items()}


# --- validation messages -------------------------------------------------------------------

_ZH = {
    "extra_forbidden": "未知的键（是否拼写错误？）/ unknown key (typo?)",
    "missing": "缺少必填项 / required item missing",
    "model_type": "应为映射 {value: …, ref: …, source: …, confidence: …} / expected a mapping",
    "model_attributes_type": "应为映射 / expected a mapping",
    "dict_type": "应为映射 / expected a mapping",
    "literal_error": "取值不在允许范围内 / value not allowed",
    "string_pattern_mismatch": "格式不对 / wrong format",
}


def _line_for(lines: dict, loc: tuple) -> int | None:
    for n in range(len(loc), 0, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _problems_from(err: ValidationError, file: str, lines: dict, model: type[BaseModel]):
    out = []
    for e in err.errors(include_url=False):
        loc = tuple(str(p) for p in e["loc"])
        kind = e["type"]
        msg = e["msg"].removeprefix("Value error, ")
        if kind in _ZH:
            zh = _ZH[kind]
            msg = zh if kind in ("extra_forbidden", "missing", "model_type") else f"{zh}: {msg}"
        elif kind != "value_error":
            msg = f"取值无效 / invalid value: {msg}"
        if kind == "extra_forbidden":
            near = difflib.get_close_matches(loc[-1], _model_children(model, loc[:-1]), n=1)
            if near:
                msg += f"；是否为 / did you mean: {'.'.join((*loc[:-1], near[0]))}"
        out.append(Problem(file, ".".join(loc), msg, _line_for(lines, loc)))
    return out


# --- loading ------------------------------------------------------------------------------


def _flatten(partial: BaseModel | None, prefix: str, out: dict) -> None:
    if partial is None:
        return
    for name in type(partial).model_fields:
        node = getattr(partial, name)
        if node is None:
            continue
        key = f"{prefix}{name}"
        if isinstance(node, LeafMeta):
            meta = LeafMeta(
                ref=node.ref,
                source=node.source,
                confidence=node.confidence,
                note=node.note,
                decision=node.decision,
            )
            out[key] = (node.resolved(), meta)
        else:
            _flatten(node, key + ".", out)


def _load_file(path: Path) -> tuple[Version | None, list[Problem]]:
    file = str(path)
    try:
        data, lines = _read_yaml(path)
    except _YamlError as exc:
        return None, [Problem(file, exc.key, f"YAML 有误 / YAML error: {exc.problem}", exc.line)]
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
        return None, [Problem(file, "", f"无法读取 / cannot read: {exc}")]
    if not isinstance(data, dict):
        return None, [
            Problem(
                file,
                "",
                "文件应包含 version: 与 parameters: / expected version: and parameters: at the top",
            )
        ]
    model = _file_model()
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        return None, _problems_from(exc, file, lines, model)
    params: dict[str, tuple[Any, LeafMeta]] = {}
    _flatten(parsed.parameters, "", params)
    h = parsed.version
    if not params:
        return None, [Problem(file, "parameters", "没有任何参数 / the version sets no parameter")]
    return (
        Version(
            id=h.id,
            title=h.title,
            source=h.source,
            confidence=h.confidence,
            effective_from=h.effective_from,
            effective_to=h.effective_to,
            ref=h.ref,
            note=h.note,
            file=file,
            params=MappingProxyType(params),
        ),
        [],
    )


@dataclass(frozen=True)
class _Segment:
    start: date
    end: date | None
    versions: tuple[Version, ...]
    policy: Policy
    meta: MappingProxyType
    values: MappingProxyType

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def _fmt_range(start: date, end: date | None) -> str:
    return f"{start.isoformat()} 至 {end.isoformat()}" if end else f"{start.isoformat()} 起"


def _build_segment(
    start: date, end: date | None, in_force: list[Version], cache: dict
) -> tuple[_Segment | None, list[Problem]]:
    ids = tuple(v.id for v in in_force)
    span = _fmt_range(start, end)
    merged: dict[str, tuple[Any, LeafMeta, Version]] = {}
    for v in in_force:  # sorted by effective_from: later versions override
        for key, (value, meta) in v.params.items():
            merged[key] = (value, meta, v)
    optional = later_keys()
    missing = [k for k in parameter_types() if k not in merged and k not in optional]
    if missing:
        base = in_force[0]
        return None, [
            Problem(
                base.file,
                f"parameters.{k}",
                f"缺少参数：{span} 生效的版本 {', '.join(ids)} 均未定义 / missing parameter: "
                f"not set by any version in force {start.isoformat()}"
                f"–{end.isoformat() if end else '…'}",
            )
            for k in missing
        ]
    if ids in cache:
        policy = cache[ids]
    else:
        nested: dict = {}
        for key, (value, _, _) in merged.items():
            *parents, last = key.split(".")
            node = nested
            for p in parents:
                node = node.setdefault(p, {})
            node[last] = value
        try:
            policy = Policy.model_validate(nested)
        except ValidationError as exc:
            problems = []
            for e in exc.errors(include_url=False):
                loc = ".".join(str(p) for p in e["loc"])
                owners = sorted(
                    {v.file for k, (_, _, v) in merged.items() if not loc or k.startswith(loc)}
                )
                msg = e["msg"].removeprefix("Value error, ")
                problems.append(
                    Problem(
                        ", ".join(owners),
                        f"parameters.{loc}" if loc else "parameters",
                        f"{msg}（{span} 生效的版本 {', '.join(ids)} 合并后 / after merging the "
                        "versions in force）",
                    )
                )
            return None, problems
        cache[ids] = policy
    meta = {
        key: ParamMeta(
            key=key,
            ref=m.ref,
            source=m.source,
            confidence=m.confidence,
            note=m.note,
            decision=m.decision,
            version=v.id,
            version_title=v.title,
            version_from=v.effective_from,
            version_to=v.effective_to,
            file=v.file,
        )
        for key, (_, m, v) in merged.items()
    }
    # A later-introduced parameter no version in force sets is not in force: value None and
    # no meta (left out of `parameters_at`).
    values = {key: merged[key][0] if key in merged else None for key in parameter_types()}
    return (
        _Segment(
            start,
            end,
            tuple(in_force),
            policy,
            MappingProxyType({k: meta[k] for k in parameter_types() if k in meta}),
            MappingProxyType(values),
        ),
        [],
    )


class PolicyBook:
    """All versions of one data directory, validated and split into stretches of time."""

    def __init__(self, directory: Path, versions: list[Version], segments: list[_Segment]):
        self.directory = directory
        self._versions = tuple(versions)
        self._segments = tuple(segments)
        self._starts = [s.start for s in segments]

    # lookups
    def _segment(self, day: date | datetime | None) -> _Segment:
        d = as_date(day)
        i = bisect.bisect_right(self._starts, d) - 1
        if i < 0 or not self._segments[i].covers(d):
            raise PolicyDateError(d, self.coverage())
        return self._segments[i]

    def at(self, day: date | datetime | None = None) -> Policy:
        return self._segment(day).policy

    def ref(self, key: str, day: date | datetime | None = None) -> ParamMeta | None:
        """None when the parameter is not in force on `day` (introduced later)."""
        if key not in parameter_types():
            raise PolicyKeyError(key, parameter_types())
        return self._segment(day).meta.get(key)

    def value(self, key: str, day: date | datetime | None = None) -> Any:
        """None also when the parameter is not in force on `day` (see `in_force`)."""
        if key not in parameter_types():
            raise PolicyKeyError(key, parameter_types())
        return self._segment(day).values[key]

    def in_force(self, key: str, day: date | datetime | None = None) -> bool:
        """Whether parameter `key` is in force on `day`; False only for a parameter that a
        later version introduces, before that version (or when none in force sets it)."""
        if key not in parameter_types():
            raise PolicyKeyError(key, parameter_types())
        return key in self._segment(day).meta

    def parameters_at(self, day: date | datetime | None = None) -> list[Parameter]:
        """Every parameter in force on `day`, in schema order."""
        seg = self._segment(day)
        return [
            Parameter(k, seg.values[k], seg.meta[k]) for k in parameter_types() if k in seg.meta
        ]

    def versions(self) -> list[Version]:
        return list(self._versions)

    def versions_at(self, day: date | datetime | None = None) -> list[Version]:
        return list(self._segment(day).versions)

    def periods(self, start: date, end: date) -> list[PolicyPeriod]:
        """The stretches of [start, end] (inclusive) with one set of parameters each, so that
        an amount over a year spanning two versions can be split (P-V2023-1)."""
        start, end = as_date(start), as_date(end)
        if end < start:
            raise ValueError("end before start")
        out: list[PolicyPeriod] = []
        day = start
        while day <= end:
            seg = self._segment(day)
            stop = end if seg.end is None else min(seg.end, end)
            ids = tuple(v.id for v in seg.versions)
            if out and out[-1].version_ids == ids and out[-1].end + ONE_DAY == day:
                out[-1] = PolicyPeriod(out[-1].start, stop, seg.policy, ids)
            else:
                out.append(PolicyPeriod(day, stop, seg.policy, ids))
            day = stop + ONE_DAY
        return out

    def coverage(self) -> str:
        """The stretches with a version in force, e.g. "2020-10-31 起"."""
        spans: list[list] = []
        for s in self._segments:
            if spans and spans[-1][1] is not None and spans[-1][1] + ONE_DAY == s.start:
                spans[-1][1] = s.end
            else:
                spans.append([s.start, s.end])
        return "；".join(_fmt_range(a, b) for a, b in spans) or "无"

    @property
    def first_day(self) -> date:
        return self._starts[0]


def policy_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))


def load(directory: Path | str | None = None) -> PolicyBook:
    """Read and validate every version in `directory` (default: `data_dir()`); not cached."""
    directory = Path(directory) if directory is not None else data_dir()
    if not directory.is_dir():
        raise PolicyDataError(
            [Problem(str(directory), "", "政策数据目录不存在 / policy directory not found")]
        )
    files = policy_files(directory)
    if not files:
        raise PolicyDataError(
            [Problem(str(directory), "", "目录中没有 *.yaml 文件 / no *.yaml file")]
        )
    problems: list[Problem] = []
    versions: list[Version] = []
    for path in files:
        version, found = _load_file(path)
        problems += found
        if version is not None:
            versions.append(version)
    seen: dict[str, Version] = {}
    for v in versions:
        if v.id in seen:
            problems.append(
                Problem(
                    v.file,
                    "version.id",
                    f"版本号重复 / duplicate version id {v.id!r} (also in {seen[v.id].file})",
                )
            )
        seen[v.id] = v
    if problems:
        raise PolicyDataError(problems, directory)

    versions.sort(key=lambda v: (v.effective_from, v.id))
    for a, b in itertools.pairwise(versions):
        if a.effective_from == b.effective_from:
            both = sorted(set(a.params) & set(b.params))
            if both:
                problems.append(
                    Problem(
                        b.file,
                        f"parameters.{both[0]}",
                        f"版本 {a.id} 与 {b.id} 同日生效且都设置了此参数，无法确定先后 / "
                        f"versions {a.id} and {b.id} start on the same day and both set it",
                    )
                )
    points = sorted(
        {v.effective_from for v in versions}
        | {
            v.effective_to + ONE_DAY
            for v in versions
            if v.effective_to and v.effective_to < date.max
        }
    )
    segments: list[_Segment] = []
    policies: dict = {}
    for i, start in enumerate(points):
        end = points[i + 1] - ONE_DAY if i + 1 < len(points) else None
        in_force = [v for v in versions if v.in_force(start)]
        if not in_force or all(set(v.params) <= later_keys() for v in in_force):
            # No version in force, or only versions that introduce later rules (which add to
            # a policy but are none on their own): the stretch is not covered.
            continue
        seg, found = _build_segment(start, end, in_force, policies)
        problems += found
        if seg is not None:
            segments.append(seg)
    if problems:
        # a problem is reported once per file and key, not once per stretch of time
        unique = {(p.file, p.key): p for p in reversed(problems)}
        raise PolicyDataError(list(reversed(unique.values())), directory)
    return PolicyBook(directory, versions, segments)


# --- dates -------------------------------------------------------------------------------


def today() -> date:
    """Today in Asia/Shanghai ("which day" is always Chinese local time, core.clock)."""
    return clock.today()


def as_date(day: date | datetime | None) -> date:
    if day is None:
        return today()
    if isinstance(day, datetime):
        return day.astimezone(TZ).date() if day.tzinfo else day.date()
    if isinstance(day, date):
        return day
    raise TypeError(f"expected a date, got {type(day).__name__}")


# --- the cached book ----------------------------------------------------------------------

_lock = threading.Lock()
_book: PolicyBook | None = None


def data_dir() -> Path:
    """`TUOYU_POLICY_DIR` from Django settings, else the environment, else `policy/data/`."""
    from django.conf import settings

    configured = getattr(settings, SETTING, None) if settings.configured else None
    return Path(configured or os.environ.get(SETTING) or DEFAULT_DIR)


def get_book() -> PolicyBook:
    global _book
    book = _book
    if book is None:
        with _lock:
            if _book is None:
                _book = load()
            book = _book
    return book


def reload(directory: Path | str | None = None) -> PolicyBook:
    """Load again (e.g. after changing `TUOYU_POLICY_DIR`); raises if the data is invalid."""
    global _book
    book = load(directory)
    with _lock:
        _book = book
    return book


def clear_cache() -> None:
    """Forget the loaded data; the next call loads again."""
    global _book
    with _lock:
        _book = None


def at(day: date | datetime | None = None) -> Policy:
    """The policy in force on `day` (default today): `at(d).subsidy.new_class_affordable_yuan`.

    Raises `PolicyDateError` when no version is in force on that day.
    """
    return get_book().at(day)


def ref(key: str, day: date | datetime | None = None) -> ParamMeta | None:
    """P-id, source, confidence, note and version of parameter `key` on `day`; None when the
    parameter is not in force that day (a rule introduced later, see `in_force`)."""
    return get_book().ref(key, day)


def value(key: str, day: date | datetime | None = None) -> Any:
    """The value of parameter `key` (dotted) on `day`; None when it is not in force."""
    return get_book().value(key, day)


def in_force(key: str, day: date | datetime | None = None) -> bool:
    """Whether parameter `key` is in force on `day`. Only a parameter introduced by a later
    version (`Later[T]`, e.g. `standards.home_care_point_children_per_caregiver` from
    2023-11-14) can be out of force on a covered day; then its value is None and the limit
    does not apply. Raises `PolicyDateError` on a day no version covers, `PolicyKeyError`
    for an unknown key."""
    return get_book().in_force(key, day)


def parameters_at(day: date | datetime | None = None) -> list[Parameter]:
    """Every parameter in force on `day` as (key, value, meta), in schema order (a
    parameter introduced later is left out before its version)."""
    return get_book().parameters_at(day)


def versions() -> list[Version]:
    """All versions, ordered by effective_from."""
    return get_book().versions()


def versions_at(day: date | datetime | None = None) -> list[Version]:
    """The versions in force on `day`, base first (later ones override earlier)."""
    return get_book().versions_at(day)


def periods(start: date, end: date) -> list[PolicyPeriod]:
    """[start, end] split where the parameters change."""
    return get_book().periods(start, end)

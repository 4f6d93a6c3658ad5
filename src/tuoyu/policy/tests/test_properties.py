"""Properties of `policy.at(date)` over the whole time line (hypothesis)."""

import itertools
import tempfile
import textwrap
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuoyu import policy
from tuoyu.policy.schema import Policy
from tuoyu.policy.tests.conftest import BASE_FILE, copy_data

FIRST = date(2020, 10, 31)
V2023_FROM, V2023_TO = date(2023, 8, 1), date(2026, 7, 31)


@given(st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)))
def test_at_returns_a_complete_policy_or_the_documented_error(day):
    """For any date: a complete, valid Policy (every key with value and P-id), or
    PolicyDateError exactly when the date precedes 36号文 (2020-10-31)."""
    try:
        p = policy.at(day)
    except policy.PolicyDateError as exc:
        assert day < FIRST
        assert exc.code == "policy_not_in_force"
        return
    assert day >= FIRST
    assert Policy.model_validate(p.model_dump()) == p
    params = policy.parameters_at(day)
    # every key, except a later-introduced one on a day it is not in force (then None)
    listed = [x.key for x in params]
    every = policy.keys()
    assert listed == [k for k in every if policy.in_force(k, day)]
    assert set(policy.keys()) - set(listed) <= policy.later_keys()
    for key in set(policy.keys()) - set(listed):
        assert policy.value(key, day) is None and policy.ref(key, day) is None
    assert all(x.meta.ref and x.meta.source for x in params)


@given(st.dates(min_value=FIRST, max_value=date(2030, 12, 31)))
def test_p_v2023_1_applies_exactly_inside_its_range(day):
    """P-SUB-3 'each level once' outside 2023-08-01..2026-07-31, P-V2023-1 inside; the
    amounts of P-SUB-1 never change."""
    sub = policy.at(day).subsidy
    inside = V2023_FROM <= day <= V2023_TO
    assert sub.demonstration_award_rule == (
        "highest_level_difference" if inside else "each_level_once"
    )
    assert (sub.demonstration_national_yuan == 200000) is inside
    assert sub.new_class_affordable_yuan == 50000


@given(
    st.dates(min_value=FIRST, max_value=date(2030, 12, 31)),
    st.dates(min_value=FIRST, max_value=date(2030, 12, 31)),
)
def test_periods_tile_the_range(a, b):
    start, end = min(a, b), max(a, b)
    parts = policy.periods(start, end)
    assert parts[0].start == start and parts[-1].end == end
    assert sum(p.days for p in parts) == (end - start).days + 1
    for prev, cur in itertools.pairwise(parts):
        assert prev.end + timedelta(days=1) == cur.start
        assert prev.version_ids != cur.version_ids
    for p in parts:
        assert policy.at(p.start) is p.policy and policy.at(p.end) is p.policy


_day = st.dates(min_value=date(2018, 1, 1), max_value=date(2032, 12, 31))


@st.composite
def version_sets(draw):
    """A base (complete) version with a random range plus 0–3 overrides of one amount."""
    base_from = draw(_day)
    base_to = draw(st.none() | st.dates(min_value=base_from, max_value=date(2032, 12, 31)))
    overrides = []
    for i in range(draw(st.integers(0, 3))):
        start = draw(_day)
        end = draw(st.none() | st.dates(min_value=start, max_value=date(2032, 12, 31)))
        overrides.append((f"O{i}", start, end, 60000 + i * 1000))
    return base_from, base_to, overrides


def _in_force(start, end, day):
    return start <= day and (end is None or day <= end)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(version_sets(), st.lists(_day, min_size=1, max_size=8))
def test_merge_semantics_match_a_brute_force_oracle(versions, days):
    """Any set of versions: the load fails exactly when some day would be incomplete or two
    same-day versions collide; otherwise at(day) = the latest-starting version in force that
    sets the amount, and a day with no version in force raises PolicyDateError."""
    base_from, base_to, overrides = versions
    with tempfile.TemporaryDirectory() as tmp:
        data = copy_data(Path(tmp))
        (data.path / "2023-08-01_V2023-1.yaml").unlink()
        data.replace(BASE_FILE, "effective_from: 2020-10-31", f"effective_from: {base_from}")
        data.replace(BASE_FILE, "effective_to: null", f"effective_to: {base_to or 'null'}")
        for vid, start, end, amount in overrides:
            data.write(
                f"{vid}.yaml",
                textwrap.dedent(
                    f"""\
                    version: {{id: {vid}, title: t, source: s, confidence: A,
                              effective_from: {start}, effective_to: {end or "null"}}}
                    parameters:
                      subsidy:
                        new_class_affordable_yuan:
                          {{value: {amount}, ref: P-SUB-1, source: s, confidence: A}}
                    """
                ),
            )
        starts = [base_from] + [o[1] for o in overrides]
        collide = len(set(starts)) < len(starts)
        # a partial version in force on a day without the (complete) base
        uncovered = any(
            s < base_from or (base_to is not None and (e is None or e > base_to))
            for _, s, e, _ in overrides
        )
        try:
            book = policy.load(data.path)
        except policy.PolicyDataError:
            assert collide or uncovered
            return
        assert not (collide or uncovered)
        for day in days:
            if not _in_force(base_from, base_to, day):
                try:
                    book.at(day)
                except policy.PolicyDateError:
                    continue
                raise AssertionError(f"{day} should be outside every version")
            expected = 50000
            for _, s, e, amount in sorted(overrides, key=lambda o: o[1]):
                if _in_force(s, e, day):
                    expected = amount
            assert book.at(day).subsidy.new_class_affordable_yuan == expected

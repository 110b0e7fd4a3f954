"""Shared pieces of the rules tests: the shipped plans as Rules, a clock, and fact generators.

Times are Unix seconds as the engine takes them. T is an arbitrary moment in the 9th edition's
time; tests count from it in days, hours and minutes so boundaries read like the policy.
"""

import datetime

from hypothesis import strategies as st

from fangyi.health.presets import PRESETS
from fangyi.health.rules import Fact, Manual, Rules, ZoneRef, evaluate

MINUTE = 60.0
HOUR = 60 * MINUTE
DAY = 24 * HOUR
T = datetime.datetime(2022, 7, 1, 10, 0, tzinfo=datetime.UTC).timestamp()

RULES = {preset["code"]: Rules(preset["parameters"], preset["code"]) for preset in PRESETS}
NINTH = RULES["2022-06-9th"]
MARCH = RULES["2022-03"]
TWENTY = RULES["2022-11-20m"]


def fact(fact_id, kind, at, outcome="", variant="", retracts=None) -> Fact:
    return Fact(fact_id, kind, at, outcome, variant, retracts)


def negative(fact_id, at, variant="single") -> Fact:
    return Fact(fact_id, "test_result", at, "negative", variant)


def positive(fact_id, at, variant="single") -> Fact:
    return Fact(fact_id, "test_result", at, "positive", variant)


def retraction(fact_id, target, at) -> Fact:
    return Fact(fact_id, "retraction", at, "", "", target)


def run(facts=(), now=T, *, zones=(), rules=NINTH, manual=None):
    """Evaluates with the facts in time order, as the recompute hands them over."""
    return evaluate(sorted(facts, key=lambda f: f.at), list(zones), rules, now, manual)


def codes(result) -> list[str]:
    return [reason.code for reason in result.reasons]


# Hypothesis: a person's history in a window of three weeks around NOW. Times fall on a grid
# of minutes, hours or whole days from the window's start (ledgers often give dates only), so
# ties (two facts at the same moment) and period ends falling exactly on NOW come up often.

NOW = T + 14 * DAY
WINDOW_START = NOW - 20 * DAY
WINDOW_END = NOW + 3 * DAY


def _grid(step: float):
    steps = int((WINDOW_END - WINDOW_START) // step)
    return st.integers(0, steps).map(lambda n: WINDOW_START + n * step)


moments = st.one_of(_grid(MINUTE), _grid(HOUR), _grid(DAY))

SETTINGS = ["centralised", "home", "home_monitoring"]
fact_shapes = st.one_of(
    st.tuples(
        st.just("test_result"),
        st.sampled_from(["negative", "positive", "invalid"]),
        st.sampled_from(["single", "pooled"]),
    ),
    st.tuples(
        st.sampled_from(
            [
                "pooled_positive",
                "case_confirmed",
                "case_suspected",
                "recovered",
                "close_contact",
                "secondary_contact",
                "arrival_from_risk_area",
                "fever_clinic_visit",
                "health_declaration",
            ]
        ),
        st.just(""),
        st.just(""),
    ),
    st.tuples(st.just("quarantine_start"), st.just(""), st.sampled_from(SETTINGS)),
    st.tuples(st.just("quarantine_end"), st.just(""), st.sampled_from(["", *SETTINGS])),
)


@st.composite
def histories(draw, min_size=0, max_size=12) -> list[Fact]:
    """Facts of every kind the engine reads, sorted by time, ids f0, f1, … in that order."""
    # A few moments shared by several facts make ties, and period ends meeting tests, common.
    shared = draw(st.lists(moments, min_size=1, max_size=3))
    times = st.one_of(st.sampled_from(shared), moments)
    drawn = draw(st.lists(st.tuples(times, fact_shapes), min_size=min_size, max_size=max_size))
    drawn.sort(key=lambda item: item[0])
    return [
        Fact(f"f{index}", kind, at, outcome, variant)
        for index, (at, (kind, outcome, variant)) in enumerate(drawn)
    ]


@st.composite
def zone_lists(draw, rules: Rules) -> list[ZoneRef]:
    kinds = sorted(rules.zone_kinds) + ["sealed", "high"]
    drawn = draw(st.lists(st.tuples(st.sampled_from(kinds), moments), max_size=2))
    return [ZoneRef(f"z{index}", kind, at) for index, (kind, at) in enumerate(drawn)]


def manuals(rules: Rules):
    return st.none() | st.builds(
        Manual, st.just("m"), st.sampled_from(rules.colours), moments, st.just("")
    )


plans = st.sampled_from(sorted(RULES))

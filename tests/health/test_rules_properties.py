"""Properties of the engine over generated histories of every fact kind, zones and decisions."""

from hypothesis import given, settings
from hypothesis import strategies as st

from fangyi.health.rules import RANK, Fact, evaluate
from tests.health.strategies import (
    DAY,
    NOW,
    RULES,
    histories,
    manuals,
    moments,
    plans,
    zone_lists,
)

EXAMPLES = settings(max_examples=100, deadline=None)


@st.composite
def situations(draw, with_manual=True):
    rules = RULES[draw(plans)]
    facts = draw(histories())
    zones = draw(zone_lists(rules))
    manual = draw(manuals(rules)) if with_manual else None
    return rules, facts, zones, manual


def _in_order(facts):
    return sorted(facts, key=lambda f: f.at)


@EXAMPLES
@given(situations(), st.data())
def test_retracting_facts_is_as_if_they_were_never_recorded(situation, data):
    rules, facts, zones, manual = situation
    retracted = data.draw(
        st.sets(st.sampled_from([f.id for f in facts])) if facts else st.just(set())
    )
    retractions = [
        Fact(f"x{index}", "retraction", data.draw(moments), "", "", target)
        for index, target in enumerate(sorted(retracted))
    ]
    kept = [f for f in facts if f.id not in retracted]
    assert evaluate(_in_order(facts + retractions), zones, rules, NOW, manual) == evaluate(
        kept, zones, rules, NOW, manual
    )


@EXAMPLES
@given(situations(), st.data())
def test_the_result_holds_until_valid_until(situation, data):
    rules, facts, zones, manual = situation
    result = evaluate(facts, zones, rules, NOW, manual)
    horizon = result.valid_until if result.valid_until is not None else NOW + 30 * DAY
    assert horizon > NOW
    # Whole seconds: every generated time is, and a float fraction could round onto horizon.
    seconds = int(horizon - NOW)
    for later in (NOW + data.draw(st.integers(0, seconds - 1)), NOW + seconds - 1):
        assert evaluate(facts, zones, rules, later, manual) == result


@EXAMPLES
@given(situations())
def test_the_colour_is_the_plans_and_the_most_severe_reasons(situation):
    rules, facts, zones, manual = situation
    result = evaluate(facts, zones, rules, NOW, manual)
    assert result.colour in rules.colours
    assert all(reason.colour in rules.colours for reason in result.reasons)
    ranks = [RANK[reason.colour] for reason in result.reasons]
    assert ranks == sorted(ranks, reverse=True)
    if manual is not None and manual.expires_at > NOW:
        assert [reason.code for reason in result.reasons] == ["manual"]
        assert result.colour == manual.colour and result.valid_until == manual.expires_at
    else:
        assert (result.colour == "green") == (not result.reasons)
        assert RANK[result.colour] == max(ranks, default=0)


@EXAMPLES
@given(
    situations(with_manual=False),
    moments,
    st.sampled_from(["single", "pooled"]),
    st.integers(0, 20),
)
def test_a_negative_test_never_makes_the_colour_more_severe(situation, at, variant, place):
    rules, facts, zones, _manual = situation
    test = Fact("n", "test_result", at, "negative", variant)
    before = evaluate(facts, zones, rules, NOW)
    # Among facts of the same moment the test may come anywhere: try one of the places.
    same = [i for i, f in enumerate(facts) if f.at == at]
    index = next((i for i, f in enumerate(facts) if f.at > at), len(facts))
    if same:
        index = same[0] + place % (len(same) + 1)
    after = evaluate([*facts[:index], test, *facts[index:]], zones, rules, NOW)
    assert RANK[after.colour] <= RANK[before.colour]


@EXAMPLES
@given(situations(), st.randoms(use_true_random=False))
def test_the_order_of_facts_of_the_same_moment_changes_no_colour_and_no_period(situation, random):
    # Only which fact a reason names may differ (a case and a positive test of the same
    # moment): the recompute hands ties over in the order they were recorded.
    rules, facts, zones, manual = situation
    shuffled = sorted(facts, key=lambda f: (f.at, random.random()))
    result = evaluate(facts, zones, rules, NOW, manual)
    other = evaluate(shuffled, zones, rules, NOW, manual)
    assert (other.colour, other.valid_until) == (result.colour, result.valid_until)
    assert [(r.colour, r.until) for r in other.reasons] == [
        (r.colour, r.until) for r in result.reasons
    ]


@EXAMPLES
@given(situations(with_manual=False))
def test_facts_after_now_only_bound_valid_until(situation):
    # Under a decision nothing but its expiry bounds the result: that is the previous test.
    rules, facts, zones, _manual = situation
    result = evaluate(facts, zones, rules, NOW)
    past = evaluate([f for f in facts if f.at <= NOW], zones, rules, NOW)
    assert (result.colour, result.reasons) == (past.colour, past.reasons)
    coming = [f.at for f in facts if f.at > NOW]
    if coming:
        assert result.valid_until is not None and result.valid_until <= min(coming)

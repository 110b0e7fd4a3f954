"""Manual decisions (人工判定): an approved decision is the colour and the only reason until it
expires; from its expiry the facts decide again."""

from fangyi.health.rules import Manual, ZoneRef
from tests.health.strategies import DAY, MINUTE, T, codes, fact, run

FACTS = [fact("cc", "close_contact", T)]
DECISION = Manual("m", "green", T + DAY, "误判")


def test_a_decision_overrides_the_facts_until_it_expires():
    result = run(FACTS, T + DAY - MINUTE, manual=DECISION)
    assert result.colour == "green"
    assert codes(result) == ["manual"]
    assert result.reasons[0].colour == "green"
    assert result.reasons[0].until == T + DAY
    assert result.valid_until == T + DAY


def test_from_its_expiry_the_facts_decide_again():
    assert run(FACTS, T + DAY, manual=DECISION) == run(FACTS, T + DAY)
    assert run(FACTS, T + DAY, manual=DECISION).colour == "red"


def test_a_decision_may_make_the_colour_more_severe_too():
    zones = [ZoneRef("z", "low", T - DAY)]
    result = run(zones=zones, now=T, manual=Manual("m", "red", T + MINUTE))
    assert (result.colour, result.valid_until) == ("red", T + MINUTE)

"""How rules combine: the most severe colour wins, every reason is kept, most severe first, and
the result holds until the earliest period end or the earliest fact or zone still to come."""

from fangyi.health.rules import ZoneRef
from tests.health.strategies import DAY, HOUR, T, codes, fact, negative, retraction, run


def test_no_facts_and_no_zones_is_green_for_good():
    assert run([], T) == ("green", (), None)


def test_health_declarations_and_negative_tests_alone_do_not_colour():
    facts = [fact("d", "health_declaration", T), negative("n", T + HOUR)]
    assert run(facts, T + DAY) == ("green", (), None)


def test_the_most_severe_colour_wins_and_reasons_are_sorted_most_severe_first():
    facts = [
        fact("a", "arrival_from_risk_area", T - DAY),
        fact("s", "secondary_contact", T - DAY),
        fact("cc", "close_contact", T),
    ]
    result = run(facts, T, zones=[ZoneRef("z", "medium", T - DAY)])
    assert result.colour == "red"
    assert [reason.colour for reason in result.reasons] == ["red", "yellow", "yellow", "yellow"]
    assert codes(result) == ["close_contact_quarantine", "secondary_contact", "arrival", "zone"]


def test_valid_until_is_the_earliest_period_end_or_coming_fact():
    facts = [
        fact("cc", "close_contact", T - 6 * DAY),
        fact("s", "secondary_contact", T - 2 * DAY),
        negative("n", T + 3 * DAY),
    ]
    assert run(facts, T).valid_until == T + DAY
    assert run(facts, T + DAY).valid_until == T + 3 * DAY
    assert run(facts, T + 3 * DAY).valid_until == T + 4 * DAY
    assert run(facts, T + 4 * DAY).valid_until == T + 5 * DAY
    assert run(facts, T + 5 * DAY) == ("green", (), None)


def test_a_less_severe_reason_still_bounds_valid_until():
    facts = [fact("c", "case_confirmed", T - DAY), fact("s", "secondary_contact", T - DAY)]
    result = run(facts, T)
    assert result.colour == "red" and result.valid_until == T + 6 * DAY


def test_a_fact_dated_after_now_counts_from_its_date():
    facts = [fact("c", "case_confirmed", T + HOUR)]
    assert run(facts, T) == ("green", (), T + HOUR)
    assert run(facts, T + HOUR).colour == "red"


def test_retracting_a_fact_removes_it():
    facts = [fact("cc", "close_contact", T), retraction("x", "cc", T + HOUR)]
    assert run(facts, T + 2 * HOUR) == ("green", (), None)


def test_retracting_the_last_exposure_counts_from_the_one_before():
    facts = [
        fact("cc1", "close_contact", T),
        fact("cc2", "close_contact", T + 5 * DAY),
        retraction("x", "cc2", T + 6 * DAY),
    ]
    result = run(facts, T + 8 * DAY)
    assert result.colour == "yellow" and result.reasons[0].facts == ("cc1",)


def test_retracting_a_recovery_makes_the_case_red_again():
    facts = [
        fact("c", "case_confirmed", T),
        fact("r", "recovered", T + 10 * DAY),
        retraction("x", "r", T + 11 * DAY),
    ]
    assert run(facts, T + 12 * DAY).colour == "red"


def test_a_retraction_acts_at_once_whatever_its_date():
    facts = [fact("cc", "close_contact", T), retraction("x", "cc", T + DAY)]
    assert run(facts, T + HOUR) == ("green", (), None)


def test_a_retracted_fact_dated_later_does_not_bound_valid_until():
    facts = [fact("c", "case_confirmed", T + DAY), retraction("x", "c", T)]
    assert run(facts, T) == ("green", (), None)

"""9th edition, arrivals from a risk area (来自风险地区): yellow until two negative tests taken
after the arrival and at least 24 hours apart."""

import pytest

from tests.health.strategies import DAY, HOUR, MINUTE, T, codes, fact, negative, run

ARRIVAL = fact("a", "arrival_from_risk_area", T)


def test_an_arrival_is_yellow_with_no_end_of_its_own():
    result = run([ARRIVAL], T + 10 * DAY)
    assert result.colour == "yellow"
    assert codes(result) == ["arrival"]
    assert result.reasons[0].facts == ("a",)
    assert result.valid_until is None


def test_two_negatives_24_hours_apart_turn_green_at_the_second():
    facts = [ARRIVAL, negative("n1", T + HOUR), negative("n2", T + 25 * HOUR)]
    before = run(facts, T + 25 * HOUR - MINUTE)
    assert before.colour == "yellow" and before.valid_until == T + 25 * HOUR
    assert run(facts, T + 25 * HOUR) == ("green", (), None)
    assert run(facts, T + 25 * HOUR + MINUTE) == ("green", (), None)


def test_23_hours_59_minutes_apart_is_not_enough():
    facts = [ARRIVAL, negative("n1", T + HOUR), negative("n2", T + 25 * HOUR - MINUTE)]
    assert run(facts, T + 3 * DAY).colour == "yellow"


def test_a_third_test_counts_against_the_first_one_taken():
    facts = [
        ARRIVAL,
        negative("n1", T + HOUR),
        negative("n2", T + 12 * HOUR),
        negative("n3", T + 25 * HOUR),
    ]
    assert run(facts, T + 25 * HOUR - MINUTE).colour == "yellow"
    assert run(facts, T + 25 * HOUR).colour == "green"


@pytest.mark.parametrize("first", [T - DAY, T - MINUTE, T], ids=["day before", "minute", "same"])
def test_a_test_before_or_at_the_arrival_does_not_count(first):
    facts = [negative("n1", first), ARRIVAL, negative("n2", T + 2 * DAY)]
    assert run(facts, T + 3 * DAY).colour == "yellow"


def test_a_test_at_the_moment_of_arrival_does_not_count_whichever_is_listed_first():
    # Ledgers often give dates only: the order of two facts of the same moment is arbitrary.
    for facts in ([ARRIVAL, negative("n1", T)], [negative("n1", T), ARRIVAL]):
        facts = [*facts, negative("n2", T + 2 * DAY)]
        assert run(facts, T + 3 * DAY).colour == "yellow"


def test_pooled_negatives_count_as_tests():
    facts = [ARRIVAL, negative("n1", T + HOUR, "pooled"), negative("n2", T + DAY + HOUR, "pooled")]
    assert run(facts, T + 2 * DAY).colour == "green"


def test_a_new_arrival_starts_the_count_again():
    facts = [
        ARRIVAL,
        negative("n1", T + HOUR),
        fact("a2", "arrival_from_risk_area", T + 2 * HOUR),
        negative("n2", T + 26 * HOUR),
    ]
    result = run(facts, T + 2 * DAY)
    assert result.colour == "yellow" and result.reasons[0].facts == ("a2",)

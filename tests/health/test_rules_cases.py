"""9th edition, cases (病例): a confirmed or suspected case is red until recovered.

A positive single-tube test makes a suspected case (code positive_test); recovery counts only
when it comes strictly after the case.
"""

import pytest

from tests.health.strategies import DAY, MINUTE, T, codes, fact, positive, run


@pytest.mark.parametrize("kind", ["case_confirmed", "case_suspected"])
def test_a_case_is_red_with_no_end_of_its_own(kind):
    result = run([fact("c", kind, T)], T + 60 * DAY)
    assert result.colour == "red"
    assert codes(result) == ["case"]
    assert result.reasons[0].facts == ("c",)
    assert result.reasons[0].until is None
    assert result.valid_until is None


def test_a_positive_single_test_makes_a_suspected_case():
    result = run([positive("p", T)], T)
    assert result.colour == "red"
    assert codes(result) == ["positive_test"]
    assert result.reasons[0].facts == ("p",)


@pytest.mark.parametrize("kind", ["invalid", "negative"])
def test_other_single_test_outcomes_do_not_colour(kind):
    assert run([fact("t", "test_result", T, kind, "single")], T).colour == "green"


@pytest.mark.parametrize("case", [fact("c", "case_confirmed", T), positive("c", T)])
def test_recovery_ends_the_case_at_that_moment(case):
    recovered = fact("r", "recovered", T + 20 * DAY)
    before = run([case, recovered], T + 20 * DAY - MINUTE)
    assert before.colour == "red"
    assert before.valid_until == T + 20 * DAY
    assert run([case, recovered], T + 20 * DAY) == ("green", (), None)
    assert run([case, recovered], T + 20 * DAY + MINUTE) == ("green", (), None)


@pytest.mark.parametrize("recovered_at", [T - DAY, T - MINUTE, T])
def test_a_recovery_before_or_at_the_case_does_nothing(recovered_at):
    facts = [fact("r", "recovered", recovered_at), fact("c", "case_confirmed", T)]
    assert run(facts, T + DAY).colour == "red"


def test_a_new_case_after_recovery_is_red_again():
    facts = [
        fact("c1", "case_confirmed", T),
        fact("r", "recovered", T + 10 * DAY),
        fact("c2", "case_suspected", T + 30 * DAY),
    ]
    assert run(facts, T + 20 * DAY).colour == "green"
    result = run(facts, T + 30 * DAY)
    assert result.colour == "red" and result.reasons[0].facts == ("c2",)


def test_a_confirmed_case_after_a_positive_test_names_the_diagnosis():
    facts = [positive("p", T), fact("c", "case_confirmed", T + DAY)]
    result = run(facts, T + DAY)
    assert codes(result) == ["case"] and result.reasons[0].facts == ("c",)

"""9th edition, fever clinic visits (发热门诊): yellow until a negative test taken after the
visit."""

import pytest

from tests.health.strategies import DAY, HOUR, MINUTE, T, codes, fact, negative, run

VISIT = fact("v", "fever_clinic_visit", T)


def test_a_visit_is_yellow_with_no_end_of_its_own():
    result = run([VISIT], T + 5 * DAY)
    assert result.colour == "yellow"
    assert codes(result) == ["fever_clinic"]
    assert result.reasons[0].facts == ("v",)
    assert result.valid_until is None


@pytest.mark.parametrize("variant", ["single", "pooled"])
def test_a_negative_test_after_the_visit_turns_green(variant):
    facts = [VISIT, negative("n", T + MINUTE, variant)]
    assert run(facts, T + MINUTE - 1) == ("yellow", run([VISIT], T).reasons, T + MINUTE)
    assert run(facts, T + MINUTE) == ("green", (), None)


@pytest.mark.parametrize("at", [T - HOUR, T], ids=["before", "same moment"])
def test_a_negative_test_before_or_at_the_visit_does_not_count(at):
    assert run([negative("n", at), VISIT], T + DAY).colour == "yellow"


def test_a_later_visit_needs_a_test_of_its_own():
    facts = [VISIT, negative("n", T + HOUR), fact("v2", "fever_clinic_visit", T + 2 * HOUR)]
    result = run(facts, T + DAY)
    assert result.colour == "yellow" and result.reasons[0].facts == ("v2",)

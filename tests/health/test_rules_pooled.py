"""9th edition, pooled tubes (混管): a member of a positive pool is yellow until a negative
single-tube retest (单管复核) taken strictly after the pooled result."""

import pytest

from tests.health.strategies import HOUR, MINUTE, T, codes, fact, negative, positive, run

POOL_POSITIVE = [
    pytest.param(positive("pp", T, "pooled"), id="test_result"),
    pytest.param(fact("pp", "pooled_positive", T), id="pooled_positive"),
]


@pytest.mark.parametrize("pooled", POOL_POSITIVE)
def test_a_positive_pool_makes_its_members_yellow_with_no_end_of_its_own(pooled):
    result = run([pooled], T + 5 * HOUR)
    assert result.colour == "yellow"
    assert codes(result) == ["pooled_positive"]
    assert result.reasons[0].facts == ("pp",)
    assert result.valid_until is None


@pytest.mark.parametrize("pooled", POOL_POSITIVE)
def test_a_negative_single_retest_after_it_turns_green(pooled):
    retest = negative("n", T + MINUTE)
    assert run([pooled, retest], T + MINUTE - 1).colour == "yellow"
    assert run([pooled, retest], T + MINUTE - 1).valid_until == T + MINUTE
    assert run([pooled, retest], T + MINUTE) == ("green", (), None)


@pytest.mark.parametrize("pooled", POOL_POSITIVE)
@pytest.mark.parametrize(
    "test",
    [
        pytest.param(negative("n", T + HOUR, "pooled"), id="negative pooled test"),
        pytest.param(negative("n", T), id="single test at the same moment"),
        pytest.param(negative("n", T - MINUTE), id="single test the minute before"),
    ],
)
def test_these_tests_do_not_clear_a_positive_pool(pooled, test):
    assert run([pooled, test], T + 2 * HOUR).colour == "yellow"


def test_a_positive_single_retest_makes_a_suspected_case():
    result = run([positive("pp", T, "pooled"), positive("p", T + HOUR)], T + HOUR)
    assert result.colour == "red"
    assert codes(result) == ["positive_test", "pooled_positive"]

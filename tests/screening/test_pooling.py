"""Dorfman's pool-size advice: known values, the optimum against its neighbours, and the
prevalence above which pooling does not pay."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangyi.screening.campaigns.pooling import best_allowed, dorfman, optimal_pool_size

prevalences = st.floats(min_value=0, max_value=1, allow_nan=False)


def test_known_values():
    assert optimal_pool_size(0.01) == 11
    assert dorfman(0.01, 11) == pytest.approx(0.1956, abs=5e-4)
    assert optimal_pool_size(0.05) == 5
    assert optimal_pool_size(0.001) == 32
    assert dorfman(0.2, 1) == 1.0


def test_pooling_stops_paying_just_above_three_in_ten():
    threshold = 1 - 3 ** (-1 / 3)
    assert optimal_pool_size(threshold - 0.001) == 3
    assert optimal_pool_size(threshold + 0.001) == 1


@given(st.floats(min_value=0.31, max_value=1))
def test_one_tube_each_at_high_prevalence(prevalence):
    assert optimal_pool_size(prevalence) == 1


@given(prevalences)
def test_the_optimum_is_never_worse_than_its_neighbours_or_single_tubes(prevalence):
    k = optimal_pool_size(prevalence)
    best = dorfman(prevalence, k)
    assert best <= 1
    for neighbour in (k - 1, k + 1):
        if 1 <= neighbour <= 100:
            assert best <= dorfman(prevalence, neighbour)


@given(prevalences, st.lists(st.integers(1, 50), min_size=1, max_size=8))
def test_the_best_allowed_size_is_the_least_of_the_allowed(prevalence, sizes):
    size, tests = best_allowed(prevalence, sizes)
    assert size in sizes
    assert tests == min(dorfman(prevalence, k) for k in sizes)
    unrestricted = optimal_pool_size(prevalence, max_k=max(sizes))
    assert tests >= dorfman(prevalence, unrestricted) - 1e-12


def test_no_positives_means_the_largest_pool():
    assert optimal_pool_size(0) == 100
    assert best_allowed(0, [1, 5, 10, 20]) == (20, pytest.approx(1 / 20))


@pytest.mark.parametrize("prevalence", [-0.1, 1.5, math.nan, math.inf, "0.1"])
def test_out_of_range_prevalence_is_refused(prevalence):
    with pytest.raises(ValueError):
        dorfman(prevalence, 5)

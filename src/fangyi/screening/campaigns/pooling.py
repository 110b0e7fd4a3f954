"""Pool-size advice from Dorfman's two-stage scheme: test pools of k, retest every member of a
positive pool alone. Pure functions, no database.

With prevalence P, a pool of k is negative with probability (1 − P)^k, so the expected number
of tests per person is 1/k (the pool's test, shared) + 1 − (1 − P)^k (the retests), and 1 for
k = 1 (no second stage). Pooling pays while some k ≥ 2 gives less than 1, which stops when
P exceeds 1 − 3^(−1/3) ≈ 0.3066: above that the advice is one tube per person.

P = 0 (no positive in the last round) is a valid input: every pool is negative, 1/k falls with
k, and the advice is the largest size searched or allowed. P = 1 advises single tubes.
"""

import math
from collections.abc import Iterable

DEFAULT_MAX_K = 100


def _check(prevalence: float) -> None:
    if not (isinstance(prevalence, int | float) and math.isfinite(prevalence)):
        raise ValueError("prevalence must be a finite number")
    if not 0 <= prevalence <= 1:
        raise ValueError("prevalence must lie between 0 and 1")


def dorfman(prevalence: float, k: int) -> float:
    """Expected tests per person with pools of k."""
    _check(prevalence)
    if k < 1:
        raise ValueError("a pool holds at least one person")
    if k == 1:
        return 1.0
    return 1 / k + 1 - (1 - prevalence) ** k


def _least(prevalence: float, sizes: Iterable[int]) -> tuple[int, float]:
    # Ties go to the smaller pool: the same cost with fewer people to retest.
    return min(((k, dorfman(prevalence, k)) for k in sizes), key=lambda pair: (pair[1], pair[0]))


def optimal_pool_size(prevalence: float, max_k: int = DEFAULT_MAX_K) -> int:
    """The k in 1..max_k with the fewest expected tests per person."""
    if max_k < 1:
        raise ValueError("max_k must be at least 1")
    return _least(prevalence, range(1, max_k + 1))[0]


def best_allowed(prevalence: float, sizes: Iterable[int]) -> tuple[int, float]:
    """The allowed size with the fewest expected tests per person, and that number."""
    sizes = sorted(set(sizes))
    if not sizes:
        raise ValueError("no pool sizes given")
    return _least(prevalence, sizes)

"""Which tallies a status write makes stale: each region's own stamp for a small write, one
city-wide epoch for a wide one (a recompute batch), so that a million-status recompute does
not write a cache entry per region it touches."""

import pytest
from django.core.cache import cache

from fangyi.health import counts

BUILDINGS = [f"35010201{n:02d}0001" for n in range(counts.RENEW_EACH_UP_TO + 5)]
OTHER_DISTRICT = "350103"


@pytest.fixture(autouse=True)
def empty_cache(db):
    cache.clear()
    yield
    cache.clear()


def test_a_small_write_renews_only_the_regions_above_it():
    before = {path: counts._stamp(path) for path in ("350102", OTHER_DISTRICT)}

    counts.statuses_written([BUILDINGS[0]])

    assert counts._stamp("350102") != before["350102"]
    assert counts._stamp(OTHER_DISTRICT) == before[OTHER_DISTRICT]
    assert cache.get(counts.EPOCH_KEY) == before[OTHER_DISTRICT].split(":")[0]


def test_a_wide_write_renews_one_epoch_instead_of_every_region():
    before = counts._stamp(OTHER_DISTRICT)
    epoch = cache.get(counts.EPOCH_KEY)

    counts.statuses_written(BUILDINGS)

    assert cache.get(counts.EPOCH_KEY) != epoch
    # Every tally is stale, including one far from the write: the price of one cache write.
    assert counts._stamp(OTHER_DISTRICT) != before
    assert all(cache.get(counts._stamp_key(path)) is None for path in BUILDINGS)

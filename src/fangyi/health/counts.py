"""Colour counts per region: the stored counts, and the region page's tally of them, cached.

`ColourCount` keeps the number of status rows per region path and colour, maintained by the
database's triggers on every status write (migration 0008), so reading a city's colours sums
a few thousand rows instead of grouping a million statuses. The region page's tally is still
cached for a minute and shared by every viewer. The cache key carries the region's stamp,
which the recompute renews (deletes, for the next reader to make anew) for every region
above a status it writes: a tally is reused only while no colour under its region has
changed, so an officer who draws a zone sees its residents counted red on the next page.
"""

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models import BigIntegerField, Sum
from django.db.models.functions import Cast, Substr

from fangyi.core.paths import under
from fangyi.regions.models import PATH_LENGTHS, Level, Region, ancestor_paths

from .models import ColourCount

COUNTS_SECONDS = 60
# A write that touches more regions than this renews one city-wide epoch instead of a stamp
# per region. A recompute batch can touch hundreds of regions: renewing each (then a set,
# which on the database cache counts its table) made a million-status recompute spend most
# of its time counting the cache table (finding 23), and each stamp renewed is one the
# readers make anew. A small write (a zone, a lab result) still leaves every other region's
# tally alone.
RENEW_EACH_UP_TO = 16
EPOCH_KEY = "health:status-epoch"


def _stamp_key(path: str) -> str:
    return f"health:status-stamp:{path}"


def _current(key: str, known: dict) -> str:
    stamp = known.get(key)
    if stamp is None:
        # Never written, or evicted: a new stamp, so that no tally counted under an earlier
        # one can be taken for current.
        stamp = uuid.uuid4().hex
        if not cache.add(key, stamp, None):
            stamp = cache.get(key) or stamp
    return stamp


def _stamp(path: str) -> str:
    keys = (EPOCH_KEY, _stamp_key(path))
    known = cache.get_many(keys)
    return ":".join(_current(key, known) for key in keys)


def status_counts(region: Region) -> dict:
    """Status rows under a region by colour, and by child region and colour."""
    key = f"health:status-counts:{region.path}:{_stamp(region.path)}"
    counts = cache.get(key)
    if counts is None:
        counts = _count_statuses(region)
        cache.set(key, counts, COUNTS_SECONDS)
    return counts


def colour_counts(within: str = "", *, depth: int | None = None) -> list[tuple[str, str, int]]:
    """(region path, colour, status rows) under `within` ("" for all), from the stored counts:
    at every path that has any, or added up to the first `depth` characters of the path (a
    path shorter than that stays as it is)."""
    stored = ColourCount.objects.filter(under("region_path", within), count__gt=0)
    if depth is None:
        return list(stored.values_list("region_path", "colour", "count"))
    return list(
        stored.annotate(prefix=Substr("region_path", 1, depth))
        .order_by()
        .values("prefix", "colour")
        .annotate(n=Cast(Sum("count"), BigIntegerField()))
        .values_list("prefix", "colour", "n")
    )


def _count_statuses(region: Region) -> dict:
    total: dict[str, int] = {}
    children: dict[str, dict[str, int]] = {}
    if region.level < Level.BUILDING:
        length = PATH_LENGTHS[Level(region.level + 1)]
    else:
        length = len(region.path)
    for prefix, colour, n in colour_counts(region.path, depth=length):
        total[colour] = total.get(colour, 0) + n
        if region.level < Level.BUILDING:
            children.setdefault(prefix, {})[colour] = n
    return {"total": total, "children": children}


def _renew(paths: set[str]) -> None:
    # Renewed by deleting: the next reader makes the new stamp (`_current`). One statement on
    # the database cache for any number of stamps, where setting each was three (its backend
    # counts the table and looks the key up before every write): a sweep's upload renewed
    # sixteen stamps twice in each batch (finding 49).
    if len(paths) > RENEW_EACH_UP_TO:
        cache.delete(EPOCH_KEY)
    else:
        cache.delete_many([_stamp_key(path) for path in paths])


def statuses_written(paths: Iterable[str]) -> None:
    """Status rows at these region paths changed: the tallies of every region above them
    (and of the paths themselves) are stale.

    Renewed at once, for the rest of this transaction, and again at commit: a page in another
    process may have counted the rows as they were before the commit and cached that under
    the first renewal.
    """
    regions = {region for path in paths for region in ancestor_paths(path)}
    if not regions:
        return
    _renew(regions)
    transaction.on_commit(lambda: _renew(regions))

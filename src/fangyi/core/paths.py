"""Region-path prefixes as index ranges.

`path LIKE 'prefix%'` only uses a B-tree index under the C collation, so scope filters are
written as `prefix <= path < next(prefix)`, which every database answers from the index,
in the same order that keyset pagination walks.
"""

from django.db.models import Q


def next_prefix(prefix: str) -> str:
    """The digit string that sorts after every `prefix…` and before everything else above it.

    The last digit that is not a 9 goes up by one and the 9s after it are dropped: "124" for
    "123", "1" for "09". Carrying into those 9s instead ("10" for "09") would let a shorter path
    equal to the carried digits ("1") fall inside the range. Only digits, so that any collation
    orders the bound as C does; an all-9 prefix falls back to "~" after it.
    """
    stem = prefix.rstrip("9")
    if prefix.isdigit() and stem:
        return stem[:-1] + str(int(stem[-1]) + 1)
    return prefix + "~"


def under(field: str, prefix: str) -> Q:
    if not prefix:
        return Q()
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": next_prefix(prefix)})

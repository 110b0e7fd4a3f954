"""Region-path prefixes as index ranges.

`path LIKE 'prefix%'` only uses a B-tree index under the C collation, so scope filters are
written as `prefix <= path < next(prefix)`, which every database answers from the index,
in the same order that keyset pagination walks.
"""

from django.db.models import Q


def next_prefix(prefix: str) -> str:
    """The smallest digit string of the same length that sorts after every `prefix…`."""
    if prefix and prefix.isdigit() and prefix.strip("9"):
        return str(int(prefix) + 1).zfill(len(prefix))
    return prefix + "~"


def under(field: str, prefix: str) -> Q:
    if not prefix:
        return Q()
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": next_prefix(prefix)})

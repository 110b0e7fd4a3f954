"""Keyset pagination: pages cost the same on page 1 and page 10,000; no COUNT(*)."""

import base64
import datetime
import json
import uuid
from collections.abc import Sequence

from django.db.models import Model, Q, QuerySet

# What a cursor holds: each ordering field's value as JSON carries it.
CursorValue = str | int | float


class InvalidCursor(ValueError):
    pass


def _encode_value(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def encode_cursor(values: Sequence[object]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[CursorValue]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise InvalidCursor("cursor is not one this server issued") from exc
    if not isinstance(values, list) or len(values) != width:
        raise InvalidCursor("cursor is not one this server issued")
    if not all(isinstance(v, str | int | float) for v in values):
        raise InvalidCursor("cursor is not one this server issued")
    return values


def _after(ordering: tuple[str, ...], values: Sequence[CursorValue]) -> Q:
    """(a, b, c) > (x, y, z) spelled out so every database can use the index.

    A field written "-name" is walked in descending order (newest first).
    """
    first, lookup = (
        (ordering[0][1:], "lte") if ordering[0].startswith("-") else (ordering[0], "gte")
    )
    # The OR below cannot bound an index scan; this redundant bound on the leading field can,
    # so page 2,000 starts where page 1,999 ended instead of filtering everything before it.
    bound = Q(**{f"{first}__{lookup}": values[0]})
    condition = Q()
    for i, field in enumerate(ordering):
        name, lookup = (field[1:], "lt") if field.startswith("-") else (field, "gt")
        step = Q(**{f"{name}__{lookup}": values[i]})
        for prior, value in zip(ordering[:i], values[:i], strict=True):
            step &= Q(**{prior.lstrip("-"): value})
        condition |= step
    return bound & condition


def keyset_page[M: Model](
    queryset: QuerySet[M], *, ordering: tuple[str, ...], cursor: str | None, size: int
) -> tuple[list[M], str | None]:
    """Returns (rows, next_cursor or None). `ordering` must end in a unique field."""
    queryset = queryset.order_by(*ordering)
    if cursor:
        queryset = queryset.filter(_after(ordering, decode_cursor(cursor, len(ordering))))
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor([_attr(last, f.lstrip("-")) for f in ordering])
    return rows, next_cursor


def _attr(obj: object, dotted: str) -> object:
    for part in dotted.split("__"):
        obj = getattr(obj, part)
    return obj

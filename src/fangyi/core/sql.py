"""Hand-written SQL for the hottest paths (a resident's code, every minute, on every phone).

On PostgreSQL these statements go through a server-side-binding cursor, so that psycopg
prepares each of them once it has run a few times on a connection (`prepare_threshold`):
planning a three-table join on each request cost more than running it. Elsewhere they go
through Django's cursor as usual. Either way the cursor is Django's wrapper, so query logging,
execute wrappers and error translation see them. Parameters must already be in the database's
terms (`connection.ops.adapt_*`, `field.get_db_prep_value`).
"""

from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Q
from django.db.models.expressions import RawSQL

PREPARE_AFTER = 2


def _cursor() -> CursorWrapper:
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    connection.ensure_connection()
    # Django turns psycopg's automatic preparation off; it concerns only server-side-binding
    # cursors, and Django's own are client-side, so turning it on here touches these alone.
    connection.connection.prepare_threshold = PREPARE_AFTER
    raw = psycopg.Cursor(connection.connection)
    # The stubs ask for Django's wrapper, but these methods are what wrap a driver's cursor.
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)  # type: ignore[arg-type]
    return connection.make_cursor(raw)  # type: ignore[arg-type]


def fetch_one(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    with _cursor() as cursor:
        cursor.execute(sql, params)
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row


def among(field: str, values: list[Any], *, kind: str = "uuid") -> Q:
    """`field IN values` for UUIDs (or `kind` "text"); one array parameter on PostgreSQL, where
    ten thousand placeholders cost more to send and parse than the query takes to run."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL(f"SELECT unnest(%s::{kind}[])", (values,))})
    return Q(**{f"{field}__in": values})

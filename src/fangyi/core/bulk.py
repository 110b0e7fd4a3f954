"""Appending many rows to one table fast: COPY on PostgreSQL, executemany elsewhere.

Used where per-object saves would take hours: loading the demo city and importing ledgers.
Callers pass rows as tuples of Python values in the order of the columns they name.
"""

import contextlib
import datetime
import io
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, cast

import psycopg.copy
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields.related import RelatedField


class JSONText(str):
    """A JSONField value already encoded, written as it is: rows that repeat a few documents
    millions of times encode each once instead of once per row."""


def _id_start() -> tuple[str, int]:
    """The head of a run of time-ordered ids (the time in milliseconds, the version and a
    random sequence) and where its counter starts."""
    millis = f"{time.time_ns() // 1_000_000:012x}"
    head = f"{millis[:8]}-{millis[8:]}-7{int.from_bytes(os.urandom(2)) & 0xFFF:03x}-"
    return head, int.from_bytes(os.urandom(5))


def time_ordered_ids(count: int) -> list[str]:
    """`count` new ids in UUIDv7's layout (RFC 9562), increasing: the time in milliseconds,
    then a counter from a random start in place of random bits (the RFC's way to order ids
    made in one millisecond). Bulk writers make them by the million: in order they append
    to the primary-key indexes, and making them is a third of the cost of one uuid each."""
    head, start = _id_start()
    # The counter starts below 2**40 and a run is far shorter than 2**47, so it fits the
    # last group whole and the group before is the variant's 8000 (one format an id, not
    # three: a million ids took 2.5 s).
    if start + count >= 1 << 48:
        raise ValueError("too many ids for one run")
    prefix = f"{head}8000-"
    return [f"{prefix}{n:012x}" for n in range(start, start + count)]


def time_ordered_id_sql(order_by: str) -> tuple[str, list[Any]]:
    """An SQL expression and its parameters that give each row of a SELECT a new id as
    `time_ordered_ids` makes them, increasing in `order_by` order (a window's ORDER BY), for
    INSERT … SELECT writers: the database makes the ids, no row passes through Python. The
    counter starts below 2**40, so a run of a few million keeps the variant nibble's 8."""
    head, start = _id_start()
    number = f"row_number() OVER (ORDER BY {order_by})"
    if connection.vendor == "postgresql":
        return (
            f"CAST(%s || lpad(to_hex(CAST(%s AS bigint) + {number}), 12, '0') AS uuid)",
            [f"{head}8000-", start],
        )
    # Django keeps UUIDs on SQLite as 32 hex digits.
    return f"(%s || printf(%s, %s + {number}))", [f"{head}8000".replace("-", ""), "%012x", start]


def uuid_text_sql(column: str) -> str:
    """A UUID column as the text str(uuid) gives (what audit rows and source refs keep)."""
    if connection.vendor == "postgresql":
        return f"CAST({column} AS text)"
    parts = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
    return " || '-' || ".join(f"substr({column}, {start}, {size})" for start, size in parts)


def json_object_sql(pairs: dict[str, str]) -> str:
    """A JSON object built by the database from `pairs` (key → SQL expression)."""
    function = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    return f"{function}({', '.join(f"'{key}', {value}" for key, value in pairs.items())})"


# A value as the database driver takes it, from the value a model field holds.
Converter = Callable[[Any, BaseDatabaseWrapper], object]


# Built once: json.dumps with an argument builds an encoder per call, which cost the COPY
# writers more than the encoding.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _json_text(value: object, connection: BaseDatabaseWrapper) -> str | None:
    # COPY's text format hands jsonb the JSON text itself.
    if value is None or isinstance(value, JSONText):
        return value
    try:
        return _ENCODE(value)
    except TypeError:
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _uuid_hex(value: uuid.UUID | str | None, connection: BaseDatabaseWrapper) -> str | None:
    # Django keeps UUIDs on SQLite as 32 hex digits; a text UUID (a new id) loses its dashes.
    if value is None:
        return None
    return value.hex if isinstance(value, uuid.UUID) else value.replace("-", "")


def as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    """A UUID read by hand-written SQL: PostgreSQL gives a UUID, SQLite its 32 hex digits."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def _iso_date(value: datetime.date | None, connection: BaseDatabaseWrapper) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_json(value: object, connection: BaseDatabaseWrapper) -> str | None:
    if value is None:
        return None
    if isinstance(value, JSONText):
        return str(value)
    # The default encoder is built once; naming a class builds one per call.
    try:
        return json.dumps(value)
    except TypeError:
        return json.dumps(value, cls=DjangoJSONEncoder)


def _sqlite_datetime(field: models.Field[Any, Any]) -> Converter:
    zone = connection.timezone

    def convert(value: object, connection: BaseDatabaseWrapper) -> object:
        # What Django stores for an aware datetime: naive text in the connection's zone.
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            return str(value.astimezone(zone).replace(tzinfo=None))
        return field.get_db_prep_save(value, connection)

    return convert


def _sqlite_converter(field: models.Field[Any, Any]) -> Converter | None:
    """What SQLite's driver cannot take as it is, converted the way Django would store it
    but without a call into the field per value (a million rows are millions of values);
    strings, numbers and booleans pass unchanged."""
    kind = field.get_internal_type()
    # Of the concrete fields, only foreign keys are relations.
    target = field.target_field.get_internal_type() if isinstance(field, RelatedField) else kind
    if target == "UUIDField":
        return _uuid_hex
    if kind == "DateField":
        return _iso_date
    if kind == "JSONField":
        return _sqlite_json
    if kind == "DateTimeField":
        return _sqlite_datetime(field)
    return None


class GatheredCopies:
    """COPY statements with their data, formatted by one process for another connection to
    send (a split import's parts format what one writer loads in one transaction)."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, bytes]] = []


_gathering: ContextVar[GatheredCopies | None] = ContextVar("bulk_gathering", default=None)


@contextlib.contextmanager
def gathering_copies() -> Iterator[GatheredCopies]:
    """Inside, TableWriter formats its rows as COPY text into the copies yielded instead of
    sending them (PostgreSQL only)."""
    gathered = GatheredCopies()
    token = _gathering.set(gathered)
    try:
        yield gathered
    finally:
        _gathering.reset(token)


def send_copies(cursor: psycopg.Cursor, blocks: list[tuple[str, bytes]]) -> None:
    """Runs COPY statements gathered elsewhere, on this (psycopg) cursor."""
    for statement, data in blocks:
        with cursor.copy(statement) as copy:
            copy.write(data)


class TableWriter:
    """Appends rows, given as tuples in `columns` order, to one model's table, or to `table`:
    a temporary table of the same columns that a statement then moves on (INSERT … SELECT …
    ON CONFLICT)."""

    def __init__(
        self,
        model: type[models.Model],
        columns: list[str],
        constants: dict[str, object],
        *,
        table: str | None = None,
    ) -> None:
        by_attname = {field.attname: field for field in model._meta.concrete_fields}
        missing = set(by_attname) - set(columns) - set(constants)
        if missing:
            raise ValueError(f"{model.__name__} columns not written: {sorted(missing)}")
        self.fields = [by_attname[name] for name in [*columns, *constants]]
        self.table = connection.ops.quote_name(table or model._meta.db_table)
        # A concrete field always has a column.
        self.column_list = ", ".join(
            connection.ops.quote_name(cast(str, f.column)) for f in self.fields
        )
        self.copy = connection.vendor == "postgresql"
        self.constants: tuple[object, ...]
        self.converters: list[tuple[int, Converter]]
        if self.copy:
            self.constants = tuple(constants.values())
            self.converters = [
                (index, _json_text)
                for index, field in enumerate(self.fields[: len(columns)])
                if field.get_internal_type() == "JSONField"
            ]
        else:
            self.constants = tuple(
                by_attname[name].get_db_prep_save(value, connection)
                for name, value in constants.items()
            )
            self.converters = [
                (index, convert)
                for index, field in enumerate(self.fields[: len(columns)])
                if (convert := _sqlite_converter(field)) is not None
            ]

    def write(self, rows: Sequence[tuple[object, ...]]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if self.copy:
                statement = f"COPY {self.table} ({self.column_list}) FROM STDIN"
                gathered = _gathering.get()
                if gathered is not None:
                    data = io.BytesIO()
                    # The cursor is only the adaptation context: nothing is sent.
                    writer = psycopg.copy.FileWriter(data)
                    with psycopg.copy.Copy(cursor.cursor, writer=writer) as copy:
                        self._copy_rows(copy, rows)
                    gathered.blocks.append((statement, data.getvalue()))
                    return
                with cursor.cursor.copy(statement) as copy:
                    self._copy_rows(copy, rows)
                return
            placeholders = ", ".join(["%s"] * len(self.fields))
            # Rows hold whatever values their fields take; the driver adapts each.
            converted: list[tuple[Any, ...]] = []
            for row in rows:
                values = list(row)
                for index, convert in self.converters:
                    values[index] = convert(values[index], connection)
                converted.append((*values, *self.constants))
            cursor.executemany(
                f"INSERT INTO {self.table} ({self.column_list}) VALUES ({placeholders})",
                converted,
            )

    def _copy_rows(self, copy: psycopg.copy.Copy, rows: Sequence[tuple[object, ...]]) -> None:
        if self.converters:
            for row in rows:
                values = list(row)
                for index, convert in self.converters:
                    values[index] = convert(values[index], connection)
                copy.write_row((*values, *self.constants))
        else:
            for row in rows:
                copy.write_row(row + self.constants)


def update_rows(
    model: type[models.Model], objects: Sequence[models.Model], names: list[str]
) -> None:
    """Writes the fields `names` of each of `objects` to its row, what `QuerySet.bulk_update`
    writes without its CASE per field and row (which costs more to build than the rows cost to
    write): on PostgreSQL one UPDATE from the values as arrays (`unnest`), elsewhere one
    prepared UPDATE per row sent as a batch."""
    if not objects:
        return
    meta = model._meta
    # Fields named here are concrete: each has a column.
    fields = [cast("models.Field[Any, Any]", meta.get_field(name)) for name in names]
    pk = meta.pk
    assert pk is not None
    quote = connection.ops.quote_name
    table, key = quote(meta.db_table), quote(cast(str, pk.column))
    # The connection itself: through the proxy, each value's conversion looked it up again.
    db = connections[DEFAULT_DB_ALIAS]
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), db) for f in fields]
        + [pk.get_db_prep_value(obj.pk, db)]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = [quote(cast(str, f.column)) for f in fields]
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [*fields, pk])
            cursor.execute(
                f"UPDATE {table} SET {', '.join(f'{c} = v.{c}' for c in columns)}"
                f" FROM unnest({arrays}) AS v({', '.join(columns)}, {key})"
                f" WHERE {table}.{key} = v.{key}",
                [list(column) for column in zip(*rows, strict=True)],
            )
            return
        sets = ", ".join(f"{quote(cast(str, f.column))} = %s" for f in fields)
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE {key} = %s", rows)

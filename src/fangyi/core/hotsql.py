"""Statements of the busiest requests, written once per process instead of built by the ORM.

Building a queryset and compiling it to SQL costs more of the server's CPU than the database
spends answering a lookup by key (finding 48: two thirds of an intake's Python was the ORM).
The few statements every ticket or API call makes are kept here as SQL text made once from
the models' own metadata (tables, columns, the converters the ORM would apply to what the
driver returns, the values it would write), so a request only binds its parameters.

`Reader` turns rows into model instances as a queryset would; `insert_sql` writes objects as
`Model.save(force_insert=True)` would, without the signals (callers use it only for models
that have none to send). `cursor()` runs them, on PostgreSQL as prepared statements: the
parameters travel apart from the text (server-side binding, unlike the ORM's own cursors),
so psycopg prepares a statement the fifth time a connection runs it and PostgreSQL then
neither parses nor plans it again (a token's lookup: 0.33 ms of the database's CPU parsed
and planned each time, 0.05 ms prepared). A pooler in front of PostgreSQL must then keep
prepared statements per client (PgBouncer: `max_prepared_statements`, or session pooling).
"""

from collections.abc import Callable, Sequence
from typing import Any, cast

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models.expressions import Col

ConvertRow = Callable[[Any, Any, BaseDatabaseWrapper], Any]


class Reader:
    """The columns of `model` named in `fields` (default: every concrete field) read from the
    table under `alias`: the SELECT list for a statement, and the rows it gives back made into
    instances with the converters a queryset applies (SQLite gives text for UUIDs, dates and
    booleans; PostgreSQL mostly the values themselves)."""

    def __init__(
        self, model: type[models.Model], alias: str, fields: Sequence[str] | None = None
    ) -> None:
        meta = model._meta
        self.model = model
        self.alias = alias
        # In the model's order, as Model.from_db takes a part of the fields' values.
        wanted = {cast(models.Field[Any, Any], meta.get_field(name)) for name in fields or ()}
        self.fields: list[models.Field[Any, Any]] = [
            field for field in meta.concrete_fields if fields is None or field in wanted
        ]
        self.attnames = [field.attname for field in self.fields]
        self._converters: dict[str, list[tuple[int, Col, list[ConvertRow]]]] = {}

    def columns(self, connection: BaseDatabaseWrapper) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{quote(self.alias)}.{quote(cast(str, f.column))}" for f in self.fields)

    def _converters_for(
        self, connection: BaseDatabaseWrapper
    ) -> list[tuple[int, Col, list[ConvertRow]]]:
        found = self._converters.get(connection.alias)
        if found is None:
            found = []
            for index, field in enumerate(self.fields):
                column = Col(self.alias, field)
                functions = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if functions:
                    found.append((index, column, functions))
            self._converters[connection.alias] = found
        return found

    def values(self, connection: BaseDatabaseWrapper, row: Sequence[Any]) -> list[Any]:
        """The row's first len(fields) values as the model's fields hold them."""
        values = list(row[: len(self.fields)])
        for index, column, functions in self._converters_for(connection):
            value = values[index]
            for function in functions:
                value = function(value, column, connection)
            values[index] = value
        return values

    def build(self, connection: BaseDatabaseWrapper, row: Sequence[Any]) -> models.Model:
        """An instance of the row's first len(fields) values, as a queryset would make it."""
        return self.model.from_db(connection.alias, self.attnames, self.values(connection, row))


def insert_sql(
    connection: BaseDatabaseWrapper, objects: Sequence[models.Model]
) -> tuple[str, list[Any]]:
    """`INSERT INTO … VALUES (…), (…)` of objects of one model, every concrete field as
    save() would write it (auto_now fields set, values prepared for the database); a primary
    key left empty (an auto-incremented id) is left to the database."""
    model = type(objects[0])
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and getattr(objects[0], field.attname) is None)
    ]
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params: list[Any] = []
    for obj in objects:
        params.extend(
            field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields
        )
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
        + ", ".join([row] * len(objects)),
        params,
    )


def mark_saved(connection: BaseDatabaseWrapper, objects: Sequence[models.Model]) -> None:
    """Objects written by hand-made SQL are then, to Django, rows of the database."""
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor of `connection` as connection.cursor() gives (the same health check, errors,
    thread checks and statement log), whose statements PostgreSQL prepares once they repeat."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg import Cursor, adapters
    from psycopg.pq import Format

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = Cursor(connection.connection)
        # As Django's own cursors: the connection's zone for timestamps read.
        loader = connection.connection.adapters.get_loader(
            adapters.types["timestamptz"].oid, Format.TEXT
        )
        if connection.timezone != loader.timezone:
            register_tzloader(connection.timezone, raw)
    # Django's wrappers take any DB-API cursor; its stubs name their own class.
    wrapped = cast(Any, raw)
    if connection.queries_logged:
        return connection.make_debug_cursor(wrapped)
    return connection.make_cursor(wrapped)

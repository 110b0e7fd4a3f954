"""What a ledger is, and the registry any area adds its tables to.

A ledger declares its columns (canonical Chinese header, accepted synonyms, how to read a
cell, whether it is required) and three things only it knows: how to check a chunk of rows
against the database and plan what each row would do, how to write such a plan, and which
rows an export holds. The engine (`importing.py`, `exporting.py`) does everything else the
same way for every ledger: reading, header matching, chunking, dry runs, all-or-nothing,
progress, error workbooks, audit.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from fangyi.core.permissions import Actor, can

from . import normalise

if TYPE_CHECKING:
    from django.db.models import Model

    from .writing import CountDeltas

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # canonical, as the template and exports write it; headers stay Chinese
    parse: Callable[[Any], Any] = normalise.text
    synonyms: tuple[str, ...] = ()
    required: bool = False
    description: str | Promise = ""
    example: str = ""

    def header_keys(self) -> set[str]:
        return {normalise.header_key(h) for h in (self.header, self.key, *self.synonyms)}


@dataclass
class Row:
    """One data row of the file, read and parsed."""

    number: int  # as the user sees it in Excel
    cells: list  # the raw cells, for the error workbook
    values: dict[str, Any]  # column key → parsed value, for the columns the file has
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column key, message)
    action: str = ""
    plan: Any = None
    key: Any = None  # what identifies the row's record, once check_alone found it

    def error(self, key: str, message: str) -> None:
        self.errors.append((key, message))

    def has_error(self, key: str) -> bool:
        return any(k == key for k, _message in self.errors)

    def given(self, key: str) -> bool:
        """Whether the file has this column and the cell is not blank."""
        value = self.values.get(key)
        return value is not None and value != ""


class ScopeCache:
    """can(), remembered per region path: an import asks it a million times for a few
    thousand buildings."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.answers: dict[tuple[str, str, str], bool] = {}

    def __call__(self, resource: str, action: str, path: str) -> bool:
        key = (resource, action, path)
        answer = self.answers.get(key)
        if answer is None:
            answer = self.answers[key] = can(self.actor, resource, action, path)
        return answer


class Ledger(abc.ABC):
    # A ledger class is callable; templates must show it, not instantiate it.
    do_not_call_in_templates = True
    slug: ClassVar[str]
    title: ClassVar[str | Promise]
    columns: ClassVar[list[Column]]
    # Which permission resource a scoped export of this ledger reads.
    resource: ClassVar[str]
    export_action: ClassVar[str]
    # Filters an export may take besides the region, as on the list it is exported from:
    # name → {value: label}.
    export_filters: ClassVar[Mapping[str, Mapping[str, object]]] = {}
    # False for a ledger that is only exported (a list to take door to door).
    importable: ClassVar[bool] = True
    # The columns `split_key` reads; none: the ledger's imports are never split.
    split_columns: ClassVar[tuple[str, ...]] = ()
    # The columns `row_key` reads. A split ledger whose `check_alone` sets `Row.key` names
    # them and gives `row_key`; `masked_example` reads only them.
    key_columns: ClassVar[tuple[str, ...]] = ()
    # The tables a split import loads with their indexes built afterwards when they are all
    # empty (emptyload.py); none: never.
    empty_load_tables: ClassVar[tuple[type[Model], ...]] = ()

    def __init__(self, *, actor: Actor) -> None:
        self.actor = actor
        # In a split import (splitting.py), the row each repeated key first appeared on,
        # by row number, found over the whole file before any part is planned.
        self.first_rows: dict[int, int] | None = None
        # In a split all-or-nothing import, region counts gathered until the part commits:
        # parts holding their transactions open must not lock the same regions meanwhile.
        self.deferred_counts: CountDeltas | None = None
        # In a load into an empty registry (emptyload.py): `empty_load_tables` are empty and
        # locked by the writer until it commits, so `plan` must not read them.
        self.registry_empty = False

    def split_key(self, values: dict[str, Any]) -> object | None:
        """What a row shares with other rows of the file, from its `split_columns` parsed:
        a split import plans and writes rows with the same key in one process. None for a
        row that shares nothing but its key (`Row.key`, whose repeats are found first)."""
        return None

    @classmethod
    def column(cls, key: str) -> Column:
        return next(c for c in cls.columns if c.key == key)

    @classmethod
    def header_index(cls) -> dict[str, Column]:
        index: dict[str, Column] = {}
        for column in cls.columns:
            for key in column.header_keys():
                index.setdefault(key, column)
        return index

    @classmethod
    def missing_required(cls, present: set[str]) -> list[Column]:
        return [c for c in cls.columns if c.required and c.key not in present]

    @classmethod
    def missing_columns_message(cls, present: set[str]) -> str | None:
        """Why a file with only these columns cannot be imported at all, if it cannot."""
        missing = cls.missing_required(present)
        if missing:
            return _("缺少必填列：%(columns)s。") % {
                "columns": "、".join(c.header for c in missing)
            }
        return None

    @classmethod
    def check_alone(cls, row: Row, today) -> None:
        """The checks a row needs nothing else for (no database, no other row), run as each
        row is read, ahead of `plan`. Most ledgers have none."""
        return None

    @classmethod
    def row_key(cls, values: dict[str, Any], today) -> object | None:
        """The key `check_alone` gives a row (`Row.key`), from its `key_columns` parsed alone.

        A split import of a cut sheet needs only the keys before the parts trade rows; the
        rest of a row is parsed and checked as it is planned, while PostgreSQL loads the
        rows before it (finding 54 of docs/benchmarks.md)."""
        return None

    @classmethod
    def masked_example(cls, row: Row) -> str:
        """The masked value a row carries (say 3501**********123X), or "" when it has none.

        A masked export cannot come back: the engine refuses a file with such rows as a whole,
        with one message, instead of a checksum error on each row."""
        return ""

    @abc.abstractmethod
    def plan(self, rows: list[Row]) -> None:
        """Sets each row's action (CREATE, UPDATE, UNCHANGED, or ERROR with messages) and plan.

        Rows already carrying cell errors still go through every check, so a user sees all
        of a row's problems at once. Plans must account for earlier rows of the same file
        (duplicates, parents or households created a few rows up) whether or not they are
        written, so a dry run counts exactly what the import will do.
        """

    @abc.abstractmethod
    def write(self, rows: list[Row]) -> None:
        """Writes the planned rows (CREATE and UPDATE) with their audit rows, in bulk."""

    @abc.abstractmethod
    def export_rows(self, *, region, reveal: bool, filters: dict) -> Iterator[list]:
        """The rows of an export, in `columns` order, masked unless `reveal`."""

    def export_count(self, *, region, filters: dict) -> int | None:
        """How many rows an export will have, if known without counting."""
        return None


LEDGERS: dict[str, type[Ledger]] = {}


def register(ledger: type[Ledger]) -> type[Ledger]:
    if ledger.slug in LEDGERS:
        raise ValueError(f"a ledger {ledger.slug!r} is already registered")
    LEDGERS[ledger.slug] = ledger
    return ledger


class UnknownLedger(LookupError):
    pass


def get_ledger(slug: str) -> type[Ledger]:
    try:
        return LEDGERS[slug]
    except KeyError as exc:
        raise UnknownLedger(slug) from exc

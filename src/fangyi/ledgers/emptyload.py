"""A split import into an empty registry: one writer, the indexes built after the rows.

Into tables that already hold rows, each part of a split import writes its own chunks
(splitting.py), and PostgreSQL inserts every row into each of the tables' indexes as it
comes: for a million residents that is sixteen B-trees, most of them in random order, and it
was the larger half of the database's work. Into EMPTY tables the rows can instead be loaded
first and each index built once afterwards from the sorted rows, as pg_restore does.

So when a split pass is to write and the ledger's `empty_load_tables` (residents: households
and persons) are empty, the parent opens a connection of its own and, in one transaction:

1. locks those tables (ACCESS EXCLUSIVE, waiting at most LOCK_WAIT) and checks they are still
   empty; if not, or if the lock is not had in time, the pass writes as usual;
2. drops their secondary indexes, their unique constraints and the foreign keys between
   them. What stays: the primary keys (other tables' foreign keys name them), the indexes
   that lead with the primary key (new ids increase, so each row is appended), and the
   partial indexes (a tag's: they hold few rows, and building one reads the whole table);
3. loads what the parts send: each part plans its rows as usual, knowing the tables empty
   (it reads nothing from them), and formats its households, persons and audit rows as
   COPY text (core.bulk.gathering_copies), which the writer sends as they arrive;
4. builds the indexes and constraints again from their definitions as the catalog gave
   them, adds the region counts, and commits.

What the others see: nothing until the commit, then every row with its indexes (DDL is
transactional in PostgreSQL: a load that fails or is refused rolls back to the empty tables
with their indexes). Pages reading residents or households wait for the load to end instead
of showing it half-done; an empty registry has nothing to show meanwhile. A unique
constraint that the rows would break (which the file's own duplicate check prevents) fails
the rebuild, and the whole load with it.

Keep-the-good-rows loads also commit once, at the end: a job whose worker dies leaves
nothing behind and starts over (a split pass always does).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from dataclasses import dataclass

import psycopg
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.errors import LockNotAvailable

from fangyi.core.bulk import send_copies

from .writing import CountDeltas

logger = logging.getLogger(__name__)

# How long the writer waits for the tables' lock before writing as usual instead.
LOCK_WAIT = "5s"
# Chunks received and not yet sent (about 5 MB each).
QUEUED = 8

_INDEXES = """
SELECT c.relname, pg_get_indexdef(x.indexrelid)
FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
  AND x.indpred IS NULL
  AND x.indkey[0] <> (
      SELECT p.indkey[0] FROM pg_index p WHERE p.indrelid = x.indrelid AND p.indisprimary
  )
  AND NOT EXISTS (
      SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid
  )
ORDER BY c.relname
"""
# Unique constraints, and foreign keys to the loaded tables themselves: a foreign key to
# another table stays, as dropping it would lock that table until the commit too.
_CONSTRAINTS = """
SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint
WHERE conrelid = %s::regclass
  AND (contype = 'u' OR (contype = 'f' AND confrelid = ANY(%s::regclass[])))
ORDER BY contype DESC, conname
"""


@dataclass
class _Dropped:
    table: str
    indexes: list[tuple[str, str]]  # (name, CREATE INDEX …)
    constraints: list[tuple[str, str, str]]  # (name, definition, 'u' or 'f')


class EmptyLoad:
    """The writer of a load into empty tables; `begin` says whether it took them."""

    def __init__(self, models_: tuple[type[models.Model], ...]) -> None:
        self.tables = [model._meta.db_table for model in models_]
        self.connection: BaseDatabaseWrapper = connections.create_connection(DEFAULT_DB_ALIAS)
        self.dropped: list[_Dropped] = []
        self.counts = CountDeltas()
        self.open = False
        self.queue: queue.Queue[list[tuple[str, bytes]] | None] = queue.Queue(QUEUED)
        self.sender: threading.Thread | None = None
        self.failed: Exception | None = None

    def begin(self) -> bool:
        """Locks the tables and drops their indexes if they are empty; else lets go."""
        connection = self.connection
        connection.set_autocommit(False)
        self.open = True
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            # The load is re-run from the start if it is lost, as any import can be.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            try:
                cursor.execute(
                    f"LOCK TABLE {', '.join(map(quote, self.tables))} IN ACCESS EXCLUSIVE MODE"
                )
            except OperationalError as exc:
                if not isinstance(exc.__cause__, LockNotAvailable):
                    raise
                logger.info("empty load: the tables are in use, writing as usual")
                self.close()
                return False
            cursor.execute("SET LOCAL lock_timeout = 0")
            # The foreign keys that stay (the households' buildings) are deferred: checked
            # at the commit, one row at a time, on one core while nothing else runs (5 s a
            # million rows). Checked as each chunk is sent, they run beside the parts. A
            # table with checks pending could not be altered at the end either.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in self.tables:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")
                if cursor.fetchone()[0]:
                    self.close()
                    return False
            for table in self.tables:
                cursor.execute(_INDEXES, [table])
                indexes = cursor.fetchall()
                cursor.execute(_CONSTRAINTS, [table, self.tables])
                constraints = cursor.fetchall()
                self.dropped.append(_Dropped(table, indexes, constraints))
            # Foreign keys first, then what they might lean on.
            for dropped in self.dropped:
                for name, _definition, kind in dropped.constraints:
                    if kind == "f":
                        cursor.execute(
                            f"ALTER TABLE {quote(dropped.table)} DROP CONSTRAINT {quote(name)}"
                        )
            for dropped in self.dropped:
                for name, _definition, kind in dropped.constraints:
                    if kind == "u":
                        cursor.execute(
                            f"ALTER TABLE {quote(dropped.table)} DROP CONSTRAINT {quote(name)}"
                        )
                for name, _definition in dropped.indexes:
                    cursor.execute(f"DROP INDEX {quote(name)}")
        return True

    def send(self, copies: list[tuple[str, bytes]]) -> None:
        """Hands a chunk's COPY data to the sending thread; raises what stopped it."""
        if self.sender is None:
            raw = self.connection.connection
            self.sender = threading.Thread(target=self._send, args=(raw,), daemon=True)
            self.sender.start()
        if self.failed is not None:
            raise self.failed
        self.queue.put(copies)

    def _send(self, raw: psycopg.Connection) -> None:
        # The parent reads the parts' pipes while PostgreSQL loads what came before; a part
        # waits only when QUEUED chunks are ahead of it.
        while (copies := self.queue.get()) is not None:
            try:
                if self.failed is None:
                    with raw.cursor() as cursor:
                        send_copies(cursor, copies)
            except Exception as exc:  # handed to the parent's thread
                self.failed = exc
            finally:
                self.queue.task_done()
        self.queue.task_done()

    def _stop_sending(self) -> None:
        if self.sender is not None:
            self.queue.put(None)
            self.sender.join()
            self.sender = None
        if self.failed is not None:
            raise self.failed

    def commit(self) -> None:
        """Builds the indexes and constraints again, adds the region counts, commits."""
        self._stop_sending()
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            for dropped in self.dropped:
                for _name, definition in dropped.indexes:
                    cursor.execute(definition)
                for name, definition, kind in dropped.constraints:
                    if kind == "u":
                        cursor.execute(
                            f"ALTER TABLE {quote(dropped.table)} ADD CONSTRAINT {quote(name)} "
                            f"{definition}"
                        )
            for dropped in self.dropped:
                for name, definition, kind in dropped.constraints:
                    if kind == "f":
                        cursor.execute(
                            f"ALTER TABLE {quote(dropped.table)} ADD CONSTRAINT {quote(name)} "
                            f"{definition}"
                        )
        self.counts.apply(using=self.connection)
        self.connection.commit()
        self.open = False
        self.close()

    def close(self) -> None:
        """Rolls back whatever was not committed (the indexes come back with it)."""
        with contextlib.suppress(Exception):
            self._stop_sending()
        if self.open:
            self.open = False
            self.connection.rollback()
        self.connection.close()

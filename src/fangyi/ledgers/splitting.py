"""A large import split over processes by what its rows share (PostgreSQL only).

Every row of a ledger's `split_key` (residents: the building, whose households its rows
share) is planned and written by the same part. The rows reach the parts one of two ways:

- A large xlsx sheet is cut into one piece a part (cutting.py). Each part reads and checks
  its piece, then says how many rows of each key it holds; the parent gives each key to the
  part holding most of its rows, and the parts trade the rest through it (in a ledger sorted
  by address, the few rows of the buildings that straddle a cut). A piece that cannot be
  read as the whole sheet would (cutting.Uncut) has the pass run again on the file read
  whole.
- Otherwise the parent reads the whole file into memory and deals each row to a part by
  its key: every row of a key to the same part, keys to the part with the fewest rows so
  far. Then it forks the parts, which find their rows in the memory they inherit: nothing is
  pickled or sent through a pipe but what the parts report back.

Each part, with a connection of its own, parses and checks its rows; the parent then finds
the keys repeated anywhere in the file (an ID number on two rows) before any part plans, so
the later rows get the error naming the first, as in one process. Then each part plans and writes its rows in chunks while the parent gathers counts,
errors (written to the error workbook in row order) and progress. The outcome is the one the
single process gives: the same rows, audit rows, region counts and errors with the same row
numbers.

- Keep the good rows: each part commits its chunks as it goes, each with its region counts.
  The job's progress is written by the parent after each commit, not in the chunk's
  transaction: if a part dies, the count may trail what was committed by a chunk; the job
  fails, and importing the same file again completes it without duplicates.
- All or nothing: each part writes all its rows in one transaction and waits. If every part
  is ready and no row is in error, the parent has them commit one after the other, each
  applying its region counts just before (parts holding transactions open must not lock the
  same regions meanwhile, or they would wait on each other); otherwise every part rolls back
  and the import is refused or fails as a whole. PostgreSQL's two-phase commit would close
  the moment between the parts' commits, but it is off by default (max_prepared_transactions
  = 0): a part that dies in that moment leaves the parts before it committed and the job
  failed, as an import broken off in one process would.

Where the two differ, the split is stricter: a file with masked ID numbers, or one that
cannot be read to its end, is refused before any part writes, where one process would have
committed the chunks before the bad row.

Why PostgreSQL only: SQLite has one writer at a time. Parts writing in parallel would queue on
its lock (and fail after its busy timeout behind a part holding an all-or-nothing
transaction), and the checking that parts could share is not worth a process each.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import multiprocessing
import traceback
from array import array
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, cast

from django.db import connection, connections, transaction
from django.utils import timezone

from fangyi.core.bulk import gathering_copies

from .cutting import Piece, Uncut
from .emptyload import EmptyLoad
from .errorbook import ErrorBook
from .extent import too_many_rows
from .importing import (
    CHUNK_ROWS,
    Heading,
    Importer,
    ImportResult,
    Limits,
    Parser,
    masked_file_message,
    parse_row,
    relax_commit,
)
from .reading import Table, UnreadableFile
from .registry import CREATE, ERROR, UNCHANGED, UPDATE, Row
from .writing import CountDeltas

_MISSING = object()


class CutRefused(Exception):
    """A piece of a cut sheet may not read as the whole sheet would (cutting.Uncut): the
    pass is to be run again on the file read whole."""


class PartFailed(RuntimeError):
    """A part of a split import broke off; the message holds its traceback."""


@dataclass
class ChunkReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: int = 0
    households_created: int = 0  # the part's total so far
    # (row number, the row's cells, [(column key, message)]) of each row in error
    errors: list[tuple[int, list, list[tuple[str, str]]]] = field(default_factory=list)
    # A load into an empty registry: the chunk's rows as COPY text, for the writer to send.
    copies: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class _Part:
    index: int
    process: Any
    conn: Connection
    households_created: int = 0


def split_pass(
    importer: Importer,
    result: ImportResult,
    heading: Heading,
    table: Table,
    parsers: list[Parser],
    *,
    parts: int,
    write: bool,
    single_transaction: bool,
) -> ImportResult:
    """One pass of `Importer` (dry run, or writing) over `parts` processes."""
    ledger = importer.ledger(actor=importer.actor)
    split_parsers = [p for p in parsers if p[1] in importer.ledger.split_columns]
    shares: list = list(table.pieces or ())
    try:
        if len(shares) != parts:
            shares = _deal(ledger, table, split_parsers, parts)
            result.rows = sum(map(len, shares))
    except UnreadableFile as exc:
        result.unreadable = exc.message
        return result
    finally:
        close = getattr(table.rows, "close", None)
        if close is not None:
            close()
    # The parts connect on their own; a connection shared across fork would be corrupted.
    connections.close_all()
    # The rows are shared with the parts page by page until someone writes to a page; the
    # collector, walking them in the parent, would write to every one.
    gc.freeze()
    context = multiprocessing.get_context("fork")
    workers: list[_Part] = []
    loader: EmptyLoad | None = None
    try:
        for index, share in enumerate(shares):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_part,
                args=(importer, parsers, theirs, write, single_transaction, share),
                name=f"ledger-import-part-{index + 1}",
                daemon=True,
            )
            process.start()
            theirs.close()
            workers.append(_Part(index, process, ours))
        if table.verify is not None:
            try:
                table.verify()
            except UnreadableFile as exc:
                result.unreadable = exc.message
                _send_all(workers, ("stop", None))
                return result
        if write and importer.ledger.empty_load_tables:
            # Opened after the fork: the parts must not share its socket.
            loader = EmptyLoad(importer.ledger.empty_load_tables)
            if not loader.begin():
                loader = None
        if table.pieces is not None and len(table.pieces) == parts:
            unreadable = _exchange(workers, result)
            if unreadable:
                result.unreadable = unreadable
                _send_all(workers, ("stop", None))
                return result
        masked: list[tuple[int, str]] = []
        packed_keys: list[tuple[list[str], bytes]] = []
        for worker in workers:
            _kind, (keys, masked_rows) = _receive(worker)
            packed_keys.append(keys)
            masked.extend(masked_rows)
        if masked:
            masked.sort()
            result.unreadable = masked_file_message(masked[0][1], [n for n, _ in masked])
            _send_all(workers, ("stop", None))
            return result
        _send_all(workers, ("plan", (_first_rows(packed_keys), loader is not None)))
        return _gather(importer, result, heading, workers, write, single_transaction, loader)
    finally:
        if loader is not None:
            loader.close()
        for worker in workers:
            worker.conn.close()
        for worker in workers:
            worker.process.join(timeout=60)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        gc.unfreeze()


def _deal(
    ledger, table: Table, split_parsers: list[Parser], parts: int
) -> list[list[tuple[int, list]]]:
    """Reads every row of the table and gives it a part: the rows of each part, in order."""
    positions = [p[0] for p in split_parsers]
    key_of: dict[tuple, object] = {}
    part_of: dict[object, int] = {}
    loads = [0] * parts
    dealt: list[list[tuple[int, list]]] = [[] for _ in range(parts)]
    for numbered in table.rows:
        cells = numbered[1]
        raw = tuple([cells[p] for p in positions])
        key = key_of.get(raw, _MISSING)
        if key is _MISSING:
            key = key_of[raw] = ledger.split_key(
                parse_row(numbered[0], cells, split_parsers).values
            )
        part = part_of.get(key) if key is not None else None
        if part is None:
            part = loads.index(min(loads))
            if key is not None:
                part_of[key] = part
        loads[part] += 1
        dealt[part].append(numbered)
    return dealt


def _exchange(workers: list[_Part], result: ImportResult) -> str:
    """Gives each key of a cut sheet to the part that read most of its rows, and has the
    other parts send it theirs; the first piece's reason if a piece cannot be read."""
    held: list[dict[object, int]] = []
    unreadable = uncut = ""
    for worker in workers:
        kind, payload = _receive(worker)
        if kind in ("unreadable", "uncut"):
            if kind == "uncut":
                uncut = uncut or f"part {worker.index + 1}: {payload}"
            unreadable = unreadable or payload
            held.append({})
            continue
        keys, rows = payload
        held.append(keys)
        result.rows += rows
    if uncut:
        _send_all(workers, ("stop", None))
        raise CutRefused(uncut)
    if not unreadable and result.rows > Limits.from_settings().max_rows:
        unreadable = too_many_rows(Limits.from_settings().max_rows).message
    if unreadable:
        return unreadable
    owner: dict[object, tuple[int, int]] = {}  # key → (rows, part)
    for index, keys in enumerate(held):
        for key, rows in keys.items():
            if key not in owner or rows > owner[key][0]:
                owner[key] = (rows, index)
    for worker, keys in zip(workers, held, strict=True):
        away = {key: owner[key][1] for key in keys if owner[key][1] != worker.index}
        worker.conn.send(("give", away))
    arriving: list[list[Row]] = [[] for _ in workers]
    for worker in workers:
        _kind, given = _receive(worker)
        for index, rows in given.items():
            arriving[index].extend(rows)
    for worker in workers:
        worker.conn.send(("take", arriving[worker.index]))
    return ""


def _first_rows(packed_keys: list[tuple[list[str], bytes]]) -> dict[int, int]:
    """The rows whose key an earlier row of the file already has: row → first row."""
    parts = [(texts, array("q", numbers)) for texts, numbers in packed_keys]
    first: dict[str, int] = {}
    repeated: set[str] = set()
    for texts, numbers in parts:
        # A part's rows come in the file's order: reversed, the first of a key stays.
        own = dict(zip(reversed(texts), reversed(numbers), strict=True))
        if len(own) < len(texts):
            repeated.update(key for key, times in Counter(texts).items() if times > 1)
        shared = own.keys() & first.keys()
        for key in shared:
            own[key] = min(own[key], first[key])
        repeated |= shared
        first.update(own)
    if not repeated:
        return {}
    return {
        number: first[key]
        for texts, numbers in parts
        for key, number in zip(texts, numbers, strict=True)
        if key in repeated and first[key] != number
    }


def _gather(
    importer: Importer,
    result: ImportResult,
    heading: Heading,
    workers: list[_Part],
    write: bool,
    single_transaction: bool,
    loader: EmptyLoad | None,
) -> ImportResult:
    by_conn = {worker.conn: worker for worker in workers}
    pending = set(by_conn)
    ready: list[_Part] = []
    error_rows: list[tuple[int, list, list[tuple[str, str]]]] = []
    written = 0
    failure = ""
    while pending and not failure:
        for ready_conn in wait(list(pending)):
            conn = cast(Connection, ready_conn)
            worker = by_conn[conn]
            try:
                kind, payload = conn.recv()
            except (EOFError, OSError):
                kind, payload = "failed", _died(worker)
            if kind == "chunk":
                report = cast(ChunkReport, payload)
                result.created += report.created
                result.updated += report.updated
                result.unchanged += report.unchanged
                result.error_rows += len(report.errors)
                error_rows.extend(report.errors)
                worker.households_created = report.households_created
                result.households_created = sum(w.households_created for w in workers)
                written += report.written
                if loader is not None:
                    loader.send(report.copies)
                    # Nothing is committed before the end: a resumed job starts over.
                    importer.on_progress(result)
                elif not write:
                    importer.on_progress(result)
                elif not single_transaction:
                    importer.on_progress(dataclasses.replace(result, rows_written=written))
            elif kind == "ready":
                pending.discard(conn)
                ready.append(worker)
            elif kind == "done":
                pending.discard(conn)
                for path, (residents, households) in (payload or {}).items():
                    cast(EmptyLoad, loader).counts.add(
                        path, residents=residents, households=households
                    )
            else:
                failure = f"part {worker.index + 1}: {payload}"
                pending.discard(conn)
                break
    committed = False
    if failure:
        _send_all([by_conn[c] for c in pending], ("stop", None))
        _send_all(ready, ("rollback", None))
    elif loader is not None:
        if not (single_transaction and result.error_rows):
            loader.commit()
            committed = True
    elif write and single_transaction:
        if result.error_rows:
            _send_all(ready, ("rollback", None))
        else:
            failure = _commit(ready)
            committed = not failure
    if failure:
        raise PartFailed(failure)
    # The rows in error, in the order of the file, as one process records them.
    result.error_rows = 0
    errors = ErrorBook(importer.error_file, heading.headers) if importer.error_file else None
    try:
        for number, cells, messages in sorted(error_rows, key=lambda e: e[0]):
            row = Row(number=number, cells=cells, values={}, errors=messages, action=ERROR)
            importer.record_errors(row, result, errors)
    finally:
        if errors is not None:
            errors.close()
    if write:
        result.refused = single_transaction and not committed
        result.rows_written = written if committed or not (single_transaction or loader) else 0
    return result


def _commit(ready: list[_Part]) -> str:
    """Has each part commit in turn; a failure says which (the parts before it committed)."""
    for position, worker in enumerate(ready):
        try:
            worker.conn.send(("commit", None))
            kind, payload = worker.conn.recv()
        except (EOFError, OSError):
            kind, payload = "failed", _died(worker)
        if kind != "committed":
            _send_all(ready[position + 1 :], ("rollback", None))
            return (
                f"part {worker.index + 1} of {len(ready)} failed to commit after "
                f"{position} committed: {payload}"
            )
    return ""


def _died(worker: _Part) -> str:
    worker.process.join(timeout=5)
    return f"the process ended (exit code {worker.process.exitcode})"


def _send_all(workers: list[_Part], message) -> None:
    for worker in workers:
        with contextlib.suppress(OSError):
            worker.conn.send(message)


def _receive(worker: _Part):
    try:
        kind, payload = worker.conn.recv()
    except (EOFError, OSError):
        kind, payload = "failed", _died(worker)
    if kind == "failed":
        raise PartFailed(f"part {worker.index + 1}: {payload}")
    return kind, payload


# In the part's process ---------------------------------------------------------------------


class _Stopped(Exception):
    pass


# A row of a cut sheet as read: its number and its cells.
_Read = tuple[int, list]


class _Keys:
    """Row keys, as texts, and the numbers of their rows, sent to the parent as a list and
    an array: pickled as half a million tuples, a part's keys took the parent a second to
    take in, with both parts waiting."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.numbers = array("q")

    def add(self, key: object, number: int) -> None:
        if isinstance(key, tuple) and all(isinstance(part, str) for part in key):
            text = "\x00".join(key)  # no parsed value holds a NUL (parse_row refuses it)
        else:
            text = repr(key)
        self.texts.append(text)
        self.numbers.append(number)

    def packed(self) -> tuple[list[str], bytes]:
        return self.texts, self.numbers.tobytes()


def _part(importer: Importer, parsers, conn: Connection, write: bool, single: bool, share) -> None:
    # A part holds its rows until the parent has seen every key; the cyclic collector would
    # walk those hundreds of thousands of objects again and again for nothing.
    gc.disable()
    try:
        _run_part(importer, parsers, conn, write, single, share)
    except _Stopped:
        pass
    except BaseException:
        with contextlib.suppress(OSError):
            conn.send(("failed", traceback.format_exc()))
    finally:
        connections.close_all()
        conn.close()


def _run_part(
    importer: Importer, parsers, conn: Connection, write: bool, single: bool, share
) -> None:
    """`share`: the part's rows as the parent dealt them, or its piece of a cut sheet."""
    ledger_class = importer.ledger
    today = timezone.localdate()
    check = ledger_class.check_alone
    rows: list = []
    # A cut sheet's rows are parsed and checked as they are planned (`_read_piece`).
    deferred = isinstance(share, Piece)
    if deferred:
        rows, keys, masked = _read_piece(importer, parsers, conn, share, today)
    else:
        keys = _Keys()
        masked = []
        for number, row_cells in share:
            row = parse_row(number, row_cells, parsers)
            check(row, today)
            rows.append(row)
            if row.key is not None:
                keys.add(row.key, number)
            if found := ledger_class.masked_example(row):
                masked.append((number, found))
    conn.send(("checked", (keys.packed(), masked)))
    kind, payload = conn.recv()
    if kind != "plan":
        raise _Stopped
    first_rows, empty_load = payload
    ledger = ledger_class(actor=importer.actor)
    ledger.first_rows = first_rows

    def chunks():
        for start in range(0, len(rows), CHUNK_ROWS):
            if conn.poll():
                raise _Stopped  # another part broke off
            chunk = rows[start : start + CHUNK_ROWS]
            if deferred:
                chunk = [parse_row(number, cells, parsers) for number, cells in chunk]
                for row in chunk:
                    check(row, today)
            report = _plan(ledger, chunk)
            yield chunk, report
            # Planned and written: the rows are no longer needed.
            rows[start : start + CHUNK_ROWS] = [None] * len(chunk)

    if not write:
        for _chunk, report in chunks():
            conn.send(("chunk", report))
        conn.send(("done", None))
        return
    if empty_load:
        _format_part(ledger, conn, chunks())
        return
    if not single:
        for chunk, report in chunks():
            with transaction.atomic():
                relax_commit()
                ledger.write([row for row in chunk if row.action in (CREATE, UPDATE)])
            report.written = sum(1 for row in chunk if row.action in (CREATE, UPDATE))
            conn.send(("chunk", report))
        conn.send(("done", None))
        return
    ledger.deferred_counts = CountDeltas()
    with transaction.atomic():
        relax_commit()
        for chunk, report in chunks():
            good = [row for row in chunk if row.action in (CREATE, UPDATE)]
            ledger.write(good)
            report.written = len(good)
            conn.send(("chunk", report))
        conn.send(("ready", None))
        kind, _payload = conn.recv()
        if kind != "commit":
            transaction.set_rollback(True)
            conn.send(("rolled back", None))
            return
        ledger.deferred_counts.apply()
    conn.send(("committed", None))


def _read_piece(
    importer: Importer, parsers, conn: Connection, piece: Piece, today
) -> tuple[list[_Read], _Keys, list[tuple[int, str]]]:
    """Reads a piece's rows, then trades the rows of keys another part holds more of for
    those of keys this part holds more of (`_exchange`). Returns the rows this part plans,
    and the row keys and masked values of the rows it read (repeats are looked for over the
    whole file, whichever part plans a row).

    Only what the trade and the search for repeated keys need is parsed here: the rest of
    each row is parsed and checked as it is planned (`_run_part`), while PostgreSQL loads
    the rows before it; here both cores are busy reading."""
    ledger_class = importer.ledger
    ledger = ledger_class(actor=importer.actor)
    split_parsers = [p for p in parsers if p[1] in ledger_class.split_columns]
    key_parsers = [p for p in parsers if p[1] in ledger_class.key_columns]
    positions = [p[0] for p in split_parsers]
    row_key = ledger_class.row_key
    masked_example = ledger_class.masked_example
    key_of: dict[tuple, object] = {}
    rows: list[_Read] = []
    keys: list[object] = []
    row_keys = _Keys()
    masked: list[tuple[int, str]] = []
    held: dict[object, int] = {}
    try:
        for number, cells in piece.rows():
            raw = tuple([cells[p] for p in positions])
            key = key_of.get(raw, _MISSING)
            if key is _MISSING:
                key = key_of[raw] = ledger.split_key(parse_row(number, cells, split_parsers).values)
            probe = parse_row(number, cells, key_parsers)
            rows.append((number, cells))
            if (found_key := row_key(probe.values, today)) is not None:
                row_keys.add(found_key, number)
            if found := masked_example(probe):
                masked.append((number, found))
            keys.append(key)
            if key is not None:
                held[key] = held.get(key, 0) + 1
    except UnreadableFile as exc:
        conn.send(("unreadable", exc.message))
        raise _Stopped from exc
    except Uncut as exc:
        conn.send(("uncut", str(exc)))
        raise _Stopped from exc
    conn.send(("held", (held, len(rows))))
    kind, away = conn.recv()
    if kind != "give":
        raise _Stopped
    if not away:
        given: dict[int, list[_Read]] = {}
        kept = rows
    else:
        given = {}
        kept = []
        for row, key in zip(rows, keys, strict=True):
            part = away.get(key) if key is not None else None
            if part is None:
                kept.append(row)
            else:
                given.setdefault(part, []).append(row)
    conn.send(("given", given))
    kind, taken = conn.recv()
    if kind != "take":
        raise _Stopped
    if taken:
        kept.extend(taken)
        kept.sort(key=lambda row: row[0])
    return kept, row_keys, masked


def _format_part(ledger, conn: Connection, chunks) -> None:
    """A load into an empty registry: the part formats its rows, the parent's writer sends
    them (emptyload.py)."""
    ledger.registry_empty = True
    ledger.deferred_counts = CountDeltas()
    # Should a read of the locked tables slip in, it fails instead of waiting for ever on
    # the writer, which waits on this part.
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '60s'")
    for chunk, report in chunks:
        good = [row for row in chunk if row.action in (CREATE, UPDATE)]
        with gathering_copies() as gathered:
            ledger.write(good)
        report.written = len(good)
        report.copies = gathered.blocks
        conn.send(("chunk", report))
    conn.send(("done", dict(ledger.deferred_counts.by_path)))


def _plan(ledger, chunk: list[Row]) -> ChunkReport:
    ledger.plan(chunk)
    report = ChunkReport()
    for row in chunk:
        if row.action == CREATE:
            report.created += 1
        elif row.action == UPDATE:
            report.updated += 1
        elif row.action == UNCHANGED:
            report.unchanged += 1
        else:
            row.action = ERROR
            report.errors.append((row.number, row.cells, row.errors))
    report.households_created = getattr(ledger, "households_created", 0)
    return report

"""The import engine: read a file, match its headers, parse, plan and write in chunks.

Three ways to run, sharing every check:

- dry run: plan every row and count what would happen; nothing is written;
- default: each chunk of valid rows is written and committed as it is planned, with the
  job's progress in the same transaction; rows in error are returned in the error workbook;
- all or nothing: a dry run first; if any row is wrong nothing is written, otherwise the
  whole file is planned again and written in one transaction, which is rolled back if a row
  has gone wrong in between (someone else registered the same ID meanwhile, say).

Re-importing a file is safe: rows are matched to what exists (by ID number, by code), so a
second run creates nothing and reports every row unchanged.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sys
from collections.abc import Callable, Generator, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import normalise
from .cutting import open_cut
from .errorbook import ErrorBook
from .reading import Table, UnreadableFile, open_table
from .registry import CREATE, ERROR, UNCHANGED, UPDATE, Column, Ledger, Row

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5000
FORMULA_PREFIXES = ("'=", "'+", "'-", "'@")
# Over how many processes a large import is split; unset: FANGYI_LEDGER_PROCESSES.
_split_processes: ContextVar[int | None] = ContextVar("ledger_split_processes", default=None)


@contextlib.contextmanager
def split_over(processes: int | None) -> Iterator[None]:
    """Imports started inside run over this many processes (the command line's --processes)."""
    token = _split_processes.set(processes)
    try:
        yield
    finally:
        _split_processes.reset(token)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_rows: int = 0
    households_created: int = 0
    rows_written: int = 0
    header_row: int | None = None
    unknown_columns: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    unreadable: str = ""  # why the file as a whole could not be imported
    refused: bool = False  # all or nothing, and some row was wrong: nothing written

    @property
    def exit_status(self) -> int:
        if self.unreadable:
            return 2
        return 1 if self.error_rows else 0

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
        }


def relax_commit() -> None:
    """An import is re-run safely (it matches what exists), so PostgreSQL need not wait for
    each chunk's WAL flush: a crash can lose the last chunks, together with the job's count
    of them, but never half of one."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


class ChunkWriter:
    """Writes each planned chunk in its own transaction, with the job's progress, so what is
    written is committed together with the count that says so; or, all or nothing, every
    chunk in one transaction that the end of the pass commits or rolls back."""

    def __init__(self, ledger, *, single_transaction: bool, on_progress):
        self.ledger = ledger
        self.single = single_transaction
        self.on_progress = on_progress
        self.written = 0
        self.outer = None
        if self.single:
            self.outer = transaction.atomic()
            self.outer.__enter__()

    def submit(self, rows: list[Row], result: ImportResult) -> None:
        if self.single:
            self._write(rows, result)
        else:
            with transaction.atomic():
                self._write(rows, result)

    def _write(self, rows: list[Row], result: ImportResult) -> None:
        relax_commit()
        self.ledger.write(rows)
        self.written += len(rows)
        if not self.single:
            progress = dataclasses.replace(result, rows_written=self.written, errors=[])
            self.on_progress(progress)

    def close(self, *, rollback: bool) -> int:
        if self.outer is not None:
            if rollback:
                transaction.set_rollback(True)
            self.outer.__exit__(None, None, None)
        return 0 if rollback else self.written


class Importer:
    def __init__(
        self,
        *,
        ledger: type[Ledger],
        actor,
        path: str | Path,
        file_name: str,
        error_file: str | Path | None = None,
        max_errors_kept: int | None = 1000,
        on_progress: Callable[[ImportResult], None] | None = None,
        rows_total: Callable[[int], object] | None = None,
        processes: int | None = None,
    ):
        self.ledger = ledger
        self.actor = actor
        self.path = Path(path)
        self.file_name = file_name
        self.error_file = Path(error_file) if error_file else None
        self.max_errors_kept = max_errors_kept
        self.on_progress = on_progress or (lambda result: None)
        self.on_rows_total = rows_total or (lambda n: None)
        self.processes = processes
        self.checked_file: tuple[int, int, int] | None = None
        # Whether a large sheet is cut for a split pass (cutting.py); off once a piece has
        # refused, for the passes after.
        self.cut_sheets = True

    def run(
        self,
        *,
        dry_run: bool = False,
        all_or_nothing: bool = False,
        resume: ImportResult | None = None,
    ) -> ImportResult:
        """`resume`: what an earlier run of this import committed (its rows read and counts,
        as the job stored them with its last chunk), for an import whose worker died. Its
        rows are read and planned again but not written; the rest of the file is imported.
        A dry run or an all-or-nothing import committed nothing and starts over."""
        if dry_run:
            return self._pass(write=False)
        if not all_or_nothing:
            return self._pass(write=True, resume=resume)
        checked = self._pass(write=False)
        if checked.unreadable or checked.error_rows:
            checked.refused = not checked.unreadable
            # Nothing was written: the counts of what would have been say nothing true.
            checked.created = checked.updated = checked.households_created = 0
            return checked
        result = self._pass(write=True, single_transaction=True)
        if result.refused:
            result.rows_written = 0
            result.created = result.updated = result.households_created = 0
        self.on_progress(result)
        return result

    # One pass over the file ----------------------------------------------------------------

    def _pass(
        self, *, write: bool, single_transaction: bool = False, resume: ImportResult | None = None
    ) -> ImportResult:
        result = ImportResult()
        committed = resume.rows if resume else 0
        if resume:
            result.created, result.updated = resume.created, resume.updated
            result.unchanged, result.rows_written = resume.unchanged, resume.rows_written
        self.households_before = resume.households_created if resume else 0
        try:
            heading, table, parsers = open_parsed(
                self.ledger,
                self.path,
                self.file_name,
                Limits.from_settings(),
                pieces=self._processes() if self.cut_sheets else 1,
                unpacked_checked=self.checked_file is not None
                and self.checked_file == _file_signature(self.path),
            )
        except UnreadableFile as exc:
            result.unreadable = exc.message
            return result
        # An all-or-nothing import reads the file twice; what it unpacks to is checked once,
        # unless the file has changed in between. A cut sheet's pieces are checked by the
        # parts that read them, which a pass reading the file whole cannot count on.
        self.checked_file = _file_signature(self.path) if table.pieces is None else None
        result.header_row = heading.header_row
        result.unknown_columns = heading.unknown_columns
        self.header_names = heading.header_names
        if heading.rows_estimate is not None:
            self.on_rows_total(heading.rows_estimate)
        parts = self._parts(heading)
        if parts > 1 and resume is not None:
            # A split pass's progress counts rows committed by every part, not a prefix of the
            # file: start over. Rows already committed are found in the registry by their ID
            # numbers and come out unchanged, so nothing is written twice.
            return self._pass(write=write, single_transaction=single_transaction)
        if table.pieces is not None and len(table.pieces) != parts:
            self.cut_sheets = False
            return self._pass(write=write, single_transaction=single_transaction, resume=resume)
        if parts > 1:
            from .splitting import CutRefused, split_pass

            try:
                return split_pass(
                    self,
                    result,
                    heading,
                    table,
                    parsers,
                    parts=parts,
                    write=write,
                    single_transaction=single_transaction,
                )
            except CutRefused as exc:
                logger.info("ledger import: %s; reading the file whole", exc)
                self.cut_sheets = False
                return self._pass(write=write, single_transaction=single_transaction)
        chunks = _chunks(self.ledger, table, parsers)
        ledger = self.ledger(actor=self.actor)
        errors = ErrorBook(self.error_file, heading.headers) if self.error_file else None
        writer = None
        if write:
            writer = ChunkWriter(
                ledger, single_transaction=single_transaction, on_progress=self.on_progress
            )
            writer.written = result.rows_written
        masked_rows: list[int] = []
        example = ""
        try:
            for chunk in chunks:
                before = result.rows
                result.rows += len(chunk)
                for row in chunk:
                    found = self.ledger.masked_example(row)
                    if found:
                        masked_rows.append(row.number)
                        example = example or found
                if masked_rows:
                    continue
                if before < committed:
                    # Written by the run that broke off: planned again, for what later rows
                    # refer to (earlier rows, households created) and for its errors.
                    done = chunk[: committed - before]
                    self._replay(ledger, done, result, errors)
                    chunk = chunk[len(done) :]
                if chunk:
                    self._chunk(ledger, chunk, result, errors, writer)
            if masked_rows:
                result.unreadable = masked_file_message(example, masked_rows)
        except UnreadableFile as exc:
            result.unreadable = exc.message
        finally:
            chunks.close()
            if errors is not None:
                errors.close()
            if writer is not None:
                # All or nothing: a row that went wrong since the dry run undoes everything.
                failed = sys.exc_info()[0] is not None
                rollback = single_transaction and bool(
                    result.error_rows or result.unreadable or failed
                )
                result.rows_written = writer.close(rollback=rollback)
                result.refused = rollback
        result.households_created = self._households(ledger)
        return result

    def _households(self, ledger: Ledger) -> int:
        return self.households_before + getattr(ledger, "households_created", 0)

    def _replay(self, ledger: Ledger, chunk: list[Row], result, errors) -> None:
        ledger.plan(chunk)
        for row in chunk:
            if row.errors:
                row.action = ERROR
                self.record_errors(row, result, errors)

    def _processes(self) -> int:
        """Over how many processes a large file's pass runs: 1 unless the ledger can be split
        and the database is PostgreSQL outside a transaction (splitting.py)."""
        processes = self.processes
        if processes is None:
            processes = _split_processes.get()
        if processes is None:
            processes = settings.FANGYI_LEDGER_PROCESSES
        if processes < 2 or not self.ledger.split_columns:
            return 1
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return 1
        return processes

    def _parts(self, heading: Heading) -> int:
        """Over how many processes this pass runs: `_processes` if the file is large."""
        if (heading.rows_estimate or 0) < settings.FANGYI_LEDGER_SPLIT_MIN_ROWS:
            return 1
        return self._processes()

    def _chunk(self, ledger: Ledger, chunk: list[Row], result, errors, writer) -> None:
        ledger.plan(chunk)
        for row in chunk:
            if row.action == CREATE:
                result.created += 1
            elif row.action == UPDATE:
                result.updated += 1
            elif row.action == UNCHANGED:
                result.unchanged += 1
            else:
                row.action = ERROR
                self.record_errors(row, result, errors)
        result.households_created = self._households(ledger)
        if writer is None:
            self.on_progress(result)
        else:
            writer.submit([row for row in chunk if row.action in (CREATE, UPDATE)], result)

    def record_errors(self, row: Row, result: ImportResult, errors) -> None:
        result.error_rows += 1
        messages = []
        for key, message in row.errors:
            column = self.header_names.get(key) or self.ledger.column(key).header
            messages.append(f"{column}：{message}")
            if self.max_errors_kept is None or len(result.errors) < self.max_errors_kept:
                result.errors.append({"row": row.number, "column": column, "message": message})
        if errors is not None:
            errors.add(row.number, row.cells, "；".join(messages))


def _file_signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


MASKED_RANGES_SHOWN = 10


def row_ranges(numbers: list[int]) -> str:
    """2–1001、1005 …: the row numbers in runs, the first few of them."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    shown = [f"{a}–{b}" if a != b else str(a) for a, b in runs[:MASKED_RANGES_SHOWN]]
    return "、".join(shown) + (" …" if len(runs) > MASKED_RANGES_SHOWN else "")


def masked_file_message(example: str, rows: list[int]) -> str:
    return _(
        "文件中的证件号码是脱敏的（如 %(example)s，第 %(rows)s 行），无法导入：脱敏导出的文件"
        "只能查看，不能改好后再导入。请在导出时填写理由，导出不脱敏的文件，或使用原始台账。"
    ) % {"example": example, "rows": row_ranges(rows)}


NO_FAST_BLANK = object()


def _blank_value(column: Column):
    try:
        return column.parse("")
    except normalise.CellError:
        return NO_FAST_BLANK


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_unpacked_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.FANGYI_LEDGER_MAX_BYTES,
            max_rows=settings.FANGYI_LEDGER_MAX_ROWS,
            max_unpacked_bytes=settings.FANGYI_LEDGER_MAX_UNPACKED_BYTES,
        )


@dataclass
class Heading:
    """What the header row says: where it is, which columns were recognised."""

    header_row: int
    headers: list[str]
    header_names: dict[str, str]  # column key → the header as the file writes it
    unknown_columns: list[str]
    rows_estimate: int | None


def open_rows(
    ledger: type[Ledger], path, file_name: str, limits: Limits
) -> tuple[Heading, Generator[list[Row]]]:
    """Opens a file for a ledger: its heading, and its rows in chunks, each row parsed and
    checked as far as it can be without the database. UnreadableFile says why not."""
    heading, table, parsers = open_parsed(ledger, path, file_name, limits)
    return heading, _chunks(ledger, table, parsers)


# (position in the row, column key, parse, the value of a blank cell, values parsed so far
# by text): most columns repeat a few texts a million times (是/否, 居民身份证, a building's
# code), and parsing is pure, so each text is parsed once per pass.
Parser = tuple[int, str, Callable, object, dict[str, Any]]
# How many texts of a column are remembered: unique columns (ID numbers) stop there.
SEEN_CELLS = 20_000
_UNSEEN = object()


def open_parsed(
    ledger: type[Ledger],
    path,
    file_name: str,
    limits: Limits,
    *,
    pieces: int = 1,
    unpacked_checked: bool = False,
) -> tuple[Heading, Table, list[Parser]]:
    """Opens a file for a ledger: its heading, its table of raw rows, and for each column
    recognised (position in the row, column key, parse, the value of a blank cell).
    `pieces`: the processes a split pass would run, for a large sheet to be cut into."""
    index = ledger.header_index()

    def score(cells: list[str]) -> int:
        return len({index[k].key for k in map(normalise.header_key, cells) if k in index})

    table = None
    if pieces > 1:
        table = open_cut(
            path,
            pieces=pieces,
            score_header=score,
            max_bytes=limits.max_bytes,
            max_rows=limits.max_rows,
            max_unpacked_bytes=limits.max_unpacked_bytes,
        )
    if table is None:
        table = open_table(
            path,
            file_name=file_name,
            score_header=score,
            max_bytes=limits.max_bytes,
            max_rows=limits.max_rows,
            max_unpacked_bytes=limits.max_unpacked_bytes,
            unpacked_checked=unpacked_checked,
        )
    unknown: list[str] = []
    mapping: list[tuple[int, Column]] = []
    taken: dict[str, str] = {}
    for position, header in enumerate(table.headers):
        if not header:
            continue
        column = index.get(normalise.header_key(header))
        if column is None:
            unknown.append(header)
        elif column.key in taken:
            unknown.append(
                _("%(header)s（与“%(first)s”重复，已忽略）")
                % {"header": header, "first": taken[column.key]}
            )
        else:
            taken[column.key] = header
            mapping.append((position, column))
    if not mapping:
        raise UnreadableFile(_("找不到可识别的列。"))
    missing = ledger.missing_columns_message(set(taken))
    if missing:
        raise UnreadableFile(missing)
    heading = Heading(
        header_row=table.header_row,
        headers=table.headers,
        header_names=taken,
        unknown_columns=unknown,
        rows_estimate=table.rows_estimate,
    )
    parsers: list[Parser] = [
        (position, column.key, column.parse, _blank_value(column), {})
        for position, column in mapping
    ]
    return heading, table, parsers


def _chunks(ledger: type[Ledger], table: Table, parsers) -> Generator[list[Row]]:
    today = timezone.localdate()
    chunk: list[Row] = []
    for number, cells in table.rows:
        row = parse_row(number, cells, parsers)
        ledger.check_alone(row, today)
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def parse_row(number: int, cells: list, parsers: list[Parser]) -> Row:
    row = Row(number=number, cells=cells, values={})
    values = row.values
    for position, key, parse, blank, seen in parsers:
        cell = cells[position]
        if (cell is None or cell == "") and blank is not NO_FAST_BLANK:
            # Most ledger cells are blank; what a blank means is known in advance.
            values[key] = blank
            continue
        if cell.__class__ is str:
            value = seen.get(cell, _UNSEEN)
            if value is not _UNSEEN:
                values[key] = value
                continue
            if "\x00" in cell:
                row.error(key, _("含有不可见的空字符（\\0），请删除后重试。"))
                continue
            text = cell
            if cell[:1] == "'" and cell.startswith(FORMULA_PREFIXES):
                # Exports escape cells that look like formulas; a round trip undoes it.
                cell = cell[1:]
            try:
                values[key] = value = parse(cell)
            except normalise.CellError as exc:
                row.error(key, exc.message)
                continue
            if len(seen) < SEEN_CELLS:
                seen[text] = value
            continue
        try:
            values[key] = parse(cell)
        except normalise.CellError as exc:
            row.error(key, exc.message)
    return row

"""A large worksheet cut at row boundaries, so that a split import parses it in parallel.

calamine reads a whole worksheet at once, in Rust, on one core: a million-row ledger kept the
parent busy for 15 s before any part of a split import could start (finding 53 of
docs/benchmarks.md). So when an import is to be split over processes and the xlsx's data sheet
is large, the sheet's XML is unpacked once and cut just before a `<row` opening into as many
pieces as there are parts. Each part makes a workbook of its piece (the other members copied,
stored uncompressed), checks how far the piece's cells reach (extent.py) and has calamine read
it. The rows keep their numbers: every row and cell names its place (`r="F12"`) and calamine
places it there.

The header is found as in any workbook, on a copy holding the sheet's first rows. The cut is
made only where the pieces read exactly as the whole sheet would; otherwise the file is read
whole (reading.py). The parent cuts only when
- the header's rows start in column A: calamine counts columns from the first one with
  data, which a piece might not share, and a piece starting further right is padded;
- the merged ranges in the data end in the first piece (a merged value is carried down from
  the range's first row);
- the header's sheet is the large one, as the workbook's relations name it.
What a piece holds is checked by the part that reads it (the parent would take as long as
both parts, on one core). A piece raises `Uncut`, and the pass starts again on the file read
whole, when a row or cell in it does not open with its reference (one without is placed
after the one before it, which a piece does not know; Excel, WPS, LibreOffice and the Python
writers always write it), when it holds a comment or CDATA section (a `<row` in one opens no
row, and a cut may have fallen in it), or when calamine cannot read it.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain, dropwhile, islice
from pathlib import Path
from xml.etree import ElementTree

import python_calamine

from . import extent
from .reading import (
    _ZIP_MAGIC,
    XLSX,
    Table,
    UnreadableFile,
    _best_sheet,
    _check_members,
    _corrupt,
    _data_rows,
    _headers,
    _too_many_rows,
    numbered_rows,
    zip_errors,
)

# Below this much sheet XML (some 20,000 rows) reading it whole costs less than cutting it.
MIN_SHEET_BYTES = 4 << 20
# The header is looked for among the sheet's first rows: as many as a header search reads,
# with room for blank rows between them.
HEAD_ROWS = 1000
# Where a part writes its piece's workbook for calamine (see `_opened`): memory, on Linux.
SPILL_FOLDER = "/dev/shm"

_SLICE = 64 << 20
_SHEET_DATA = b"<sheetData>"
_SHEET_DATA_END = b"</sheetData>"
_DECLARATION = re.compile(rb"<!")
_ROW_OPENING = re.compile(rb"<row[\s>/]")
_ROW_NUMBER = re.compile(rb'<row r="([0-9]+)"')
# A zip member's local header: its signature, then the name's and the extra field's lengths.
_LOCAL_HEADER = struct.Struct("<4s22xHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATION = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class Uncut(Exception):
    """A piece that may not read as its rows of the whole sheet would: the file is to be
    read whole instead (a file that cannot be read at all then says why)."""


@dataclass
class Piece:
    """One part's share of a cut sheet: the rows after the header, as `Table.rows` are."""

    members: list[tuple[str, bytes]]  # the workbook's other members, shared by every piece
    sheet_member: str
    # The whole sheet's XML, shared by every piece (a forked part reads the parent's copy);
    # this piece is its opening up to `opened`, its rows from `start` to `stop`, and its
    # closing from `closing` on.
    sheet: bytes
    opened: int
    start: int
    stop: int
    closing: int
    first_row: int  # the number of the row at `start`
    sheet_index: int
    header_row: int
    width: int
    merges: dict[int, list[tuple[int, int, int]]] | None
    max_rows: int
    slack: int

    def xml(self) -> list:
        """The piece's XML in slices, for regular expressions to search in turn."""
        whole = memoryview(self.sheet)
        rows = [
            whole[at : min(at + _SLICE, self.stop)] for at in range(self.start, self.stop, _SLICE)
        ]
        return [self.sheet[: self.opened], *rows, whole[self.closing :]]

    def rows(self) -> Iterator[tuple[int, list]]:
        xml = self.xml()
        try:
            if extent.check_part(lambda: iter(xml), self.max_rows, self.slack):
                raise Uncut("a cell or row without its reference")
        except extent.TooLarge as exc:
            raise UnreadableFile(exc.message) from exc
        except extent.Malformed as exc:
            raise Uncut("not well-formed") from exc
        if any(_DECLARATION.search(part) for part in xml[1:-1]):
            raise Uncut("a comment or CDATA section")  # a "<row" in it opens no row
        try:
            with _calamine(self.members, self.sheet_member, xml, spill=True) as workbook:
                sheet = workbook.get_sheet_by_index(self.sheet_index)
            if not sheet.height or sheet.start is None:
                return
            first_column = sheet.start[1]
            numbered = numbered_rows(sheet)
            if numbered is None:
                return
            # The rows before this piece's first (the whole sheet's, numbered from its top)
            # are blank: skipped before they are checked.
            first = max(self.header_row + 1, self.first_row)
            numbered = dropwhile(lambda row: row[0] < first, numbered)
            if first_column:
                padding = [""] * first_column
                numbered = ((number, padding + cells) for number, cells in numbered)
            yield from _data_rows(numbered, self.width, self.max_rows, self.merges)
        except (python_calamine.CalamineError, UnreadableFile) as exc:
            raise Uncut(str(exc)) from exc


def open_cut(
    path: str | Path,
    *,
    pieces: int,
    score_header: Callable[[list[str]], int],
    max_bytes: int,
    max_rows: int,
    max_unpacked_bytes: int,
    header_search_rows: int = 30,
) -> Table | None:
    """The table of an xlsx whose data sheet is cut into `pieces` (`Table.pieces`), or None
    when it cannot or need not be (reading.open_table then reads the file whole)."""
    path = Path(path)
    with zip_errors():
        if path.stat().st_size > max_bytes:
            return None
        with path.open("rb") as file:
            if file.read(len(_ZIP_MAGIC)) != _ZIP_MAGIC:
                return None
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_members(infos, max_unpacked_bytes)
            sheets = [
                info
                for info in infos
                if info.filename.startswith("xl/worksheets/")
                and info.filename.count("/") == 2
                and info.filename.endswith(".xml")
            ]
            if not sheets:
                return None
            large = max(sheets, key=lambda info: info.file_size)
            if large.file_size < MIN_SHEET_BYTES:
                return None
            members = []
            for info in infos:
                if info is large or info.is_dir():
                    continue
                data = archive.read(info)
                extent.check_part(_reader(data), max_rows, header_search_rows)
                members.append((info.filename, data))
            sheet = _inflate(path, large)
    if sheet is None:
        return None
    return _cut(
        sheet,
        members,
        large.filename,
        pieces,
        score_header=score_header,
        max_rows=max_rows,
        header_search_rows=header_search_rows,
        verify=_crc_check(sheet, large.CRC),
    )


def _cut(
    sheet: bytes,
    members: list[tuple[str, bytes]],
    sheet_member: str,
    pieces: int,
    *,
    score_header: Callable[[list[str]], int],
    max_rows: int,
    header_search_rows: int,
    verify: Callable[[], None],
) -> Table | None:
    start = sheet.find(_SHEET_DATA)
    end = sheet.rfind(_SHEET_DATA_END)
    if start < 0 or end < start:
        return None
    start += len(_SHEET_DATA)
    openings = _ROW_OPENING.finditer(sheet, start, end)
    head_end = next(islice(openings, HEAD_ROWS, None), None)
    if head_end is None:
        return None
    cuts = [start]
    for piece in range(1, pieces):
        found = _ROW_OPENING.search(
            sheet, max(start + (end - start) * piece // pieces, cuts[-1] + 1), end
        )
        if found is None or found.start() < head_end.start():
            return None
        cuts.append(found.start())
    cuts.append(end)
    head_xml = [sheet[: head_end.start()], sheet[end:]]
    with zip_errors():
        extent.check_part(lambda: iter(head_xml), max_rows, header_search_rows)
    with _calamine(members, sheet_member, head_xml) as head:
        index, found = _best_sheet(head, score_header, max_rows, header_search_rows)
        _score, header_sheet, header_row, header_cells, _after, _rest, merges = found
        first_row, first_column = header_sheet.start
        sheet_name = header_sheet.name
    names = _sheet_members(dict(members))
    if index >= len(names) or names[index] != sheet_member or first_column:
        return None
    firsts = [_row_number(sheet, at) for at in cuts[:-1]]
    last = _row_number(sheet, sheet.rfind(b"<row ", start, end))
    if not all(firsts[1:]) or not last:
        return None
    if any(bottom >= firsts[1] for ranges in merges.values() for bottom, _l, _r in ranges):
        return None
    height = last - first_row
    if height > max_rows + header_search_rows:
        raise _too_many_rows(max_rows)
    headers = _headers(header_cells)
    cut = [
        Piece(
            members=members,
            sheet_member=sheet_member,
            sheet=sheet,
            opened=start,
            start=cuts[number],
            stop=cuts[number + 1],
            closing=end,
            first_row=firsts[number],
            sheet_index=index,
            header_row=header_row,
            width=len(headers),
            merges=merges if number == 0 else None,
            max_rows=max_rows,
            slack=header_search_rows,
        )
        for number in range(pieces)
    ]
    return Table(
        format=XLSX,
        sheet_name=sheet_name,
        header_row=header_row,
        headers=headers,
        rows=_verified(verify, _at_most(chain.from_iterable(p.rows() for p in cut), max_rows)),
        rows_estimate=max(height - header_row, 0),
        pieces=cut,
        verify=verify,
    )


def _row_number(sheet: bytes, at: int) -> int:
    """The number of the row opening at `at`, or 0."""
    found = _ROW_NUMBER.match(sheet, at) if at >= 0 else None
    return int(found.group(1)) if found else 0


def _verified(
    verify: Callable[[], None], rows: Iterator[tuple[int, list]]
) -> Iterator[tuple[int, list]]:
    verify()
    yield from rows


def _crc_check(sheet: bytes, crc: int) -> Callable[[], None]:
    """The sheet's CRC check, run once. It is half a second of the parent's on a gigabyte of
    XML: the split pass runs it once the parts are reading, and no part waits for it
    (finding 54 of docs/benchmarks.md). Nothing is written before it has passed."""

    @functools.cache
    def verify() -> None:
        with zip_errors():
            if zlib.crc32(sheet) != crc:
                raise zipfile.BadZipFile("the sheet does not match its CRC")

    return verify


def _at_most(rows: Iterator[tuple[int, list]], max_rows: int) -> Iterator[tuple[int, list]]:
    """Each piece counts its own rows; the sheet's are counted here."""
    for read, row in enumerate(rows, 1):
        if read > max_rows:
            raise _too_many_rows(max_rows)
        yield row


def _reader(data: bytes) -> Callable[[], Iterator[bytes]]:
    return lambda: iter((data,))


def _workbook(members: list[tuple[str, bytes]], sheet_member: str, sheet: list, buffer) -> None:
    """A workbook of `members` and the sheet written in slices, its members stored (calamine
    does not unpack a stored member), into `buffer`."""
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members:
            archive.writestr(name, data)
        info = zipfile.ZipInfo(sheet_member)
        info.file_size = sum(map(len, sheet))
        with archive.open(info, "w") as member:
            for data in sheet:
                member.write(data)
    buffer.seek(0)


def _inflate(path: Path, info: zipfile.ZipInfo) -> bytes | None:
    """A member unpacked in one go, or None for a compression zipfile does not know here.

    zipfile's reader grows its output a few kilobytes at a time: a gigabyte of sheet XML took
    it 8 s, against 2 s for zlib told the size. The size is the directory's (checked against
    the limits), and a member unpacking to more than it says is corrupt; its CRC is checked
    later (`_crc_check`)."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    with path.open("rb") as file:
        file.seek(info.header_offset)
        header = file.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size:
            raise zipfile.BadZipFile("truncated local header")
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        if signature != _LOCAL_SIGNATURE:
            raise zipfile.BadZipFile("bad local header")
        file.seek(name_length + extra_length, io.SEEK_CUR)
        packed = file.read(info.compress_size)
    if info.compress_type == zipfile.ZIP_STORED:
        data = packed
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        data = inflater.decompress(packed, info.file_size + 1)
        if not inflater.eof:
            raise zipfile.BadZipFile("the member unpacks to more than its size")
    if len(data) != info.file_size:
        raise zipfile.BadZipFile("the member does not match its size")
    return data


def _spill_folder(size: int) -> str | None:
    """A folder in memory (tmpfs) with room for a piece's workbook, where the open file of
    an unlinked one can be named (/proc/self/fd), or None."""
    try:
        if not os.path.isdir("/proc/self/fd"):
            return None
        room = os.statvfs(SPILL_FOLDER)
    except OSError:
        return None
    return SPILL_FOLDER if room.f_bavail * room.f_frsize > 2 * size else None


@contextlib.contextmanager
def _opened(members: list[tuple[str, bytes]], sheet_member: str, sheet: list, spill: bool):
    """The workbook of `_workbook` as calamine opens it.

    A piece's workbook (`spill`) goes to a file in memory when there is one: calamine reads
    a file-like object into a buffer of its own that it grows and zeroes as it goes, and for
    a 600 MB piece that was 2.8 GB of fresh pages, 1.6 s alone and 4 s with the other part
    doing the same (finding 54 of docs/benchmarks.md); from a file it reads what it parses.
    The file is unlinked from the start, so a part killed meanwhile leaves nothing behind."""
    folder = _spill_folder(sum(map(len, sheet))) if spill else None
    with tempfile.TemporaryFile(dir=folder) if folder else io.BytesIO() as file:
        _workbook(members, sheet_member, sheet, file)
        try:
            if folder:
                file.flush()
                workbook = python_calamine.CalamineWorkbook.from_path(
                    f"/proc/self/fd/{file.fileno()}"
                )
            else:
                workbook = python_calamine.CalamineWorkbook.from_filelike(file)
        except (python_calamine.CalamineError, ValueError) as exc:
            raise _corrupt() from exc
        yield workbook


@contextlib.contextmanager
def _calamine(
    members: list[tuple[str, bytes]], sheet_member: str, sheet: list, *, spill: bool = False
):
    """The workbook of `_opened`, open in calamine (a sheet read from it stays in memory
    when it is closed)."""
    with _opened(members, sheet_member, sheet, spill) as workbook:
        try:
            yield workbook
        except python_calamine.CalamineError as exc:
            raise _corrupt() from exc
        finally:
            with contextlib.suppress(python_calamine.CalamineError):
                workbook.close()


def _sheet_members(members: dict[str, bytes]) -> list[str]:
    """The members of the workbook's sheets, in the order calamine numbers them."""
    try:
        workbook = ElementTree.fromstring(members["xl/workbook.xml"])
        relations = ElementTree.fromstring(members["xl/_rels/workbook.xml.rels"])
    except (KeyError, ElementTree.ParseError):
        return []
    targets = {
        relation.get("Id"): relation.get("Target", "")
        for relation in relations.iter(f"{_PACKAGE}Relationship")
    }
    names = []
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_RELATION), "")
        names.append(target.removeprefix("/") if target.startswith("/") else f"xl/{target}")
    return names

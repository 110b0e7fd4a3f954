"""Opening an uploaded ledger (xlsx, xls or csv) and reading its rows as the user sees them.

`open_table` finds the format from the content, refuses files that are too large or unpack
to too much, finds the header row among the first rows (titles and notes above it are
skipped), and returns the data rows with the row numbers Excel shows, so that an error
message can say "第 57 行". Cells come back as the library gives them (str, float, int,
bool, date, datetime; csv cells are all str); `normalise` turns them into values.

CSV is read as a stream. Excel files are read with python-calamine, which loads a whole
worksheet into memory (in Rust, about a third of what Python objects would take) and
hands out one row at a time.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, count
from pathlib import Path

import python_calamine
from django.utils.translation import gettext as _

from . import extent
from .normalise import BLANK, text

XLSX, XLS, CSV = "xlsx", "xls", "csv"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1 << 20
_MAX_ZIP_MEMBERS = 10_000  # a real workbook has dozens; the central directory is parsed whole
_MAX_RATIO = 100  # sheet XML deflates about 10–20×; a bomb of zeros deflates 1000×
_RATIO_FLOOR = 1 << 20  # small members (styles, empty sheets) may compress better
_SNIFF_BYTES = 64 * 1024
_SNIFF_LINES = 20
_DELIMITERS = (",", "\t", ";", "|", "，")
# Calamine picks its parser from the file name, so a workbook named for the other format
# is opened from its content instead.
_OFFICE_SUFFIXES = {
    ".xls": XLS,
    ".xla": XLS,
    ".xlsx": XLSX,
    ".xlsm": XLSX,
    ".xltx": XLSX,
    ".xltm": XLSX,
    ".xlam": XLSX,
    ".xlsb": "xlsb",
    ".ods": "ods",
}


class UnreadableFile(Exception):
    """A file that cannot be imported at all; `message` is a sentence for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    format: str  # "xlsx", "xls", "csv"
    sheet_name: str  # "" for csv
    header_row: int  # 1-based row number (as Excel shows it) of the header row
    headers: list[str]  # the header row's cells as text(), without trailing blank ones
    # (1-based row number, cells) for each non-blank data row after the header; cells has
    # len(headers) items.
    rows: Iterator[tuple[int, list]]
    encoding: str = ""  # csv only: "utf-8-sig", "utf-8", "gb18030" or "utf-16"
    delimiter: str = ""  # csv only
    first_column: int = 1  # 1-based column (as Excel counts them) of headers[0]
    # Data rows to expect, for progress bars: exact for csv, from the sheet's height else.
    rows_estimate: int | None = None
    # An xlsx cut for a split import (cutting.py): each part reads one piece's rows; `rows`
    # reads them all in turn.
    pieces: list | None = None
    # What is left to check of a cut sheet (its CRC), raising UnreadableFile: the split
    # pass calls it once the parts have started; `rows` calls it first.
    verify: Callable[[], None] | None = None


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.1f}".removesuffix(".0")


def _too_many_rows(max_rows: int) -> UnreadableFile:
    return UnreadableFile(extent.too_many_rows(max_rows).message)


def _unknown_format() -> UnreadableFile:
    return UnreadableFile(_("无法识别的文件格式：请上传 xlsx、xls 或 csv 文件。"))


def _corrupt() -> UnreadableFile:
    return UnreadableFile(_("文件已损坏，无法打开；请在 Excel 中打开后重新保存再上传。"))


def _is_blank(cells: Iterable) -> bool:
    for cell in cells:
        if cell.__class__ is str:
            if cell and cell.strip(BLANK):
                return False
        elif cell is not None:
            return False
    return True


def open_table(
    path: str | Path,
    *,
    file_name: str,
    score_header: Callable[[list[str]], int],
    max_bytes: int,
    max_rows: int,
    max_unpacked_bytes: int,
    header_search_rows: int = 30,
    unpacked_checked: bool = False,
) -> Table:
    """Opens a ledger file and finds its header; UnreadableFile says why it cannot be read.

    `score_header` rates a row of header texts (how many known column names it holds); the
    header is the first row with the best score among the first `header_search_rows`
    non-blank rows. Reading `rows` raises UnreadableFile past `max_rows` data rows.
    `unpacked_checked`: this file (the same path, unchanged) already passed the zip checks
    in this process, which unpack every member; they are not run again.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            head = file.read(_SNIFF_BYTES)
    except OSError as exc:
        raise _corrupt() from exc
    if size > max_bytes:
        raise UnreadableFile(
            _("文件大小超过 %(limit)s MB 的上限。") % {"limit": _megabytes(max_bytes)}
        )
    if not head:
        raise UnreadableFile(_("文件是空的。"))
    if head.startswith(_ZIP_MAGIC):
        if not unpacked_checked:
            _check_zip(path, max_unpacked_bytes, extent.Limits(max_rows, header_search_rows))
        fmt = XLSX
    elif head.startswith(_OLE2_MAGIC):
        fmt = XLS
    else:
        encoding = _text_encoding(head)
        if encoding is None:
            raise _unknown_format()
        return _open_csv(
            path,
            head,
            encoding,
            score_header=score_header,
            max_rows=max_rows,
            header_search_rows=header_search_rows,
        )
    return _open_workbook(
        path,
        fmt,
        score_header=score_header,
        max_rows=max_rows,
        header_search_rows=header_search_rows,
    )


# ---------------------------------------------------------------------------------------
# Header detection and data rows, shared by all formats


def _find_header(
    numbered: Iterator[tuple[int, list]],
    score_header: Callable[[list[str]], int],
    header_search_rows: int,
    carry: Callable[[int, list], list] | None = None,
) -> tuple[int, int, list, list[tuple[int, list]]] | None:
    """(score, row number, header cells, the rows read after it) of the best header row."""
    seen: list[tuple[int, list]] = []
    for number, cells in numbered:
        if _is_blank(cells):
            continue
        seen.append((number, cells))
        if len(seen) >= header_search_rows:
            break
    best = None
    for index, (number, cells) in enumerate(seen):
        candidate = carry(number, cells) if carry else cells
        score = score_header([text(cell) for cell in candidate])
        if best is None or score > best[0]:
            best = (score, index, candidate)
    if best is None or best[0] < 1:
        return None
    score, index, cells = best
    return score, seen[index][0], cells, seen[index + 1 :]


def _headers(cells: list) -> list[str]:
    # PostgreSQL cannot store NUL, and a header is stored with the job (unknown columns).
    headers = [text(cell).replace("\x00", "") for cell in cells]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def _no_header(header_search_rows: int) -> UnreadableFile:
    return UnreadableFile(
        _("找不到表头：前 %(n)d 行中没有可识别的列名。") % {"n": header_search_rows}
    )


def _data_rows(
    numbered: Iterator[tuple[int, list]],
    width: int,
    max_rows: int,
    merges: dict[int, list[tuple[int, int, int]]] | None = None,
    on_error: Callable[[Exception, int], Exception] | None = None,
) -> Iterator[tuple[int, list]]:
    """Non-blank rows cut or padded to `width`, with merged ranges filled in.

    `merges` maps a range's first row number to (last row number, first column, last
    column), columns as 0-based indexes into the row. A row whose only content would come
    from a merged range (the tail of an address block with nobody on it) counts as blank.
    """
    yielded = 0
    number = 0
    active: list[tuple[int, int, int, object]] = []
    padding = [""] * width
    try:
        for number, cells in numbered:
            if len(cells) != width:
                cells = cells[:width] if len(cells) > width else cells + padding[len(cells) :]
            for cell in cells:
                if cell.__class__ is str:
                    if cell and cell.strip(BLANK):
                        break
                elif cell is not None:
                    break
            else:
                continue
            yielded += 1
            if yielded > max_rows:
                raise _too_many_rows(max_rows)
            if merges:
                starting = merges.get(number)
                if active:
                    active = [fill for fill in active if fill[0] >= number]
                    for _last, first_col, last_col, value in active:
                        cells[first_col : last_col + 1] = [value] * (last_col - first_col + 1)
                if starting:
                    for last, first_col, last_col in starting:
                        active.append((last, first_col, last_col, cells[first_col]))
                        cells[first_col + 1 : last_col + 1] = [cells[first_col]] * (
                            last_col - first_col
                        )
            yield number, cells
    except (UnicodeDecodeError, csv.Error) as exc:
        if on_error is None:
            raise
        raise on_error(exc, number + 1) from exc


# ---------------------------------------------------------------------------------------
# xlsx and xls


def _too_big() -> UnreadableFile:
    return UnreadableFile(_("文件解压后过大，可能是损坏或恶意的文件。"))


def _check_members(infos: list[zipfile.ZipInfo], max_unpacked_bytes: int) -> None:
    """What the zip's directory says: too many members, too large, a bomb, a password."""
    if len(infos) > _MAX_ZIP_MEMBERS:
        raise _too_big()
    if sum(info.file_size for info in infos) > max_unpacked_bytes:
        raise _too_big()
    for info in infos:
        if info.file_size > _RATIO_FLOOR and info.file_size > _MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise _too_big()
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise _unknown_format()
    if any(info.flag_bits & 0x1 for info in infos):
        raise UnreadableFile(_("文件设置了密码，请取消密码后再上传。"))


def _check_zip(path: Path, max_unpacked_bytes: int, limits: extent.Limits) -> None:
    """Refuses a zip that is corrupt, unpacks to more than `max_unpacked_bytes` or holds a
    sheet reaching past `limits`, before calamine (which trusts the sizes it is told, and
    lays a sheet out as a dense grid) unpacks it."""
    with zip_errors(), zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        _check_members(infos, max_unpacked_bytes)
        _inflate(archive, infos, max_unpacked_bytes, _too_big(), limits)


@contextlib.contextmanager
def zip_errors() -> Iterator[None]:
    """What unpacking a workbook and checking its parts may raise, as the user is told it."""
    try:
        yield
    except extent.TooLarge as exc:
        raise UnreadableFile(exc.message) from exc
    except extent.Malformed as exc:
        raise _corrupt() from exc
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        # BadZipFile also covers a member whose CRC does not match: a lying declared size;
        # zipfile raises NotImplementedError for a compression method it does not know.
        raise _corrupt() from exc


def _inflate(
    archive: zipfile.ZipFile, infos, limit: int, too_big: UnreadableFile, limits: extent.Limits
) -> None:
    """Unpacks every member, counting, and checks how far the cells of each part reach."""
    total = 0

    def chunks(info) -> Iterator[bytes]:
        nonlocal total
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise too_big
                yield chunk

    for info in infos:
        before = total

        def read(info=info, before=before) -> Iterator[bytes]:
            nonlocal total
            total = before  # a part read again is counted once
            return chunks(info)

        extent.check_part(read, limits.max_rows, limits.slack)


def _open_workbook(
    path: Path,
    fmt: str,
    *,
    score_header: Callable[[list[str]], int],
    max_rows: int,
    header_search_rows: int,
) -> Table:
    try:
        if _OFFICE_SUFFIXES.get(path.suffix.lower(), fmt) == fmt:
            workbook = python_calamine.CalamineWorkbook.from_path(path)
        else:
            with path.open("rb") as file:
                workbook = python_calamine.CalamineWorkbook.from_filelike(file)
    except python_calamine.PasswordError as exc:
        raise UnreadableFile(_("文件设置了密码，请取消密码后再上传。")) from exc
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise _corrupt() from exc
    _index, best = _best_sheet(workbook, score_header, max_rows, header_search_rows)
    _score, sheet, header_number, header_cells, after, rest, merges = best
    headers = _headers(header_cells)
    return Table(
        format=fmt,
        sheet_name=sheet.name,
        header_row=header_number,
        headers=headers,
        rows=_closing(
            _data_rows(chain(after, rest), len(headers), max_rows, merges), workbook.close
        ),
        first_column=sheet.start[1] + 1,
        rows_estimate=max(sheet.height - header_number, 0),
    )


def _best_sheet(workbook, score_header, max_rows: int, header_search_rows: int):
    """(index, what `_scan_sheet` found) of the workbook's sheet with the best header; the
    workbook is closed if there is none."""
    try:
        visible = [
            index
            for index, meta in enumerate(workbook.sheets_metadata)
            if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
            and meta.visible == python_calamine.SheetVisibleEnum.Visible
        ]
    except (AttributeError, python_calamine.CalamineError):
        visible = list(range(len(workbook.sheet_names)))

    # The first visible worksheet with the best header: a "填写说明" sheet before the data
    # may mention a column name or two, but not a whole row of them.
    best = None
    any_data = False
    try:
        for index in visible:
            sheet = workbook.get_sheet_by_index(index)
            if not sheet.height or sheet.start is None:
                continue
            any_data = True
            if sheet.height > max_rows + header_search_rows:
                raise _too_many_rows(max_rows)
            found = _scan_sheet(sheet, score_header, header_search_rows)
            if found is not None and (best is None or found[0] > best[1][0]):
                best = index, found
    except python_calamine.PasswordError as exc:
        workbook.close()
        raise UnreadableFile(_("文件设置了密码，请取消密码后再上传。")) from exc
    except python_calamine.CalamineError as exc:
        workbook.close()
        raise _corrupt() from exc
    except BaseException:
        workbook.close()
        raise
    if best is None:
        workbook.close()
        if not any_data:
            raise UnreadableFile(_("文件中没有数据。"))
        raise _no_header(header_search_rows)
    return best


def _closing(rows: Iterator[tuple[int, list]], close: Callable[[], None]):
    try:
        yield from rows
    finally:
        with contextlib.suppress(python_calamine.CalamineError):
            close()


def numbered_rows(sheet) -> Iterator[tuple[int, list]] | None:
    """A calamine sheet's rows with the numbers Excel shows, or None when it has none.

    calamine 0.9 yields rows from the top of the sheet (blank ones before the data included)
    but columns from the first one with data. Should a version start at the first row with
    data instead, that row would not be blank."""
    rows = sheet.iter_rows()
    head = next(rows, None)
    if head is None:
        return None
    first_row = sheet.start[0]
    origin = first_row + 1 if first_row and not _is_blank(head) else 1
    return zip(count(origin), chain([head], rows))


def _scan_sheet(sheet, score_header, header_search_rows):
    """(score, sheet, header row number, header cells, rows after it, the other rows,
    merged ranges in the data area) of a worksheet's best header, or None."""
    first_row, first_col = sheet.start
    numbered = numbered_rows(sheet)
    if numbered is None:
        return None

    ranges = []
    for (top, left), (bottom, right) in sheet.merged_cell_ranges or ():
        # Excel's 0-based (row, column), inclusive, from the sheet's top-left corner.
        ranges.append((top + 1, bottom + 1, left - first_col, right - first_col))
    carry = None
    if ranges:
        seen: dict[int, list] = {}

        def carry(number: int, cells: list) -> list:
            # A header cell merged down from the row above ("姓名" over two header rows
            # whose second row says 手机/座机) belongs to the lower row too.
            seen[number] = cells
            cells = list(cells)
            for top, bottom, left, _right in ranges:
                if top < number <= bottom and 0 <= left < len(cells) and cells[left] == "":
                    above = seen.get(top)
                    if above is not None and left < len(above):
                        cells[left] = above[left]
            return cells

    found = _find_header(numbered, score_header, header_search_rows, carry)
    if found is None:
        return None
    score, header_number, header_cells, after = found
    width = len(_headers(header_cells))
    merges: dict[int, list[tuple[int, int, int]]] = {}
    for top, bottom, left, right in ranges:
        if top > header_number and 0 <= left < width:
            merges.setdefault(top, []).append((bottom, left, min(right, width - 1)))
    return score, sheet, header_number, header_cells, after, numbered, merges


# ---------------------------------------------------------------------------------------
# csv


def _text_encoding(head: bytes) -> str | None:
    """The encoding the start of a file looks like, or None if it is not text."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode 文本" export: UTF-16 with tabs.
        return "utf-16"
    if b"\x00" in head:
        return None
    controls = sum(head.count(bytes([code])) for code in range(32) if code not in (9, 10, 12, 13))
    if controls > len(head) // 100:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as file:
            while chunk := file.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _sniff_delimiter(sample: str) -> str:
    """The delimiter that splits most of the first lines into the same number (> 1) of
    cells; csv.Sniffer guesses wrong on Chinese text."""
    best, best_lines = ",", 0
    for delimiter in _DELIMITERS:
        if delimiter not in sample:
            continue
        widths: dict[int, int] = {}
        records = 0
        try:
            for record in csv.reader(io.StringIO(sample), delimiter=delimiter):
                if _is_blank(record):
                    continue
                widths[len(record)] = widths.get(len(record), 0) + 1
                records += 1
                if records >= _SNIFF_LINES:
                    break
        except csv.Error:
            continue
        lines = max((n for width, n in widths.items() if width > 1), default=0)
        if lines > best_lines:
            best, best_lines = delimiter, lines
    return best


def _open_csv(
    path: Path,
    head: bytes,
    encoding: str,
    *,
    score_header: Callable[[list[str]], int],
    max_rows: int,
    header_search_rows: int,
) -> Table:
    if encoding == "utf-8" and not _is_utf8(path):
        encoding = "gb18030"
    sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    if len(head) == _SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    delimiter = _sniff_delimiter(sample)

    def bad_encoding(exc: Exception, row: int) -> UnreadableFile:
        if isinstance(exc, UnicodeDecodeError):
            return UnreadableFile(
                _("第 %(row)d 行附近有无法识别的字符：请把文件另存为 UTF-8 编码的 CSV。")
                % {"row": row}
            )
        return UnreadableFile(
            _("第 %(row)d 行附近格式错误，无法读取：可能是引号不成对，或单元格过长。")
            % {"row": row}
        )

    # One quick pass first, so that a file too long or undecodable half-way is refused before
    # a single row is written, rather than after the first chunks.
    total = _count_records(path, encoding, delimiter, bad_encoding)
    records = _csv_records(path, encoding, delimiter)
    numbered = zip(count(1), records)
    try:
        found = _find_header(numbered, score_header, header_search_rows)
    except (UnicodeDecodeError, csv.Error) as exc:
        records.close()
        raise bad_encoding(exc, 1) from exc
    if found is None:
        records.close()
        raise _no_header(header_search_rows)
    _score, header_number, header_cells, after = found
    headers = _headers(header_cells)
    data_rows = total - _filled_up_to(path, encoding, delimiter, header_number)
    if data_rows > max_rows:
        records.close()
        raise _too_many_rows(max_rows)
    return Table(
        format=CSV,
        sheet_name="",
        header_row=header_number,
        headers=headers,
        rows=_data_rows(chain(after, numbered), len(headers), max_rows, on_error=bad_encoding),
        encoding=encoding,
        delimiter=delimiter,
        rows_estimate=data_rows,
    )


def _count_records(path: Path, encoding: str, delimiter: str, bad_encoding) -> int:
    """Non-blank records in the file (the csv module's C reader: about a second a million)."""
    records = _csv_records(path, encoding, delimiter)
    read = total = 0
    try:
        for record in records:
            read += 1
            if any(record):
                total += 1
    except (UnicodeDecodeError, csv.Error) as exc:
        raise bad_encoding(exc, read + 1) from exc
    finally:
        records.close()
    return total


def _filled_up_to(path: Path, encoding: str, delimiter: str, header_number: int) -> int:
    """Non-blank records up to and including the header row: titles, notes, the header."""
    records = _csv_records(path, encoding, delimiter)
    try:
        heading = zip(range(header_number), records, strict=False)
        return sum(1 for _number, record in heading if any(record))
    finally:
        records.close()


def _csv_records(path: Path, encoding: str, delimiter: str) -> Generator[list[str]]:
    # The file is opened on the first next() and closed when the generator is closed or
    # collected, so a Table whose rows are never read leaks nothing.
    with path.open(encoding=encoding, newline="") as file:
        yield from csv.reader(file, delimiter=delimiter)

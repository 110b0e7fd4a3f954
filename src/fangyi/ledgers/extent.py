"""How far a workbook's sheets reach, checked on the XML before calamine reads them.

calamine lays a worksheet out as a dense grid from its first used cell to its last, one
16-byte slot per cell, so a 5 KB file with one cell at XFD1048576 asks for 512 GiB and the
process aborts. The declared `<dimension ref=…>` and the cells' own references (`r="F12"`) are
checked here instead, with regular expressions over the XML that match only what is too far or
unusual (a valid sheet yields no match, so its rows cost a few passes in C, not a Python step
each). A cell or row written without its reference first, with a namespace prefix, or with an
entity or a leading zero in it takes its place otherwise; such a part is counted exactly with
expat instead.

The limits: no cell beyond `max_rows` rows or `MAX_COLUMNS` columns, and a sheet reaching past
`WIDE_COLUMNS` columns may have a fifth of the rows, so that the grid stays within what a
full-length ledger of ordinary width takes.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain

from django.utils.translation import gettext as _

MAX_COLUMNS = 200  # the widest ledger has 16 columns; notes columns add a few
WIDE_COLUMNS = 40
WIDE_ROW_SHARE = 5  # a sheet wider than WIDE_COLUMNS may have max_rows / 5 rows


class Malformed(Exception):
    """A part that is not well-formed XML; it cannot be counted, so it is not read."""


class TooLarge(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _greater_than(limit: int) -> str:
    """A regular expression for the decimal numbers (no leading zeros) above `limit`."""
    digits = str(limit)
    options = [f"[1-9][0-9]{{{len(digits)},}}"]
    for index, digit in enumerate(digits):
        if digit != "9":
            rest = len(digits) - index - 1
            options.append(f"{digits[:index]}[{int(digit) + 1}-9][0-9]{{{rest}}}")
    return "(?:" + "|".join(options) + ")"


def _columns_beyond(limit: int) -> str:
    """A regular expression for the column letters (either case) of columns past `limit`."""

    def letter(low: int) -> str:  # letters from the low-th (1-based) on
        upper, lower = chr(64 + low), chr(96 + low)
        return f"[{upper}-Z{lower}-z]"

    first, second = divmod(limit - 1, 26)  # limit's letters: first (1-based), second (0-based)
    options = ["[A-Za-z]{3,}"]
    if first < 26:
        options.append(letter(first + 1) + "[A-Za-z]")
    if second < 25:
        options.append(f"[{chr(64 + first)}{chr(96 + first)}]" + letter(second + 2))
    return "(?:" + "|".join(options) + ")"


@dataclass
class Limits:
    """One sheet's limits, and what its cells have reached so far."""

    max_rows: int  # as the user is told it
    slack: int = 0  # rows above the header (titles, notes) that do not count
    reached_wide: bool = False  # a cell past WIDE_COLUMNS was seen
    reached_long: bool = False  # a row past long_rows was seen

    @property
    def row_limit(self) -> int:
        return self.max_rows + self.slack

    @property
    def long_rows(self) -> int:
        return max(self.row_limit // WIDE_ROW_SHARE, 1)

    def check(self, rows: int, columns: int) -> None:
        """Refuses a cell at (rows, columns), 1-based, or a grid of that size."""
        if rows > self.row_limit:
            raise too_many_rows(self.max_rows)
        if columns > MAX_COLUMNS:
            raise too_many_columns()
        self.reached_wide |= columns > WIDE_COLUMNS
        self.reached_long |= rows > self.long_rows
        if self.reached_wide and self.reached_long:
            raise too_wide_and_long(self.long_rows)


def too_many_rows(max_rows: int) -> TooLarge:
    return TooLarge(_("文件超过 %(n)d 行的上限，请拆分后导入。") % {"n": max_rows})


def too_many_columns() -> TooLarge:
    return TooLarge(
        _("工作表中有内容的单元格超过了第 %(n)d 列，请删去多余的列后再上传。") % {"n": MAX_COLUMNS}
    )


def too_wide_and_long(rows: int) -> TooLarge:
    return TooLarge(
        _("工作表超过 %(columns)d 列时最多 %(rows)d 行，请删去多余的列或拆分后导入。")
        % {"columns": WIDE_COLUMNS, "rows": rows}
    )


# A cell's reference too far, or one whose place cannot be read off it (a leading zero, an
# entity). The fast path holds for what Excel, WPS, LibreOffice and the Python writers produce:
# every cell and row opens with its reference, `<c r="B7"`, so a cell's place is its own
# reference (a row's matters only to cells without one); any other opening is counted exactly.
def _far_references(limits: Limits) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """(a cheap pattern matching at least wherever the exact one does, the exact one)."""
    if limits.reached_wide:
        threshold = limits.long_rows
        columns = rf"(?P<columns>{_columns_beyond(MAX_COLUMNS)})"
        rows = rf"(?P<wide_and_long>{_greater_than(threshold)})[\"']"
    else:
        threshold = limits.row_limit
        columns = rf"(?P<wide>{_columns_beyond(WIDE_COLUMNS)})"
        rows = rf"(?P<rows>{_greater_than(threshold)})[\"']"
    # Two letters, a leading zero, an entity, or as many digits as the threshold has: what
    # no cell of an ordinary sheet within its limits holds, at half the exact pattern's cost.
    gate = rf'<c r="[A-Za-z]?+(?:[A-Za-z]|0|[0-9]{{{len(str(threshold))}}}|[0-9]*+&)'
    exact = rf'<c r="(?:{columns}|[A-Za-z]{{0,3}}+(?:(?P<unsure>0|[0-9]*+&)|{rows}))'
    return re.compile(gate.encode()), re.compile(exact.encode())


ODD_OPENINGS = [
    re.compile(rb'<c(?! r=")[\s/>]'),
    re.compile(rb'<row(?! r=")[\s/>]'),
    re.compile(rb":(?:c|row)[\s/>]"),  # a namespace prefix
]
_OVERLAP = 64  # longer than any match that matters
_SEAM = 4096
_LONG = 1 << 20

_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_CELL_REF = re.compile(r"([A-Za-z]{0,3})0*([0-9]{1,9})")


def _check_dimension(head: bytes, limits: Limits) -> None:
    """The sheet's declared size (`<dimension ref="A1:F120"/>`, near its start)."""
    found = _DIMENSION.search(head)
    if found is None:
        return
    for ref in found.group(1).decode("ascii", "replace").split(":"):
        cell = _CELL_REF.fullmatch(ref.strip())
        if cell is None:
            continue
        letters, digits = cell.groups()
        limits.check(int(digits), column_number(letters) if letters else 1)


class _Exact(Exception):
    pass


def check_part(read: Callable[[], Iterator[bytes]], max_rows: int, slack: int) -> bool:
    """Refuses an XML part (of any name: the workbook's relations say which parts are
    sheets) holding a cell too far. `read` opens the part afresh each time it is called.
    True when the part had to be counted exactly: a cell or row without its reference first,
    or one whose reference could not be read off it."""
    limits = Limits(max_rows, slack)
    chunks = read()
    head = next(chunks, b"")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    try:
        if text.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise _Exact
        if not text.startswith(b"<"):
            for _chunk in chunks:  # not XML (an image, a binary part): only unpacked
                pass
            return False
        if _scan(chain([head], chunks), limits):
            _scan(read(), Limits(max_rows, slack, reached_wide=True))
    except _Exact:
        _count_exactly(read(), Limits(max_rows, slack))
        return True
    return False


def _windows(chunks: Iterable[bytes]) -> Iterator[tuple[bytes, int]]:
    """(bytes, end) to search: a match starting at or after `end` may be cut short by the
    window's end, and is looked for again in the next window.

    A long chunk is searched where it lies, not copied: a cut sheet's pieces are slices of
    one gigabyte. The seam after it is searched in a short window of its own, its last
    bytes and the next chunk's first; short chunks are gathered into windows."""
    pending = b""  # not yet searched: a long chunk's last bytes, or short chunks gathered
    for chunk in chunks:
        if len(chunk) > _LONG:
            if pending:
                yield pending + bytes(chunk[:_SEAM]), len(pending)
            yield chunk, len(chunk) - _OVERLAP
            pending = bytes(chunk[-_OVERLAP:])
            continue
        pending += chunk
        if len(pending) > _LONG:
            yield pending, len(pending) - _OVERLAP
            pending = pending[-_OVERLAP:]
    if pending:
        yield pending, len(pending)


def _scan(chunks: Iterable[bytes], limits: Limits) -> bool:
    """True when a cell past WIDE_COLUMNS was found (and limits does not know it yet)."""
    gate, references = _far_references(limits)
    for index, (data, end) in enumerate(_windows(chunks)):
        if index == 0:
            _check_dimension(bytes(data[:4096]), limits)
        for odd in ODD_OPENINGS:
            found = odd.search(data)
            if found and found.start() < end:
                raise _Exact
        found = gate.search(data) and references.search(data)
        if found is None or found.start() >= end:
            continue
        kind = found.lastgroup
        if kind == "unsure":
            raise _Exact
        if kind == "wide":
            return True
        if kind == "rows":
            raise too_many_rows(limits.max_rows)
        if kind == "columns":
            raise too_many_columns()
        raise too_wide_and_long(limits.long_rows)
    return False


def _count_exactly(chunks: Iterable[bytes], limits: Limits) -> None:
    """Places every cell as calamine does (its reference, else after the previous one)."""
    parser = xml.parsers.expat.ParserCreate()
    row = 0
    column = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal row, column
        local = name.rpartition(":")[2]
        if local == "row":
            given = attributes.get("r", "")
            row = int(given) if given.isdigit() else row + 1
            column = 0
            limits.check(row, 1)
        elif local == "c":
            cell = _CELL_REF.fullmatch(attributes.get("r", ""))
            if cell is not None:
                letters, digits = cell.groups()
                column = column_number(letters) if letters else column + 1
                limits.check(int(digits), column)
            else:
                column += 1
                limits.check(max(row, 1), column)

    parser.StartElementHandler = start
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as exc:
        raise Malformed from exc

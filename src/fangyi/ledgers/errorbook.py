"""Workbooks written row by row in constant memory: the error workbook returned after an
import, exports, and blank templates.

Every text cell is written as text, never as a formula, so a value such as "=HYPERLINK(…)"
that came in with a ledger cannot run in the spreadsheet of whoever opens the export.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import BinaryIO

import xlsxwriter
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

ERROR_HEADER = "错误说明"
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


# What needs more than copying into the XML: markup characters, control characters (written
# as _xHHHH_), text that already looks like such an escape, and edge whitespace.
_NEEDS_CARE = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_|^\s|\s$")


class StringRowsWorksheet(Worksheet):
    """A constant-memory worksheet that writes a row of plain text cells in one go.

    xlsxwriter spends some five microseconds per cell deciding what each cell is; a ledger
    export is twenty million text cells. This writes the same inline-string XML xlsxwriter
    writes in constant-memory mode, a row at a time, and leaves everything else (styles,
    dimensions, the package) to xlsxwriter. Cells needing escapes take xlsxwriter's own path.
    """

    # xlsxwriter's own: the last row it has written out.
    previous_row: int

    def write_strings(self, row: int, cells: list[str]) -> None:
        if row > self.previous_row:
            # Flush a row written cell by cell before (the header).
            self._write_single_row(row)
        if self._check_dimensions(row, max(len(cells) - 1, 0)):
            raise ValueError(f"row {row} is outside the worksheet")
        letters = self._column_letters(len(cells))
        number = row + 1
        parts = [f'<row r="{number}">']
        append = parts.append
        for col, text in enumerate(cells):
            if not text:
                continue
            if _NEEDS_CARE.search(text):
                text = self._escape_data(self._escape_control_characters(text))
                space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
                append(
                    f'<c r="{letters[col]}{number}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
                )
            else:
                append(f'<c r="{letters[col]}{number}" t="inlineStr"><is><t>{text}</t></is></c>')
        append("</row>")
        self.fh.write("".join(parts))
        self.previous_row = row

    def _column_letters(self, width: int) -> list[str]:
        letters = getattr(self, "_letters", None)
        if letters is None or len(letters) < width:
            letters = self._letters = [xl_col_to_name(col) for col in range(width)]
        return letters


class SheetWriter:
    def __init__(self, path: str | Path | BinaryIO, *, sheet_name: str = "Sheet1"):
        if isinstance(path, str | Path):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            path = str(path)
        self.workbook = xlsxwriter.Workbook(path, WORKBOOK_OPTIONS)
        self.sheet = self.workbook.add_worksheet(sheet_name, worksheet_class=StringRowsWorksheet)
        self.header_format = self.workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
        self.date_format = self.workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.time_format = self.workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.next_row = 0

    def header(self, cells: list[str], widths: list[int] | None = None) -> None:
        for col, text in enumerate(cells):
            self.sheet.write_string(self.next_row, col, str(text), self.header_format)
            if widths:
                self.sheet.set_column(col, col, widths[col])
        self.sheet.freeze_panes(self.next_row + 1, 0)
        self.next_row += 1

    def strings(self, cells: list[str]) -> None:
        """A row whose cells are all text (exports): the fast path."""
        self.sheet.write_strings(self.next_row, cells)
        self.next_row += 1

    def values(self, cells: list) -> None:
        """A row of cells as a reader gave them: text, numbers, dates, booleans or blanks."""
        row = self.next_row
        sheet = self.sheet
        for col, value in enumerate(cells):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(row, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value)
            elif isinstance(value, datetime.datetime):
                sheet.write_datetime(row, col, value.replace(tzinfo=None), self.time_format)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(
                    row, col, datetime.datetime.combine(value, datetime.time()), self.date_format
                )
            else:
                sheet.write_string(row, col, str(value))
        self.next_row += 1

    def close(self) -> None:
        self.workbook.close()


class ErrorBook:
    """The rows in error, as they were, with one more column saying what is wrong: fix the
    cells, delete the last column if you like, and import the file again."""

    def __init__(self, path: str | Path, headers: list[str]):
        self.path = Path(path)
        self.headers = headers
        self.writer: SheetWriter | None = None
        self.count = 0

    def add(self, number: int, cells: list, message: str) -> None:
        if self.writer is None:
            self.writer = SheetWriter(self.path, sheet_name="错误行")
            self.writer.header(
                [*self.headers, ERROR_HEADER], widths=[14] * len(self.headers) + [60]
            )
        self.writer.values(
            [*cells, _("第 %(row)d 行：%(message)s") % {"row": number, "message": message}]
        )
        self.count += 1

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

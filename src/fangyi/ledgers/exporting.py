"""Exports and templates: the same columns, in the same order, as the import reads.

Rows stream from the database a chunk at a time into xlsxwriter's constant-memory mode (or a
CSV file), so a million residents export in flat memory. Cells that a spreadsheet would take
for a formula (starting with =, +, - or @) are escaped in CSV with a leading apostrophe,
which an import of the same file removes again; in xlsx every text cell is written as text.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from django.db.models import Q
from django.utils.translation import gettext as _

from .errorbook import SheetWriter
from .registry import Ledger

PROGRESS_EVERY = 5000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_ledger(
    *,
    ledger: Ledger,
    region,
    reveal: bool,
    fmt: str,
    path: str | Path,
    filters: dict | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Writes the export to `path`; returns the number of rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    headers = [column.header for column in ledger.columns]
    rows = ledger.export_rows(region=region, reveal=reveal, filters=filters or {})
    count = 0
    if fmt == "csv":
        # Excel opens UTF-8 CSV correctly only with a byte-order mark.
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            for row in rows:
                writer.writerow([escape_formula(cell) for cell in row])
                count += 1
                if on_progress and count % PROGRESS_EVERY == 0:
                    on_progress(count)
    else:
        sheet = SheetWriter(path, sheet_name=str(ledger.title))
        sheet.header(headers, widths=[_width(c) for c in ledger.columns])
        for row in rows:
            sheet.strings(row)
            count += 1
            if on_progress and count % PROGRESS_EVERY == 0:
                on_progress(count)
        sheet.close()
    return count


def _width(column) -> int:
    return max(8, min(24, len(column.example or column.header) * 2))


def write_template(*, ledger: type[Ledger], path: str | Path | BinaryIO) -> None:
    """A blank ledger: the header row, and a second sheet explaining every column."""
    sheet = SheetWriter(path, sheet_name=str(ledger.title))
    sheet.header([c.header for c in ledger.columns], widths=[_width(c) for c in ledger.columns])
    notes = sheet.workbook.add_worksheet(_("填写说明"))
    bold = sheet.header_format
    for col, title in enumerate([_("列名"), _("必填"), _("说明"), _("也可写作"), _("示例")]):
        notes.write_string(0, col, title, bold)
    notes.set_column(0, 0, 14)
    notes.set_column(2, 4, 40)
    for number, column in enumerate(ledger.columns, start=1):
        notes.write_string(number, 0, column.header)
        notes.write_string(number, 1, _("是") if column.required else "")
        notes.write_string(number, 2, str(column.description))
        notes.write_string(number, 3, "、".join(s for s in column.synonyms if not s.isascii()))
        notes.write_string(number, 4, column.example)
    sheet.close()


def keyset_chunks(queryset, fields: list[str], *, size: int = 5000):
    """Lists of rows (tuples of `fields`) in the order of the first two fields, the second
    unique; one query per chunk, so memory stays flat and no transaction stays open across a
    million rows."""
    first, last = fields[:2]
    queryset = queryset.order_by(first, last)
    after = None
    while True:
        page = queryset
        if after is not None:
            a, b = after
            page = page.filter(
                Q(**{f"{first}__gte": a})
                & (Q(**{f"{first}__gt": a}) | Q(**{first: a, f"{last}__gt": b}))
            )
        rows = list(page.values_list(*fields)[:size])
        if not rows:
            return
        yield rows
        after = rows[-1][:2]

"""Synthetic ledger files: resident ids, spreadsheets and CSV files written and read back."""

import csv
import datetime
import struct
import zipfile
from pathlib import Path

import openpyxl

from fangyi.people.validation import make_resident_id

RESIDENT_HEADERS = ["姓名", "证件号码", "手机号", "楼栋代码", "单元", "房号"]


def synthetic_id(n: int, *, male: bool = True, born=datetime.date(1985, 3, 1)) -> str:
    """A valid, made-up resident ID; n picks the sequence number."""
    sequence = (n * 2 + (1 if male else 0)) % 1000
    return make_resident_id("350102", born + datetime.timedelta(days=n // 500), sequence)


def write_xlsx(path, rows, *, title: str | None = None):
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path, rows, *, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def read_xlsx(path) -> list[list]:
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def rewrite_sheet(path: Path, change) -> Path:
    """The workbook with its (one) sheet's XML passed through `change`."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, content in members:
            if info.filename.startswith("xl/worksheets/sheet"):
                content = change(content)
            target.writestr(info.filename, content)
    return path


def with_sheet_crc(path: Path, crc: int) -> Path:
    """The file with its sheet's CRC changed in the local header and the directory."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", raw, info.header_offset + 14, crc)
    name = info.filename.encode()
    entry = raw.index(b"PK\x01\x02")
    while raw[entry + 46 : entry + 46 + len(name)] != name:
        entry = raw.index(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", raw, entry + 16, crc)
    path.write_bytes(bytes(raw))
    return path

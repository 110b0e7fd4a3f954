"""A large sheet cut into pieces for a split import reads as the whole sheet does.

Each test writes a real workbook, reads it whole with `reading.open_table` and cut with
`cutting.open_cut` (the size below which a sheet is not cut set to nothing, and the header
looked for in its first few rows), and compares the rows, their numbers and their cells.
Where a piece may not read as the whole would, it says so (`Uncut`) instead of guessing.
"""

import datetime
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from fangyi.ledgers import cutting, normalise
from fangyi.ledgers.cutting import Uncut, open_cut
from fangyi.ledgers.reading import UnreadableFile, open_table
from tests.ledgers.support import rewrite_sheet, with_sheet_crc

KNOWN = {"姓名", "证件号码", "出生日期", "楼栋代码", "房号"}
HEADERS = ["姓名", "证件号码", "出生日期", "楼栋代码", "房号"]
MB = 1 << 20
LIMITS = {"max_bytes": 10 * MB, "max_rows": 1000, "max_unpacked_bytes": 50 * MB}


@pytest.fixture(autouse=True)
def small_sheets_are_cut(monkeypatch):
    monkeypatch.setattr(cutting, "MIN_SHEET_BYTES", 0)
    monkeypatch.setattr(cutting, "HEAD_ROWS", 5)


def score(cells: list[str]) -> int:
    return sum(normalise.header_key(cell) in KNOWN for cell in cells)


def whole(path: Path) -> list[tuple[int, list]]:
    return list(open_table(path, file_name=path.name, score_header=score, **LIMITS).rows)


def cut(path: Path, pieces: int = 3, **limits):
    return open_cut(path, pieces=pieces, score_header=score, **{**LIMITS, **limits})


def pieces_rows(table) -> list[tuple[int, list]]:
    return [row for piece in table.pieces for row in piece.rows()]


def data(n: int) -> list[list]:
    return [
        [
            f"居民{i}",
            f"ID{i:05d}",
            datetime.date(1980, 1, 1) + datetime.timedelta(days=i),
            i % 7,
            f"{i}室",
        ]
        for i in range(1, n + 1)
    ]


def write_xlsxwriter(path: Path, rows: list[list], *, start_row: int = 0) -> Path:
    # Inline strings, as the exports write them (constant memory).
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("居民")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    for index, row in enumerate(rows):
        for column, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(start_row + index, column, value, dates)
            elif value is not None:
                sheet.write(start_row + index, column, value)
    book.close()
    return path


def write_openpyxl(path: Path, rows: list[list], *, sheets_before: int = 0) -> Path:
    # Shared strings, as Excel writes them.
    book = openpyxl.Workbook()
    book.active.title = "说明"
    for n in range(sheets_before):
        book.create_sheet(f"填写说明{n}", 0).append(["请按表头填写"])
    sheet = book.create_sheet("台账")
    for row in rows:
        sheet.append(row)
    if not sheets_before:
        del book["说明"]
    book.save(path)
    return path


def test_inline_strings_cut_in_three_read_as_the_whole_sheet(tmp_path):
    rows = [["东街街道居民台账"], [], HEADERS, *data(300)]
    rows[120] = [None] * 5  # a blank row inside the data
    rows[200] = ["居民199", "ID00199", None, None, "199室", "表头外的单元格"]
    path = write_xlsxwriter(tmp_path / "a.xlsx", rows)

    table = cut(path)

    sizes = [len(list(piece.rows())) for piece in table.pieces]
    assert sum(sizes) == 299 and min(sizes) > 80
    assert table.header_row == 3 and table.headers == HEADERS
    assert pieces_rows(table) == whole(path)
    assert list(table.rows) == whole(path)
    assert table.rows_estimate == 300


@pytest.mark.parametrize("folder", ["in memory", "none"])
def test_a_piece_reads_the_same_from_a_file_or_from_memory(tmp_path, monkeypatch, folder):
    # A piece's workbook goes to an unlinked file in a folder in memory when there is
    # one; else calamine reads it from a buffer.
    spill = tmp_path / "spill"
    spill.mkdir()
    monkeypatch.setattr(
        cutting, "SPILL_FOLDER", str(spill if folder == "in memory" else spill / "x")
    )
    opened = []
    for name in ("from_path", "from_filelike"):
        real = getattr(cutting.python_calamine.CalamineWorkbook, name)

        def opening(source, real=real, name=name):
            opened.append((name, sorted(spill.iterdir())))
            return real(source)

        monkeypatch.setattr(cutting.python_calamine.CalamineWorkbook, name, opening)
    path = write_xlsxwriter(tmp_path / "a.xlsx", [HEADERS, *data(200)])

    table = cut(path, pieces=2)
    opened.clear()  # the header's copy is read from memory

    assert pieces_rows(table) == whole(path)
    read_pieces = [name for name, _files in opened[:2]]
    assert read_pieces == ["from_path" if folder == "in memory" else "from_filelike"] * 2
    assert all(files == [] for _name, files in opened)  # unlinked from the start
    assert list(spill.iterdir()) == []


def test_shared_strings_behind_another_sheet_read_as_the_whole_sheet(tmp_path):
    path = write_openpyxl(tmp_path / "b.xlsx", [HEADERS, *data(200)], sheets_before=1)

    table = cut(path, pieces=2)

    assert table.sheet_name == "台账"
    assert pieces_rows(table) == whole(path)


def test_a_piece_whose_cells_start_right_of_column_a_is_padded(tmp_path):
    rows = [HEADERS, *data(90)]
    for row in rows[60:]:
        row[0] = None  # the last piece has no names: calamine starts it at column B
    path = write_xlsxwriter(tmp_path / "c.xlsx", rows)

    table = cut(path)

    assert pieces_rows(table)[-1] == (91, ["", "ID00090", datetime.date(1980, 3, 31), 6.0, "90室"])
    assert pieces_rows(table) == whole(path)


@pytest.mark.parametrize(
    "why",
    ["small sheet", "header right of column A", "merged range across a cut", "csv"],
)
def test_what_is_not_cut(tmp_path, monkeypatch, why):
    path = tmp_path / "d.xlsx"
    if why == "small sheet":
        monkeypatch.setattr(cutting, "MIN_SHEET_BYTES", 1 * MB)
        write_xlsxwriter(path, [HEADERS, *data(100)])
    elif why == "header right of column A":
        book = xlsxwriter.Workbook(path)
        sheet = book.add_worksheet()
        for index, row in enumerate([HEADERS, *data(100)]):
            sheet.write_row(index, 2, [str(value) for value in row])
        book.close()
    elif why == "merged range across a cut":
        book = openpyxl.Workbook()
        for row in [HEADERS, *data(100)]:
            book.active.append(row)
        book.active.merge_cells("E10:E60")
        book.save(path)
    else:
        path = tmp_path / "d.csv"
        path.write_text(",".join(HEADERS) + "\n" + "张三,ID1,1990-01-01,1,101\n" * 100)

    assert cut(path) is None
    assert whole(path)


def test_a_merged_range_in_the_first_piece_is_filled_as_in_the_whole_sheet(tmp_path):
    book = openpyxl.Workbook()
    for row in [HEADERS, *data(100)]:
        book.active.append(row)
    book.active.merge_cells("D3:D6")
    path = tmp_path / "e.xlsx"
    book.save(path)

    table = cut(path)

    assert [cells[3] for _number, cells in pieces_rows(table)[1:5]] == [2, 2, 2, 2]
    assert pieces_rows(table) == whole(path)


@pytest.mark.parametrize(
    "change",
    [
        # A cell without its reference: calamine places it after the one before.
        lambda xml: xml.replace(b'<c r="B80"', b"<c", 1),
        # A row without its number: calamine numbers it after the one before.
        lambda xml: re.sub(rb'<row r="80"', b"<row", xml, count=1),
        # A comment: a "<row" in it opens no row.
        lambda xml: xml.replace(b'<row r="80"', b'<!-- <row r="1"> --><row r="80"', 1),
    ],
    ids=["cell without reference", "row without number", "comment"],
)
def test_a_piece_that_may_read_otherwise_says_so(tmp_path, change):
    path = rewrite_sheet(write_openpyxl(tmp_path / "f.xlsx", [HEADERS, *data(100)]), change)

    table = cut(path)

    with pytest.raises(Uncut):
        pieces_rows(table)
    assert len(whole(path)) == 100


def test_a_cell_too_far_in_a_piece_is_refused_before_calamine_reads_it(tmp_path):
    far = b'<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row><row r="96"'
    path = rewrite_sheet(
        write_xlsxwriter(tmp_path / "g.xlsx", [HEADERS, *data(100)]),
        lambda xml: xml.replace(b'</row><row r="96"', far, 1),
    )

    table = cut(path)

    with pytest.raises(UnreadableFile, match="列"):
        list(table.pieces[-1].rows())


def test_too_many_rows_over_the_pieces(tmp_path):
    path = write_xlsxwriter(tmp_path / "h.xlsx", [HEADERS, *data(120)])

    # Taller than the rows allowed and the header's search: refused at once, as a whole.
    with pytest.raises(UnreadableFile, match="80 行"):
        cut(path, max_rows=80)
    # Within that, the rows are counted over the pieces.
    table = cut(path, max_rows=110)
    with pytest.raises(UnreadableFile, match="110 行"):
        list(table.rows)


def test_a_sheet_that_does_not_unpack_to_what_it_says_is_corrupt(tmp_path):
    path = write_xlsxwriter(tmp_path / "i.xlsx", [HEADERS, *data(100)])
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    name_length, extra_length = struct.unpack_from("<HH", raw, info.header_offset + 26)
    packed = info.header_offset + 30 + name_length + extra_length
    raw[packed + info.compress_size // 2] ^= 0x55
    path.write_bytes(bytes(raw))

    with pytest.raises(UnreadableFile, match="损坏"):
        cut(path).verify()


def test_a_sheet_whose_crc_does_not_match_is_corrupt_before_any_row_is_read(tmp_path):
    # Checked once the parts have started (the split pass calls `verify`), or first thing
    # when the rows are read in one process.
    path = write_xlsxwriter(tmp_path / "c.xlsx", [HEADERS, *data(100)])
    with zipfile.ZipFile(path) as archive:
        crc = archive.getinfo("xl/worksheets/sheet1.xml").CRC
    with_sheet_crc(path, crc ^ 1)

    table = cut(path)

    with pytest.raises(UnreadableFile, match="损坏"):
        table.verify()
    with pytest.raises(UnreadableFile, match="损坏"):
        next(cut(path).rows)
    with_sheet_crc(path, crc)
    cut(path).verify()

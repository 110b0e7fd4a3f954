"""Reading uploaded ledgers: formats, encodings, delimiters, merged cells, header detection,
row numbers as Excel shows them, and the limits that keep a hostile file out.

`files/synthetic.xls` was written once with xlwt 1.3 (installed outside the project): a
hidden first sheet "旧表" with a full header, then "居民台账" with a title merged over B2:E2,
a header in B4:E4 (姓名, 身份证号, 出生日期, 地址), three synthetic residents in rows 5–7,
real date cells and the address merged over E5:E6.
"""

import datetime
import io
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from fangyi.ledgers import extent, normalise, reading
from fangyi.ledgers.reading import UnreadableFile, open_table
from fangyi.people.validation import make_resident_id

FILES = Path(__file__).parent / "files"
KNOWN = {"姓名", "身份证号", "证件号码", "手机号", "出生日期", "地址", "居住地址", "性别", "email"}
ID_1 = make_resident_id("350102", datetime.date(1990, 1, 1), 11)
ID_2 = make_resident_id("350102", datetime.date(1985, 6, 15), 22)
ID_3 = make_resident_id("350103", datetime.date(1950, 12, 31), 33)
MB = 1 << 20


def score(cells: list[str]) -> int:
    return sum(normalise.header_key(cell) in KNOWN for cell in cells)


def read(path, *, file_name=None, **limits) -> reading.Table:
    options = {"max_bytes": 10 * MB, "max_rows": 1000, "max_unpacked_bytes": 50 * MB}
    options.update(limits)
    return open_table(path, file_name=file_name or Path(path).name, score_header=score, **options)


def rows_of(table: reading.Table) -> list[tuple[int, list]]:
    return list(table.rows)


# ---------------------------------------------------------------------------------------
# xlsx


@pytest.fixture
def ledger_xlsx(tmp_path):
    """A grid worker's ledger as they come: the table starts at B3 under a merged title."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一网格"
    ws["B3"] = "测试社区居民台账（合成数据）"
    ws.merge_cells("B3:H3")
    # row 4 blank
    ws["B5"] = "填表说明：带*为必填"
    headers = [
        "序号",
        " 姓 名* ",
        "身份证号（ＩＤ）",
        "手机号",
        "出生日期(yyyy-mm-dd)",
        "性别",
        "居住地址",
    ]
    for col, header in enumerate(headers, start=2):
        ws.cell(row=6, column=col, value=header)
    data = {
        7: [1, "测试甲", ID_1, "13800000001", datetime.date(1990, 1, 1), "男", "测试路1号"],
        8: [2, "测试乙", ID_2, 13800000002, datetime.date(1985, 6, 15), "女", None],
        9: [3, "测试丙", int(ID_3), None, datetime.datetime(1950, 12, 31), "男", None],
        # row 10 blank
        11: [4, "测试丁", None, None, "1990/1/1", "女", "测试路2号"],
    }
    for row, values in data.items():
        for col, value in enumerate(values, start=2):
            ws.cell(row=row, column=col, value=value)
    ws["F7"].number_format = "yyyy-mm-dd"
    ws.merge_cells("H7:H9")  # one household's address over its three members
    ws.merge_cells("H11:H12")  # an address block reaching into an empty row
    path = tmp_path / "ledger.xlsx"
    wb.save(path)
    return path


def test_xlsx_ledger(ledger_xlsx):
    table = read(ledger_xlsx)
    assert table.format == "xlsx"
    assert table.sheet_name == "一网格"
    assert table.header_row == 6
    assert table.first_column == 2  # column B
    assert table.headers == [
        "序号",
        "姓 名*",
        "身份证号(ID)",
        "手机号",
        "出生日期(yyyy-mm-dd)",
        "性别",
        "居住地址",
    ]
    assert [normalise.header_key(h) for h in table.headers][1:4] == ["姓名", "身份证号", "手机号"]
    assert table.encoding == table.delimiter == ""
    rows = rows_of(table)
    assert [number for number, _cells in rows] == [7, 8, 9, 11]
    by_number = dict(rows)
    assert all(len(cells) == len(table.headers) for cells in by_number.values())
    assert by_number[7][:4] == [1.0, "测试甲", ID_1, "13800000001"]
    # Numbers come back as floats; the phone and ID parsers make text of them.
    assert normalise.phone(by_number[8][3]) == "13800000002"
    with pytest.raises(normalise.CellError, match="存成了数字"):
        normalise.id_number(by_number[9][2])
    # Date cells come back as dates (a datetime at midnight too), text as text.
    assert by_number[7][4] == datetime.date(1990, 1, 1)
    assert by_number[9][4] == datetime.date(1950, 12, 31)
    assert normalise.date(by_number[11][4]) == datetime.date(1990, 1, 1)
    # The merged address reaches every member of the household.
    assert [by_number[n][6] for n in (7, 8, 9)] == ["测试路1号"] * 3
    assert by_number[11][6] == "测试路2号"


def test_calamine_conventions_the_reader_relies_on(ledger_xlsx):
    """python-calamine 0.9: `start` is the first cell with data, 0-based (row, column);
    iter_rows starts at row 0 but at the start column; merged ranges are 0-based, inclusive
    and absolute."""
    import python_calamine

    sheet = python_calamine.CalamineWorkbook.from_path(ledger_xlsx).get_sheet_by_index(0)
    assert sheet.start == (2, 1)
    rows = list(sheet.iter_rows())
    assert rows[2][0] == "测试社区居民台账（合成数据）"  # B3
    assert rows[5][1] == " 姓 名* "  # C6
    assert sorted(sheet.merged_cell_ranges) == [
        ((2, 1), (2, 7)),
        ((6, 7), (8, 7)),
        ((10, 7), (11, 7)),
    ]


def test_xlsx_starting_at_a1_without_title(tmp_path):
    path = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "手机号"])
    wb.active.append(["测试甲", "13800000001"])
    wb.save(path)
    table = read(path)
    assert (table.header_row, table.first_column, table.headers) == (1, 1, ["姓名", "手机号"])
    assert rows_of(table) == [(2, ["测试甲", "13800000001"])]


def test_two_row_header_with_cells_merged_down(tmp_path):
    path = tmp_path / "two-rows.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["D1"] = "姓名", "联系方式", "地址"
    ws["B2"], ws["C2"] = "手机号", "座机"
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:C1")
    ws.merge_cells("D1:D2")
    ws.append(["测试甲", "13800000001", "0591-1234567", "测试路1号"])
    wb.save(path)
    table = read(path)
    assert table.header_row == 2
    assert table.headers == ["姓名", "手机号", "座机", "地址"]
    assert rows_of(table) == [(3, ["测试甲", "13800000001", "0591-1234567", "测试路1号"])]


def test_horizontal_merge_in_the_data_area_fills_every_cell(tmp_path):
    path = tmp_path / "wide.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "地址", "居住地址", "备注"])
    ws.append(["测试甲", "测试路1号", None, "无"])
    ws.append(["测试乙", "测试路2号", None, None])
    ws.merge_cells("B2:C3")
    wb.save(path)
    assert rows_of(read(path)) == [
        (2, ["测试甲", "测试路1号", "测试路1号", "无"]),
        (3, ["测试乙", "测试路1号", "测试路1号", ""]),
    ]


def test_xlsxwriter_file_with_cached_formula_values(tmp_path):
    path = tmp_path / "xlsxwriter.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("台账")
    dates = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["姓名", "身份证号", "出生日期", "地址", "手机号"])
    ws.write_row(1, 0, ["测试甲", ID_1])
    ws.write_datetime(1, 2, datetime.datetime(1990, 1, 1), dates)
    ws.merge_range("D2:D3", "测试路1号")
    ws.write_formula(1, 4, '="1380000"&"0001"', None, "13800000001")
    ws.write_row(2, 0, ["测试乙", ID_2])
    ws.write_number(2, 2, 31213, dates)  # 1985-06-15 as a serial
    wb.close()
    table = read(path)
    assert table.sheet_name == "台账"
    assert rows_of(table) == [
        (2, ["测试甲", ID_1, datetime.date(1990, 1, 1), "测试路1号", "13800000001"]),
        (3, ["测试乙", ID_2, datetime.date(1985, 6, 15), "测试路1号", ""]),
    ]


def test_formula_without_cached_value_reads_as_blank(tmp_path):
    # openpyxl writes formulas without the value Excel would have cached; calamine returns
    # only cached values, so such a cell is empty.
    path = tmp_path / "formula.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "手机号"])
    wb.active.append(["测试甲", '="1380000"&"0001"'])
    wb.active.append(["=A2", "13800000002"])
    wb.save(path)
    assert rows_of(read(path)) == [(2, ["测试甲", ""]), (3, ["", "13800000002"])]


def test_hidden_sheets_are_skipped(tmp_path):
    path = tmp_path / "hidden.xlsx"
    wb = openpyxl.Workbook()
    old = wb.active
    old.title = "旧表"
    old.append(["姓名", "身份证号", "手机号", "地址"])
    old.append(["不应读到", "", "", ""])
    old.sheet_state = "hidden"
    new = wb.create_sheet("新表")
    new.append(["姓名", "手机号"])
    new.append(["测试甲", "13800000001"])
    wb.save(path)
    table = read(path)
    assert table.sheet_name == "新表"
    assert rows_of(table) == [(2, ["测试甲", "13800000001"])]


def test_an_instructions_sheet_before_the_data_is_passed_over(tmp_path):
    path = tmp_path / "instructions.xlsx"
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "填写说明"
    notes.append(["列名", "说明"])
    notes.append(["姓名", "必填"])
    notes.append(["手机号", "11位"])
    wb.create_sheet("空表")
    data = wb.create_sheet("台账")
    data.append(["姓名", "手机号", "地址"])
    data.append(["测试甲", "13800000001", "测试路1号"])
    wb.save(path)
    table = read(path)
    assert table.sheet_name == "台账"
    assert rows_of(table) == [(2, ["测试甲", "13800000001", "测试路1号"])]


def test_workbook_without_data(tmp_path):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(UnreadableFile, match="没有数据"):
        read(path)


def test_workbook_named_for_the_other_format(tmp_path, ledger_xlsx):
    # calamine chooses its parser by file name; the reader goes by content.
    xls_named_xlsx = tmp_path / "really-xls.xlsx"
    xls_named_xlsx.write_bytes((FILES / "synthetic.xls").read_bytes())
    assert read(xls_named_xlsx).format == "xls"
    xlsx_named_xls = tmp_path / "really-xlsx.xls"
    xlsx_named_xls.write_bytes(ledger_xlsx.read_bytes())
    assert read(xlsx_named_xls).format == "xlsx"
    upload = tmp_path / "upload-3f2a.tmp"
    upload.write_bytes(ledger_xlsx.read_bytes())
    assert [n for n, _ in read(upload, file_name="台账.xlsx").rows] == [7, 8, 9, 11]


# ---------------------------------------------------------------------------------------
# xls


def test_xls_fixture():
    table = read(FILES / "synthetic.xls")
    assert table.format == "xls"
    assert table.sheet_name == "居民台账"  # the hidden "旧表" before it is skipped
    assert (table.header_row, table.first_column) == (4, 2)
    assert table.headers == ["姓名", "身份证号", "出生日期", "地址"]
    rows = rows_of(table)
    assert [number for number, _ in rows] == [5, 6, 7]
    assert rows[0][1][0] == "测试甲"
    assert rows[0][1][2] == datetime.date(1990, 1, 1)
    assert rows[1][1][2] == datetime.date(1992, 2, 29)
    assert [cells[3] for _, cells in rows] == ["测试路1号", "测试路1号", "测试路2号"]
    # xls keeps whole numbers as ints.
    assert rows[2][1][1:3] == [12345, 33000]
    assert normalise.date(rows[2][1][2]) == datetime.date(1990, 5, 7)


# ---------------------------------------------------------------------------------------
# csv


def write(path: Path, text: str, encoding="utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_utf8_with_quotes_blank_lines_and_embedded_newlines(tmp_path):
    path = write(
        tmp_path / "ledger.csv",
        "姓名,地址,手机号\r\n"
        '测试甲,"测试路1号,2单元",13800000001\r\n'
        "\r\n"
        '测试乙,"测试路\n2号",13800000002\r\n'
        ",,\r\n"
        '"测试丙","他说""你好""",13800000003\r\n',
    )
    table = read(path)
    assert (table.format, table.encoding, table.delimiter) == ("csv", "utf-8", ",")
    assert (table.sheet_name, table.header_row, table.first_column) == ("", 1, 1)
    # Row numbers count records, as Excel shows the file, not physical lines.
    assert rows_of(table) == [
        (2, ["测试甲", "测试路1号,2单元", "13800000001"]),
        (4, ["测试乙", "测试路\n2号", "13800000002"]),
        (6, ["测试丙", '他说"你好"', "13800000003"]),
    ]


def test_csv_with_bom(tmp_path):
    path = write(tmp_path / "bom.csv", "姓名,手机号\n测试甲,13800000001\n", "utf-8-sig")
    table = read(path)
    assert table.encoding == "utf-8-sig"
    assert table.headers == ["姓名", "手机号"]


def test_csv_in_gbk(tmp_path):
    path = write(tmp_path / "gbk.csv", "姓名,居住地址\n测试甲,福州市鼓楼区测试路\n", "gbk")
    table = read(path)
    assert table.encoding == "gb18030"
    assert rows_of(table) == [(2, ["测试甲", "福州市鼓楼区测试路"])]


def test_csv_in_gbk_after_a_long_ascii_start(tmp_path):
    # The first 64 KB decode as UTF-8; the whole file does not.
    lines = ["姓名,手机号"] + [f"test{i},138{i:08d}" for i in range(5000)] + ["测试甲,13800000001"]
    path = write(tmp_path / "late-gbk.csv", "\n".join(lines) + "\n", "gb18030")
    assert path.stat().st_size > 64 * 1024
    table = read(path, max_rows=10_000)
    assert table.encoding == "gb18030"
    assert rows_of(table)[-1] == (5002, ["测试甲", "13800000001"])


def test_csv_in_utf16_from_excel_unicode_text(tmp_path):
    path = write(tmp_path / "unicode.txt", "姓名\t手机号\r\n测试甲\t13800000001\r\n", "utf-16")
    table = read(path)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert rows_of(table) == [(2, ["测试甲", "13800000001"])]


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|", "，"])
def test_csv_delimiters(tmp_path, delimiter):
    lines = [
        ["测试社区居民台账"],
        ["姓名", "居住地址", "手机号"],
        ["测试甲", "测试路1号，2单元", "13800000001"],
        ["测试乙", "测试路2号", "13800000002"],
    ]
    text = "\n".join(delimiter.join(line) for line in lines) + "\n"
    if delimiter == "，":
        text = text.replace("1号，2单元", "1号2单元")
    table = read(write(tmp_path / "d.csv", text))
    assert table.delimiter == delimiter
    assert table.header_row == 2
    assert [cells[0] for _, cells in table.rows] == ["测试甲", "测试乙"]


def test_csv_comma_file_with_chinese_commas_in_cells(tmp_path):
    text = "姓名,居住地址,备注\n测试甲,测试路1号，2单元,无，无\n测试乙,测试路2号,无\n"
    table = read(write(tmp_path / "mixed.csv", text))
    assert table.delimiter == ","


def test_csv_short_and_long_rows_are_padded_and_cut(tmp_path):
    text = "姓名,手机号,地址,\n测试甲\n测试乙,13800000002,测试路2号,多余,更多\n"
    table = read(write(tmp_path / "ragged.csv", text))
    assert table.headers == ["姓名", "手机号", "地址"]
    assert rows_of(table) == [
        (2, ["测试甲", "", ""]),
        (3, ["测试乙", "13800000002", "测试路2号"]),
    ]


def test_rows_of_whitespace_only_are_blank(tmp_path):
    text = "姓名,手机号\n \u3000,\xa0\n测试甲,13800000001\n"
    assert rows_of(read(write(tmp_path / "spaces.csv", text))) == [(3, ["测试甲", "13800000001"])]


def test_csv_named_anything_is_recognised_by_content(tmp_path):
    path = write(tmp_path / "ledger.xlsx", "姓名,手机号\n测试甲,13800000001\n")
    assert read(path).format == "csv"


def test_csv_undecodable_bytes_are_refused_before_any_row(tmp_path):
    body = ("姓名,手机号\n" + "测试甲,13800000001\n" * 5000).encode("gb18030")
    path = tmp_path / "broken.csv"
    path.write_bytes(body + b"\xff\xff\n")
    with pytest.raises(UnreadableFile, match="无法识别的字符"):
        read(path, max_rows=10_000)


def test_binary_junk_at_the_start_is_not_a_csv(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes("姓名,手机号\n".encode() + b"\xff\xfe\x80\n")
    with pytest.raises(UnreadableFile, match="无法识别的文件格式"):
        read(path)


def test_csv_rows_stream(tmp_path):
    lines = "姓名,手机号\n" + "".join(f"测试{i},138{i:08d}\n" for i in range(20_000))
    table = read(write(tmp_path / "big.csv", lines), max_rows=50_000)
    first = next(table.rows)
    assert first == (2, ["测试0", "13800000000"])
    table.rows.close()


# ---------------------------------------------------------------------------------------
# header detection and limits


def test_no_recognisable_header(tmp_path):
    path = write(tmp_path / "none.csv", "甲,乙,丙\n1,2,3\n")
    with pytest.raises(UnreadableFile) as raised:
        read(path, header_search_rows=5)
    assert raised.value.message == "找不到表头：前 5 行中没有可识别的列名。"


def test_header_beyond_the_search_rows_is_not_found(tmp_path):
    text = "".join(f"说明{i}\n\n" for i in range(5)) + "姓名,手机号\n测试甲,13800000001\n"
    path = write(tmp_path / "late.csv", text)
    assert read(path, header_search_rows=6).header_row == 11  # blank lines do not count
    with pytest.raises(UnreadableFile, match="找不到表头"):
        read(path, header_search_rows=5)


def test_the_first_best_row_is_the_header(tmp_path):
    text = "姓名\n姓名,手机号\n姓名,手机号\n测试甲,13800000001\n"
    table = read(write(tmp_path / "best.csv", text))
    assert table.header_row == 2
    assert rows_of(table)[0] == (3, ["姓名", "手机号"])


def test_file_over_the_size_limit(tmp_path):
    path = write(tmp_path / "big.csv", "姓名,手机号\n" + "测试甲,13800000001\n" * 100)
    with pytest.raises(UnreadableFile, match="MB 的上限"):
        read(path, max_bytes=1000)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(UnreadableFile, match="空的"):
        read(path)


def test_too_many_rows_in_a_csv_are_refused_before_any_row(tmp_path):
    text = "标题\n\n姓名,手机号\n" + "".join(f"测试{i},138{i:08d}\n\n" for i in range(10))
    path = write(tmp_path / "many.csv", text)
    with pytest.raises(UnreadableFile) as raised:
        read(path, max_rows=9)
    assert raised.value.message == "文件超过 9 行的上限，请拆分后导入。"
    # Blank lines, the title and the header are not counted.
    table = read(path, max_rows=10)
    assert table.rows_estimate == 10 and len(rows_of(table)) == 10


def test_too_many_rows_in_a_workbook(tmp_path):
    path = tmp_path / "many.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "手机号"])
    for i in range(20):
        wb.active.append([f"测试{i}", f"138{i:08d}"])
    wb.save(path)
    # Far over the limit: refused before any row is read.
    with pytest.raises(UnreadableFile, match="文件超过 5 行的上限"):
        read(path, max_rows=5, header_search_rows=10)
    # Within the margin for titles above the header: refused while reading.
    table = read(path, max_rows=15, header_search_rows=10)
    with pytest.raises(UnreadableFile, match="文件超过 15 行的上限"):
        rows_of(table)
    assert len(rows_of(read(path, max_rows=20, header_search_rows=10))) == 20


# ---------------------------------------------------------------------------------------
# hostile and broken files


def minimal_xlsx_members() -> dict[str, bytes]:
    buffer = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "手机号"])
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_bomb_over_the_unpacked_limit(tmp_path):
    members = minimal_xlsx_members()
    members["xl/worksheets/sheet2.xml"] = bytes(20 * MB)
    path = write_zip(tmp_path / "bomb.xlsx", members)
    assert path.stat().st_size < 100_000
    with pytest.raises(UnreadableFile) as raised:
        read(path, max_unpacked_bytes=10 * MB)
    assert raised.value.message == "文件解压后过大，可能是损坏或恶意的文件。"


def test_zip_bomb_by_compression_ratio(tmp_path):
    members = minimal_xlsx_members()
    members["xl/worksheets/sheet2.xml"] = bytes(5 * MB)
    path = write_zip(tmp_path / "bomb.xlsx", members)
    with pytest.raises(UnreadableFile, match="解压后过大"):
        read(path, max_unpacked_bytes=500 * MB)


def test_zip_whose_declared_sizes_lie(tmp_path):
    members = minimal_xlsx_members()
    members["xl/worksheets/sheet2.xml"] = bytes(range(256)) * 8192  # 2 MB, deflates ~ 100×
    path = write_zip(tmp_path / "liar.xlsx", members)
    data = bytearray(path.read_bytes())
    # Claim 1000 bytes in the central directory and the local header.
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet2.xml")
    central = data.find(b"PK\x01\x02" + data[info.header_offset + 4 : info.header_offset + 8])
    while data[central + 46 : central + 46 + len(info.filename)] != info.filename.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 1000)
    struct.pack_into("<I", data, info.header_offset + 22, 1000)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet2.xml").file_size == 1000
    with pytest.raises(UnreadableFile, match="文件已损坏"):
        read(path)


def test_inflating_stops_at_the_limit(tmp_path):
    path = write_zip(tmp_path / "a.zip", {"a": bytes(3 * MB), "b": bytes(3 * MB)})
    too_big = UnreadableFile("too big")
    limits = extent.Limits(max_rows=1000)
    with zipfile.ZipFile(path) as archive:
        reading._inflate(archive, archive.infolist(), 6 * MB, too_big, limits)
        with pytest.raises(UnreadableFile) as raised:
            reading._inflate(archive, archive.infolist(), 5 * MB, too_big, limits)
    assert raised.value is too_big


def test_truncated_xlsx(tmp_path, ledger_xlsx):
    data = ledger_xlsx.read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFile, match="文件已损坏"):
        read(path)


def test_xlsx_with_garbage_inside(tmp_path):
    members = minimal_xlsx_members()
    members["xl/workbook.xml"] = b"<not xml"
    with pytest.raises(UnreadableFile, match="文件已损坏"):
        read(write_zip(tmp_path / "garbage.xlsx", members))


def test_zip_that_is_not_a_workbook(tmp_path):
    path = write_zip(tmp_path / "photos.xlsx", {"readme.txt": "姓名,手机号".encode()})
    with pytest.raises(UnreadableFile, match="无法识别的文件格式"):
        read(path)


def test_broken_ole2_file(tmp_path):
    path = tmp_path / "broken.xls"
    path.write_bytes((FILES / "synthetic.xls").read_bytes()[:1000])
    with pytest.raises(UnreadableFile, match="文件已损坏"):
        read(path)


def test_png_renamed_xlsx(tmp_path):
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    for name in ("photo.xlsx", "photo.csv"):
        path = tmp_path / name
        path.write_bytes(png)
        with pytest.raises(UnreadableFile) as raised:
            read(path)
        assert raised.value.message == "无法识别的文件格式：请上传 xlsx、xls 或 csv 文件。"


def test_random_binary_is_not_text(tmp_path):
    path = tmp_path / "noise.csv"
    path.write_bytes(bytes((i * 7919 + 13) % 251 + 1 for i in range(5000)))
    with pytest.raises(UnreadableFile, match="无法识别的文件格式"):
        read(path)

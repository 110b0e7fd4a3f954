"""Hostile or oversized ledger files: refused cleanly, never a 500, never half a file."""

import io
import json
import os
import struct
import subprocess
import sys
import time
import zipfile

import pytest
import xlsxwriter
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from fangyi.ledgers import services
from fangyi.ledgers.models import ImportJob
from fangyi.people.models import Household, Person
from tests.ledgers.support import RESIDENT_HEADERS, synthetic_id, write_csv, write_xlsx
from tests.support import client_for

pytestmark = pytest.mark.usefixtures("ledger_dir")

ON_POSTGRES = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]


@pytest.fixture
def as_officer(officer):
    return client_for(officer)


def upload(client, name: str, content: bytes, ledger="residents", **fields):
    return client.post(
        f"/api/v1/ledgers/{ledger}/imports",
        {"file": SimpleUploadedFile(name, content), **fields},
    )


def cli_import(path, *args) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command(
            "ledger",
            "import",
            "residents",
            str(path),
            "--as",
            "officer",
            "--json",
            *args,
            stdout=out,
            stderr=io.StringIO(),
        )
    except SystemExit as exc:
        return exc.code, json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def resident_rows(city, count: int, room="601"):
    code = city.building_a.code
    return [
        RESIDENT_HEADERS,
        *(["赵一", synthetic_id(n), "", code, "", room] for n in range(1, count + 1)),
    ]


def nobody_in(room: str) -> bool:
    return not Person.objects.filter(household__room=room).exists()


# Size ---------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_by_the_api(settings, as_officer, city, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", resident_rows(city, 3))
    settings.FANGYI_LEDGER_MAX_BYTES = path.stat().st_size - 1

    response = upload(as_officer, "a.xlsx", path.read_bytes())

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "file" and "上限" in error["message"] and "拆分" in error["message"]
    assert not ImportJob.objects.exists()
    assert nobody_in("601")


def test_a_file_over_the_size_limit_exits_2(settings, officer, city, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", resident_rows(city, 3))
    settings.FANGYI_LEDGER_MAX_BYTES = 1024 * 1024 // 2
    big = tmp_path / "big.csv"
    write_csv(big, resident_rows(city, 3))
    with big.open("a", encoding="utf-8") as handle:
        handle.write("," * (1024 * 1024 // 2))

    status, outcome = cli_import(big)

    assert status == 2
    assert "上限" in outcome["errors"][0]["message"] and outcome["rows"] == 0
    assert nobody_in("601")
    assert cli_import(path)[0] == 0  # a file under the limit is fine


def test_too_many_rows_are_refused_before_anything_is_written(settings, as_officer, city, tmp_path):
    settings.FANGYI_LEDGER_MAX_ROWS = 5
    path = write_xlsx(tmp_path / "a.xlsx", resident_rows(city, 8))

    job = upload(as_officer, "a.xlsx", path.read_bytes()).json()

    assert job["status"] == "failed" and "5 行" in job["message"]
    assert job["created"] == 0 and nobody_in("601")
    status, outcome = cli_import(path)
    assert status == 2 and "5 行" in outcome["errors"][0]["message"]
    assert nobody_in("601")


def test_exactly_the_row_limit_is_fine(settings, officer, city, tmp_path):
    settings.FANGYI_LEDGER_MAX_ROWS = 5

    status, outcome = cli_import(write_csv(tmp_path / "a.csv", resident_rows(city, 5)))

    assert status == 0 and outcome["created"] == 5


def test_a_csv_over_the_row_limit_writes_nothing(settings, monkeypatch, officer, city, tmp_path):
    settings.FANGYI_LEDGER_MAX_ROWS = 12
    monkeypatch.setattr("fangyi.ledgers.importing.CHUNK_ROWS", 5)

    status, outcome = cli_import(write_csv(tmp_path / "a.csv", resident_rows(city, 15)))

    assert status == 2 and "12 行" in outcome["errors"][0]["message"]
    assert nobody_in("601")


# Zip bombs ----------------------------------------------------------------------------------


def zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


WORKBOOK_XML = (
    b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main"><sheets/></workbook>'
)


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    # 64 MB of zeros deflate to about 64 KB: a thousandfold, where sheet XML manages 10-20×.
    return zip_with(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": WORKBOOK_XML,
            "xl/worksheets/sheet1.xml": bytes(64 * 1024 * 1024),
        }
    )


def test_a_zip_bomb_is_refused_quickly(as_officer, city, zip_bomb):
    assert len(zip_bomb) < 1024 * 1024
    started = time.monotonic()

    response = upload(as_officer, "台账.xlsx", zip_bomb)

    assert time.monotonic() - started < 5
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "failed" and "解压后过大" in job["message"]
    assert job["rows_read"] == 0


def test_a_zip_bomb_exits_2(officer, city, tmp_path, zip_bomb):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zip_bomb)

    status, outcome = cli_import(path)

    assert status == 2 and "解压后过大" in outcome["errors"][0]["message"]


def test_a_workbook_that_unpacks_past_the_limit_is_refused(settings, as_officer, city, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", resident_rows(city, 3))
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    settings.FANGYI_LEDGER_MAX_UNPACKED_BYTES = unpacked - 1

    job = upload(as_officer, "a.xlsx", path.read_bytes()).json()

    assert job["status"] == "failed" and "解压后过大" in job["message"]
    assert nobody_in("601")


def lying_about_size(content: bytes, member: str, declared: int) -> bytes:
    """The zip with `member`'s uncompressed size rewritten in both of its headers."""
    data = bytearray(content)
    name = member.encode()
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<I", data, local + 22, declared)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def test_a_zip_that_lies_about_its_sizes_is_refused(as_officer, city):
    honest = zip_with(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": WORKBOOK_XML,
            "xl/worksheets/sheet1.xml": bytes(8 * 1024 * 1024),
        }
    )
    bomb = lying_about_size(honest, "xl/worksheets/sheet1.xml", 1000)

    job = upload(as_officer, "台账.xlsx", bomb).json()

    # The declared size passes the ratio check; inflating it finds the lie (a CRC mismatch).
    assert job["status"] == "failed" and "损坏" in job["message"]


def test_a_zip_of_too_many_members_is_refused(settings, as_officer, city):
    settings.FANGYI_LEDGER_INLINE_BYTES = 10 * 1024 * 1024
    members = {f"xl/media/{n}.bin": b"" for n in range(10_001)}
    members["xl/workbook.xml"] = WORKBOOK_XML

    job = upload(as_officer, "台账.xlsx", zip_with(members)).json()

    assert job["status"] == "failed" and "解压后过大" in job["message"]


def test_a_zip_that_is_not_a_workbook_is_refused(as_officer, city):
    job = upload(as_officer, "台账.xlsx", zip_with({"word/document.xml": b"<w/>"})).json()

    assert job["status"] == "failed" and "无法识别的文件格式" in job["message"]


# Formulas -----------------------------------------------------------------------------------


def formula_workbook(path, city):
    """Cells that are formulas with a cached result, as Excel saves them."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, [*RESIDENT_HEADERS, "备注"])
    code = city.building_a.code
    sheet.write_row(1, 0, ["", synthetic_id(1), "", code, "", "", ""])
    sheet.write_formula(1, 0, '=CONCATENATE("赵","一")', None, "赵一")
    sheet.write_formula(1, 5, "=600+1", None, 601)
    sheet.write_formula(1, 6, "=1+1", None, "二")
    sheet.write_row(2, 0, ["赵二", "", "", code, "", "601", ""])
    sheet.write_formula(2, 1, f'="{synthetic_id(2)}"', None, synthetic_id(2))
    sheet.write_formula(2, 6, '=HYPERLINK("http://x.invalid","点我")', None, "点我")
    workbook.close()
    return path


def test_formulas_are_imported_as_their_values(as_officer, city, tmp_path):
    path = formula_workbook(tmp_path / "a.xlsx", city)

    job = upload(as_officer, "a.xlsx", path.read_bytes()).json()

    assert (job["created"], job["error_rows"]) == (2, 0), job["errors"]
    first = Person.objects.get(id_number=synthetic_id(1))
    assert (first.name, first.household.room, first.notes) == ("赵一", "601", "二")
    second = Person.objects.get(id_number=synthetic_id(2))
    assert (second.name, second.notes) == ("赵二", "点我")
    stored = list(Person.objects.values_list("name", "notes"))
    assert not any("=" in name or "=" in notes for name, notes in stored)


def test_a_formula_without_a_cached_value_is_not_read_as_its_text(officer, city, tmp_path):
    workbook = xlsxwriter.Workbook(str(tmp_path / "a.xlsx"))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, RESIDENT_HEADERS)
    sheet.write_row(1, 0, ["", synthetic_id(1), "", city.building_a.code, "", "601"])
    sheet.write_formula(1, 0, '=CONCATENATE("赵","一")', None, "")
    workbook.close()

    status, outcome = cli_import(tmp_path / "a.xlsx")

    assert status == 1
    assert outcome["errors"][0]["column"] == "姓名"
    assert not Person.objects.filter(name__contains="CONCATENATE").exists()


# NUL and other control characters -----------------------------------------------------------


def nul_workbook(path, city, headers=RESIDENT_HEADERS):
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    code = city.building_a.code
    sheet.write_row(0, 0, headers)
    sheet.write_row(1, 0, ["赵\x00一", synthetic_id(1), "", code, "", "601"])
    sheet.write_row(2, 0, ["赵二", synthetic_id(2), "", code, "", "60\x001"])
    sheet.write_row(3, 0, ["赵三", synthetic_id(3), "", code, "", "601"])
    workbook.close()
    return path


def test_a_nul_in_a_cell_is_a_row_error_not_a_500(as_officer, city, tmp_path):
    path = nul_workbook(tmp_path / "a.xlsx", city)

    response = upload(as_officer, "a.xlsx", path.read_bytes())

    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "done" and (job["created"], job["error_rows"]) == (1, 2)
    nul_errors = [e for e in job["errors"] if "空字符" in e["message"]]
    assert {(e["row"], e["column"]) for e in nul_errors} == {(2, "姓名"), (3, "房号")}
    assert Person.objects.get(household__room="601").name == "赵三"
    # (Checked in Python: SQLite's LIKE stops at a NUL and PostgreSQL refuses one.)
    assert not any("\x00" in name for name in Person.objects.values_list("name", flat=True))
    assert not any("\x00" in room for room in Household.objects.values_list("room", flat=True))
    errors = as_officer.get(job["errors_url"])
    assert errors.status_code == 200


def test_a_nul_in_a_csv_cell_is_a_row_error(officer, city, tmp_path):
    # Far enough in that the format sniffing (the first 64 KB) does not see it.
    path = write_csv(tmp_path / "a.csv", resident_rows(city, 1))
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(",,,,,\r\n" * 12_000)
        handle.write(f"赵\x00二,{synthetic_id(2)},,{city.building_a.code},,602\r\n")

    status, outcome = cli_import(path)

    assert status == 1
    assert outcome["created"] == 1
    assert any("空字符" in e["message"] and e["column"] == "姓名" for e in outcome["errors"])
    assert nobody_in("602")


def test_a_nul_in_a_header_cell_does_not_break_the_job(as_officer, city, tmp_path):
    path = nul_workbook(tmp_path / "a.xlsx", city, headers=[*RESIDENT_HEADERS, "备\x00注"])

    response = upload(as_officer, "a.xlsx", path.read_bytes())

    assert response.status_code == 202
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == "done" and job.created == 1 and job.finished_at is not None
    # The NUL is dropped from the header, which then names the notes column.
    assert job.unknown_columns == []


def test_a_nul_in_the_file_name_is_harmless(as_officer, city, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", resident_rows(city, 1))

    response = upload(as_officer, "台\x00账.xlsx", path.read_bytes())

    assert response.status_code == 202
    assert "\x00" not in response.json()["file_name"]
    assert response.json()["status"] == "done"


def test_a_huge_csv_cell_is_refused_cleanly(officer, city, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [*resident_rows(city, 1), ["赵二", synthetic_id(2), "", "", "", "x" * 300_000]],
    )

    status, outcome = cli_import(path)

    assert status == 2, outcome
    assert "格式错误" in outcome["errors"][0]["message"]
    assert nobody_in("601") and not Person.objects.filter(id_number=synthetic_id(2)).exists()


def test_a_text_file_posing_as_a_workbook_is_refused(as_officer, city):
    response = upload(as_officer, "a.xlsx", b"<script>alert(1)</script>\n" * 10)

    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "failed" and job["message"]


def test_services_refuse_an_upload_over_the_limit_without_storing_it(
    settings, officer, city, ledger_dir
):
    settings.FANGYI_LEDGER_MAX_BYTES = 10

    with pytest.raises(ValidationError):
        services.start_import(
            actor=officer, ledger="residents", upload=SimpleUploadedFile("a.csv", b"x" * 11)
        )
    assert not ledger_dir.exists() or not any(ledger_dir.rglob("upload"))


def test_an_oversized_upload_is_dropped_on_arrival(settings, as_officer, city, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", resident_rows(city, 3))
    settings.FANGYI_LEDGER_MAX_BYTES = path.stat().st_size // 2
    stored_before = (
        set(settings.FANGYI_LEDGER_DIR.rglob("*")) if settings.FANGYI_LEDGER_DIR.exists() else set()
    )

    response = upload(as_officer, "a.xlsx", path.read_bytes())

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "file" and "上限" in error["message"]
    assert not ImportJob.objects.exists()
    stored_after = (
        set(settings.FANGYI_LEDGER_DIR.rglob("*")) if settings.FANGYI_LEDGER_DIR.exists() else set()
    )
    assert stored_after == stored_before


# Sheets that reach too far ------------------------------------------------------------------
# calamine lays a sheet out as a dense grid up to its last cell: one cell at XFD1048576 asks for
# 512 GiB and aborts the process.

SHEET_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
)


def inline_row(number: int, cells: list[str], *, refs=True) -> str:
    out = []
    for index, value in enumerate(cells):
        ref = f' r="{column_letters(index + 1)}{number}"' if refs else ""
        out.append(f'<c{ref} t="inlineStr"><is><t>{value}</t></is></c>')
    return f'<row r="{number}">{"".join(out)}</row>'


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def workbook_with_sheet(tmp_path, city, *, dimension: str, extra: str, refs=True) -> bytes:
    """A real three-row ledger whose sheet XML is replaced: its rows, then `extra`."""
    path = write_xlsx(tmp_path / "base.xlsx", resident_rows(city, 1))
    rows = [RESIDENT_HEADERS, ["赵一", synthetic_id(1), "", city.building_a.code, "", "601"]]
    xml = SHEET_XML.format(
        dimension=dimension,
        rows="".join(inline_row(n, cells, refs=refs) for n, cells in enumerate(rows, 1)) + extra,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = xml.encode()
            out.writestr(info.filename, data)
    return buffer.getvalue()


def far_cell_bomb(tmp_path, city, *, dimension="A1:XFD1048576") -> bytes:
    return workbook_with_sheet(
        tmp_path,
        city,
        dimension=dimension,
        extra='<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    )


def test_a_far_cell_bomb_is_a_refused_dry_run_and_the_process_lives(as_officer, city, tmp_path):
    bomb = far_cell_bomb(tmp_path, city)
    assert len(bomb) < 16 * 1024

    response = upload(as_officer, "台账.xlsx", bomb, dry_run="true")

    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "failed" and "200 列" in job["message"]
    assert nobody_in("601")


def test_a_far_cell_bomb_exits_2_from_the_command(officer, city, tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(far_cell_bomb(tmp_path, city))

    status, outcome = cli_import(path)

    assert status == 2 and "200 列" in outcome["errors"][0]["message"]
    assert nobody_in("601")


def test_a_far_cell_behind_a_modest_dimension_is_found_in_the_cells(as_officer, city, tmp_path):
    bomb = far_cell_bomb(tmp_path, city, dimension="A1:F2")

    job = upload(as_officer, "台账.xlsx", bomb).json()

    assert job["status"] == "failed" and "200 列" in job["message"]
    assert nobody_in("601")


def test_a_row_past_the_limit_is_refused_before_reading(settings, as_officer, city, tmp_path):
    settings.FANGYI_LEDGER_MAX_ROWS = 1000
    bomb = workbook_with_sheet(
        tmp_path,
        city,
        dimension="A1:F2",
        extra='<row r="900000"><c r="A900000" t="inlineStr"><is><t>x</t></is></c></row>',
    )

    job = upload(as_officer, "台账.xlsx", bomb).json()

    assert job["status"] == "failed" and "1000 行" in job["message"]


def test_a_declared_dimension_past_the_limits_is_refused(as_officer, city, tmp_path):
    job = upload(
        as_officer, "台账.xlsx", workbook_with_sheet(tmp_path, city, dimension="A1:ZZ9", extra="")
    ).json()

    assert job["status"] == "failed" and "200 列" in job["message"]


def test_cells_without_references_are_counted(as_officer, city, tmp_path):
    cells = "".join('<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(300))
    bomb = workbook_with_sheet(
        tmp_path, city, dimension="A1:F3", extra=f'<row r="3">{cells}</row>', refs=False
    )

    job = upload(as_officer, "台账.xlsx", bomb).json()

    assert job["status"] == "failed" and "200 列" in job["message"]


def test_a_wide_sheet_may_have_fewer_rows(settings, as_officer, city, tmp_path):
    settings.FANGYI_LEDGER_MAX_ROWS = 1000
    wide = '<row r="3"><c r="AZ3" t="inlineStr"><is><t>x</t></is></c></row>'
    long = '<row r="600"><c r="A600" t="inlineStr"><is><t>x</t></is></c></row>'

    refused = upload(
        as_officer,
        "台账.xlsx",
        workbook_with_sheet(tmp_path, city, dimension="A1", extra=wide + long),
    ).json()
    wide_only = upload(
        as_officer,
        "台账.xlsx",
        workbook_with_sheet(tmp_path, city, dimension="A1", extra=wide),
        dry_run="true",
    ).json()

    assert refused["status"] == "failed" and "40 列时最多 206 行" in refused["message"]
    assert wide_only["status"] == "done"


def test_reading_a_far_cell_bomb_does_not_abort_the_process(city, tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(far_cell_bomb(tmp_path, city))
    script = (
        "from fangyi.ledgers.reading import UnreadableFile, open_table\n"
        "try:\n"
        f"    open_table({str(path)!r}, file_name='a.xlsx', score_header=len, max_bytes=1 << 30,"
        " max_rows=2_000_000, max_unpacked_bytes=1 << 30)\n"
        "except UnreadableFile as exc:\n"
        "    print(exc.message)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}

    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{script}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert "200 列" in done.stdout


def test_a_name_no_one_has_is_a_row_error_with_its_row_number(officer, city, tmp_path):
    rows = resident_rows(city, 3)
    rows[2][0] = "王\u202e明"  # a right-to-left override, on the file's row 3
    rows[3][0] = "\u3000\u3000"

    status, outcome = cli_import(write_csv(tmp_path / "a.csv", rows))

    errors = {(error["row"], error["column"]) for error in outcome["errors"]}
    assert errors == {(3, "姓名"), (4, "姓名")}
    assert "不可见字符" in outcome["errors"][0]["message"]
    assert outcome["created"] == 1

"""The ledger API: imports and exports as jobs, templates, and every bad input a clean 4xx."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fangyi.core.models import AccessEvent, ObjectChange
from fangyi.ledgers import services
from fangyi.ledgers.models import ImportJob
from fangyi.ledgers.registry import LEDGERS
from fangyi.people.models import Person
from tests.ledgers.support import RESIDENT_HEADERS, synthetic_id, write_csv, write_xlsx
from tests.support import client_for, run_queued_tasks, send

from ..factories import staff

pytestmark = pytest.mark.usefixtures("ledger_dir")

IMPORTS = "/api/v1/ledgers/{ledger}/imports"
EXPORTS = "/api/v1/ledgers/{ledger}/exports"


def xlsx_upload(tmp_path, rows, name="居民台账.xlsx") -> SimpleUploadedFile:
    path = write_xlsx(tmp_path / "upload.xlsx", rows)
    return SimpleUploadedFile(name, path.read_bytes())


def post_import(client, upload, ledger="residents", **fields):
    return client.post(IMPORTS.format(ledger=ledger), {"file": upload, **fields})


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def workbook_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def new_residents(city, *numbers):
    code = city.building_a.code
    return [
        RESIDENT_HEADERS,
        *(
            ["赵" + "一二三四五六七八九"[n % 9], synthetic_id(n), "", code, "", "801"]
            for n in numbers
        ),
    ]


@pytest.fixture
def as_officer(officer):
    return client_for(officer)


@pytest.fixture
def as_worker_a(worker_a):
    return client_for(worker_a)


# Listing and templates ----------------------------------------------------------------------


def test_the_ledgers_are_listed_with_their_columns(as_officer, city):
    response = as_officer.get("/api/v1/ledgers")

    assert response.status_code == 200
    ledgers = {ledger["slug"]: ledger for ledger in response.json()}
    assert {"regions", "households", "residents", "lab-results"} <= set(ledgers)
    residents = ledgers["residents"]
    assert residents["title"] == "居民台账"
    headers = [c["header"] for c in residents["columns"]]
    assert headers[:3] == ["姓名", "证件类型", "证件号码"]
    required = {c["header"] for c in residents["columns"] if c["required"]}
    assert required == {"姓名", "证件号码"}
    assert (
        "身份证号" in next(c for c in residents["columns"] if c["key"] == "id_number")["synonyms"]
    )


def test_the_ledger_list_needs_a_token(city):
    assert Client().get("/api/v1/ledgers").status_code == 401


@pytest.mark.parametrize("ledger", ["regions", "households", "residents"])
def test_a_template_is_an_xlsx_with_the_header_row(as_officer, city, ledger):
    response = as_officer.get(f"/api/v1/ledgers/{ledger}/template")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = workbook_rows(body_of(response))
    assert rows == [[c.header for c in LEDGERS[ledger].columns]]


# Imports ------------------------------------------------------------------------------------


def test_a_small_import_answers_202_with_the_finished_job(as_officer, officer, city, tmp_path):
    upload = xlsx_upload(tmp_path, new_residents(city, 1, 2))

    response = post_import(as_officer, upload)

    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "done" and job["dry_run"] is False
    assert (job["created"], job["updated"], job["unchanged"], job["error_rows"]) == (2, 0, 0, 0)
    assert job["rows_read"] == 2 and job["percent"] == 100
    assert job["errors"] == [] and job["errors_url"] is None and job["commit_url"] is None
    assert job["file_name"] == "居民台账.xlsx" and len(job["sha256"]) == 64
    assert Person.objects.filter(id_number=synthetic_id(1), household__room="801").exists()
    stored = ImportJob.objects.get(pk=job["id"])
    assert stored.actor == officer
    assert ObjectChange.objects.filter(object_id=job["id"], via="api").exists()

    polled = as_officer.get(f"/api/v1/ledgers/imports/{job['id']}")
    assert polled.status_code == 200
    assert polled.json()["created"] == 2 and polled.json()["status"] == "done"


def test_a_dry_run_writes_nothing_until_it_is_committed(as_officer, city, tmp_path):
    upload = xlsx_upload(tmp_path, new_residents(city, 1, 2))

    response = post_import(as_officer, upload, dry_run="true")

    preview = response.json()
    assert response.status_code == 202
    assert preview["dry_run"] is True and preview["status"] == "done"
    assert preview["created"] == 2
    assert not Person.objects.filter(id_number=synthetic_id(1)).exists()
    assert preview["commit_url"] == f"/api/v1/ledgers/imports/{preview['id']}/commit"

    committed = as_officer.post(preview["commit_url"])

    assert committed.status_code == 202
    job = committed.json()
    assert job["dry_run"] is False and job["preview"] == preview["id"]
    assert job["status"] == "done" and job["created"] == 2
    assert Person.objects.filter(id_number__in=[synthetic_id(1), synthetic_id(2)]).count() == 2


def test_only_a_finished_dry_run_can_be_committed(as_officer, city, tmp_path):
    job = post_import(as_officer, xlsx_upload(tmp_path, new_residents(city, 1))).json()

    response = as_officer.post(f"/api/v1/ledgers/imports/{job['id']}/commit")

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "preview"
    assert Person.objects.filter(id_number=synthetic_id(1)).count() == 1


def test_all_or_nothing_refuses_the_file_over_the_api(as_officer, city, tmp_path):
    rows = [*new_residents(city, 1), ["坏", "123", "", city.building_a.code, "", "801"]]

    response = post_import(as_officer, xlsx_upload(tmp_path, rows), all_or_nothing="true")

    job = response.json()
    assert response.status_code == 202
    assert job["status"] == "refused" and job["all_or_nothing"] is True
    assert job["rows_written"] == 0 and job["error_rows"] == 1
    assert "整个文件未导入" in job["message"]
    assert not Person.objects.filter(id_number=synthetic_id(1)).exists()


def test_a_refused_file_reports_nothing_created(as_officer, city, tmp_path):
    rows = [*new_residents(city, 1), ["坏", "123", "", city.building_a.code, "", "801"]]

    job = post_import(as_officer, xlsx_upload(tmp_path, rows), all_or_nothing="true").json()

    assert job["status"] == "refused"
    assert (job["created"], job["updated"], job["households_created"]) == (0, 0, 0)


def test_row_errors_come_back_with_an_error_workbook(as_officer, city, tmp_path):
    bad = ["钱七", "350102198503011230", "12345", city.building_a.code, "", "801"]
    rows = [*new_residents(city, 1), bad]

    job = post_import(as_officer, xlsx_upload(tmp_path, rows)).json()

    assert job["status"] == "done"
    assert (job["created"], job["error_rows"]) == (1, 1)
    assert {e["row"] for e in job["errors"]} == {3}
    assert {e["column"] for e in job["errors"]} == {"证件号码", "手机号"}
    assert all(e["message"] for e in job["errors"])
    assert job["errors_url"] == f"/api/v1/ledgers/imports/{job['id']}/errors"

    response = as_officer.get(job["errors_url"])

    assert response.status_code == 200
    rows_back = workbook_rows(body_of(response))
    assert rows_back[0] == [*RESIDENT_HEADERS, "错误说明"]
    assert len(rows_back) == 2
    assert rows_back[1][:4] == ["钱七", "350102198503011230", "12345", city.building_a.code]
    assert rows_back[1][-1].startswith("第 3 行") and "手机号" in rows_back[1][-1]


def test_the_job_shows_100_errors_and_the_workbook_has_them_all(as_officer, city, tmp_path):
    rows = [RESIDENT_HEADERS, *(["坏", str(n), "", "", "", ""] for n in range(150))]

    job = post_import(as_officer, xlsx_upload(tmp_path, rows)).json()

    assert job["error_rows"] == 150 and len(job["errors"]) == 100
    assert job["errors"][0]["row"] == 2
    workbook = workbook_rows(body_of(as_officer.get(job["errors_url"])))
    assert len(workbook) == 151 and workbook[-1][-1].startswith("第 151 行")


def test_a_csv_upload_is_imported(as_officer, city, tmp_path):
    path = write_csv(tmp_path / "a.csv", new_residents(city, 3), encoding="gb18030")

    response = post_import(as_officer, SimpleUploadedFile("台账.csv", path.read_bytes()))

    assert response.status_code == 202
    assert response.json()["created"] == 1
    assert Person.objects.get(id_number=synthetic_id(3)).name == "赵四"


def test_a_worker_imports_only_into_their_grid(as_worker_a, city, tmp_path):
    rows = [
        RESIDENT_HEADERS,
        ["赵一", synthetic_id(1), "", city.building_a.code, "", "801"],
        ["赵二", synthetic_id(2), "", city.building_b.code, "", "801"],
    ]

    job = post_import(as_worker_a, xlsx_upload(tmp_path, rows)).json()

    assert (job["created"], job["error_rows"]) == (1, 1)
    assert job["errors"][0]["row"] == 3
    assert not Person.objects.filter(id_number=synthetic_id(2)).exists()


# Bad input ----------------------------------------------------------------------------------


def test_an_unknown_ledger_is_a_clean_422(as_officer, city, tmp_path):
    upload = xlsx_upload(tmp_path, new_residents(city, 1))

    responses = [
        post_import(as_officer, upload, ledger="people"),
        send(as_officer, "post", EXPORTS.format(ledger="people"), {"region": city.grid_a.code}),
        as_officer.get("/api/v1/ledgers/people/template"),
    ]

    for response in responses:
        assert response.status_code == 422, response.content
        assert response["Content-Type"].startswith("application/json")
        detail = response.json()["detail"]
        assert detail[0]["field"] == "ledger" and "residents" in detail[0]["message"]
    assert not ImportJob.objects.exists()


def test_a_missing_file_is_422(as_officer, city):
    response = as_officer.post(IMPORTS.format(ledger="residents"), {"dry_run": "true"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "file"


def test_an_empty_file_is_422(as_officer, city):
    response = post_import(as_officer, SimpleUploadedFile("空.xlsx", b""))

    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "file", "message": "文件是空的。"}]
    assert not ImportJob.objects.exists()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 200


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("照片.xlsx", PNG),
        ("文档.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 4),
        ("程序.csv", bytes(range(256)) * 4),
    ],
)
def test_a_file_that_is_no_spreadsheet_is_422(settings, as_officer, city, name, content):
    for inline_bytes in (1024 * 1024, 0):  # whether it would run now or in the worker
        settings.FANGYI_LEDGER_INLINE_BYTES = inline_bytes

        response = post_import(as_officer, SimpleUploadedFile(name, content))

        assert response.status_code == 422
        assert response.json()["detail"] == [
            {"field": "file", "message": "无法识别的文件格式：请上传 xlsx、xls 或 csv 文件。"}
        ]
    assert not ImportJob.objects.exists()


def test_a_role_without_import_rights_hears_403_before_422(city):
    volunteer = staff("volunteer", city.grid_a, username="volunteer_a")

    response = post_import(client_for(volunteer), SimpleUploadedFile("照片.xlsx", PNG))

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("坏.xlsx", b"PK\x03\x04" + b"\x00" * 400, "文件已损坏"),
        ("表.csv", "只是一段文字，没有表头。\n".encode() * 3, "找不到表头"),
    ],
)
def test_a_file_that_cannot_be_read_gives_a_failed_job(as_officer, city, name, content, message):
    response = post_import(as_officer, SimpleUploadedFile(name, content))

    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "failed" and message in job["message"]
    assert job["created"] == 0 and job["rows_read"] == 0 and job["percent"] == 100


def test_a_file_without_required_columns_fails_with_the_reason(as_officer, city, tmp_path):
    upload = xlsx_upload(tmp_path, [["姓名", "手机号"], ["赵一", "13700000001"]])

    job = post_import(as_officer, upload).json()

    assert job["status"] == "failed"
    assert "证件号码" in job["message"]


def test_a_role_without_import_rights_is_refused(city, tmp_path):
    volunteer = staff("volunteer", city.grid_a, username="volunteer_a")

    response = post_import(client_for(volunteer), xlsx_upload(tmp_path, new_residents(city, 1)))

    assert response.status_code == 403
    assert "detail" in response.json()
    assert not ImportJob.objects.exists()


def test_another_users_job_is_404(as_officer, as_worker_a, city, tmp_path):
    upload = xlsx_upload(tmp_path, [*new_residents(city, 1), ["坏", "123", "", "", "", ""]])
    job = post_import(as_worker_a, upload, dry_run="true").json()
    assert job["errors_url"]

    for response in (
        as_officer.get(f"/api/v1/ledgers/imports/{job['id']}"),
        as_officer.get(job["errors_url"]),
        as_officer.post(job["commit_url"]),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。"}
    assert ImportJob.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/ledgers/imports/not-a-uuid"),
        ("get", "/api/v1/ledgers/imports/12345"),
        ("get", "/api/v1/ledgers/imports/not-a-uuid/errors"),
        ("post", "/api/v1/ledgers/imports/not-a-uuid/commit"),
        ("get", "/api/v1/ledgers/exports/not-a-uuid"),
        ("get", "/api/v1/ledgers/exports/not-a-uuid/file"),
        ("get", "/api/v1/ledgers/imports/00000000-0000-0000-0000-000000000000"),
        ("get", "/api/v1/ledgers/exports/00000000-0000-0000-0000-000000000000/file"),
    ],
)
def test_a_malformed_or_unknown_job_id_is_a_json_404(as_officer, city, method, url):
    response = getattr(as_officer, method)(url)

    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_the_error_workbook_of_a_clean_import_is_404(as_officer, city, tmp_path):
    job = post_import(as_officer, xlsx_upload(tmp_path, new_residents(city, 1))).json()

    response = as_officer.get(f"/api/v1/ledgers/imports/{job['id']}/errors")

    assert response.status_code == 404


# Exports ------------------------------------------------------------------------------------


def start_export(client, ledger="residents", **body):
    return send(client, "post", EXPORTS.format(ledger=ledger), body)


def test_an_export_is_masked_by_default(as_officer, officer, city):
    response = start_export(as_officer, region=city.community.code)

    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "done" and job["revealed"] is False
    assert job["region"] == city.community.code and job["format"] == "xlsx"
    assert job["rows_written"] == 2 and job["percent"] == 100
    assert job["download_url"] == f"/api/v1/ledgers/exports/{job['id']}/file"
    polled = as_officer.get(f"/api/v1/ledgers/exports/{job['id']}").json()
    assert polled["download_url"] == job["download_url"]

    download = as_officer.get(job["download_url"])

    assert download.status_code == 200
    rows = workbook_rows(body_of(download))
    headers = rows[0]
    assert headers == [c.header for c in LEDGERS["residents"].columns]
    by_name = {row[headers.index("姓名")]: row for row in rows[1:]}
    assert set(by_name) == {"王*明", "李*英"}
    row = by_name["王*明"]
    number = city.person_a.id_number
    assert row[headers.index("证件号码")] == number[:4] + "*" * 10 + number[-4:]
    assert row[headers.index("手机号")] == "138****0001"
    text = download_text(rows)
    assert "王小明" not in text and number not in text and "13800000001" not in text
    event = AccessEvent.objects.get(kind="export")
    assert event.actor == officer and event.fields == []


def download_text(rows) -> str:
    return "\n".join(",".join(str(c) for c in row if c is not None) for row in rows)


def test_an_export_with_a_reason_is_plain_and_logged(as_officer, officer, city):
    job = start_export(
        as_officer, region=city.grid_a.code, format="csv", reveal_reason="核对疫苗接种名单"
    ).json()

    assert job["revealed"] is True and job["format"] == "csv"
    download = as_officer.get(job["download_url"])
    text = body_of(download).decode("utf-8-sig")
    assert "王小明" in text and city.person_a.id_number in text and "13800000001" in text
    assert "李秀英" not in text
    event = AccessEvent.objects.get(kind="export")
    assert event.actor == officer and event.reason == "核对疫苗接种名单"
    assert event.fields == ["name", "id_number", "phone"]
    assert event.via == "api"


def test_a_region_outside_scope_is_404(as_worker_a, city):
    for code in (city.grid_b.code, city.community.code, "999999999"):
        response = start_export(as_worker_a, region=code)
        assert response.status_code == 404, code
        assert response.json() == {"detail": "未找到。"}
    assert not AccessEvent.objects.exists()


def test_a_role_without_export_rights_is_403(city):
    volunteer = staff("volunteer", city.grid_a, username="volunteer_a")

    response = start_export(client_for(volunteer), region=city.grid_a.code)

    assert response.status_code == 403
    assert isinstance(response.json()["detail"], str)
    assert not AccessEvent.objects.exists()


def test_export_input_is_checked(as_officer, city):
    for body, field in (
        ({"region": city.grid_a.code, "format": "pdf"}, "format"),
        ({"region": city.grid_a.code, "colour": "red"}, "colour"),
        ({}, "region"),
        ({"region": city.grid_a.code, "reveal_reason": "x\x00"}, "reveal_reason"),
    ):
        response = start_export(as_officer, **body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["field"] == field


def test_another_users_export_is_404(as_officer, as_worker_a, city):
    job = start_export(as_worker_a, region=city.grid_a.code).json()

    assert as_officer.get(f"/api/v1/ledgers/exports/{job['id']}").status_code == 404
    assert as_officer.get(job["download_url"]).status_code == 404
    assert as_worker_a.get(job["download_url"]).status_code == 200


# Background jobs ----------------------------------------------------------------------------


@pytest.mark.tasks
@pytest.mark.django_db(transaction=True)
def test_a_large_import_is_queued_and_run_by_the_worker(settings, city, officer, tmp_path):
    settings.FANGYI_LEDGER_INLINE_BYTES = 0
    client = client_for(officer)
    rows = [*new_residents(city, *range(1, 31)), ["坏", "123", "", city.building_a.code, "", "1"]]

    response = post_import(client, xlsx_upload(tmp_path, rows))

    assert response.status_code == 202
    queued = response.json()
    assert queued["status"] == "queued" and queued["percent"] == 0
    assert queued["rows_read"] == 0 and queued["created"] == 0
    assert not Person.objects.filter(id_number=synthetic_id(1)).exists()

    run_queued_tasks()

    job = client.get(f"/api/v1/ledgers/imports/{queued['id']}").json()
    assert job["status"] == "done", job["message"]
    assert (job["rows_read"], job["created"], job["error_rows"]) == (31, 30, 1)
    assert job["rows_written"] == 30 and job["percent"] == 100
    assert job["finished_at"] is not None and job["households_created"] == 1
    assert job["errors_url"] and job["errors"][0]["row"] == 32
    assert Person.objects.filter(household__room="801").count() == 30
    summary = ObjectChange.objects.get(object_id=queued["id"])
    assert summary.actor == officer and summary.via == "task"


@pytest.mark.tasks
@pytest.mark.django_db(transaction=True)
def test_the_worker_reports_progress_while_it_runs(settings, monkeypatch, city, officer, tmp_path):
    settings.FANGYI_LEDGER_INLINE_BYTES = 0
    monkeypatch.setattr("fangyi.ledgers.importing.CHUNK_ROWS", 10)
    seen = []
    original = services._progress

    def watched(job):
        update = original(job)

        def report(result):
            update(result)
            stored = ImportJob.objects.get(pk=job.pk)
            seen.append((stored.status, stored.rows_read, stored.rows_total, stored.percent))

        return report

    monkeypatch.setattr(services, "_progress", watched)
    client = client_for(officer)
    queued = post_import(client, xlsx_upload(tmp_path, new_residents(city, *range(1, 36)))).json()

    run_queued_tasks()

    assert [rows for _status, rows, _total, _percent in seen] == [10, 20, 30, 35]
    assert {status for status, *_rest in seen} == {"running"}
    assert all(total == 35 for _s, _r, total, _p in seen)
    percents = [percent for *_rest, percent in seen]
    assert percents == sorted(percents) and percents[0] > 0 and percents[-1] <= 99
    job = client.get(f"/api/v1/ledgers/imports/{queued['id']}").json()
    assert (job["status"], job["rows_total"], job["percent"]) == ("done", 35, 100)


@pytest.mark.tasks
@pytest.mark.django_db(transaction=True)
def test_a_large_export_is_queued_and_written_by_the_worker(settings, city, officer):
    settings.FANGYI_LEDGER_INLINE_EXPORT_ROWS = 1
    client = client_for(officer)

    response = start_export(client, region=city.community.code, format="csv")

    assert response.status_code == 202
    queued = response.json()
    assert (queued["status"], queued["rows_total"], queued["percent"]) == ("queued", 2, 0)
    assert queued["download_url"] is None
    assert AccessEvent.objects.filter(kind="export").count() == 1

    run_queued_tasks()

    job = client.get(f"/api/v1/ledgers/exports/{queued['id']}").json()
    assert (job["status"], job["rows_written"], job["percent"]) == ("done", 2, 100)
    download = client.get(job["download_url"])
    assert download.status_code == 200
    lines = body_of(download).decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and "王*明" in lines[1] + lines[2]

"""The ledger pages: upload, dry run, commit, error workbook, export, template, history."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangyi.core.models import AccessEvent
from fangyi.ledgers import services, views
from fangyi.ledgers.models import ExportJob, ImportJob
from fangyi.people.models import Person
from tests.ledgers.support import RESIDENT_HEADERS, synthetic_id
from tests.support import signed_in

from ..factories import UserFactory, staff

pytestmark = pytest.mark.usefixtures("ledger_dir")


@pytest.fixture
def volunteer_a(city):
    return staff("volunteer", city.grid_a, username="volunteer_a")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bad_id(n: int) -> str:
    number = synthetic_id(n)
    return number[:17] + ("0" if number[17] != "0" else "1")


def workbook(rows, name="居民.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def residents_file(city, name="居民.xlsx") -> SimpleUploadedFile:
    code = city.building_a.code
    return workbook(
        [
            RESIDENT_HEADERS,
            ["赵一", synthetic_id(1), "13700000001", code, "2", "301"],
            ["赵二", synthetic_id(2, male=False), "", code, "2", "301"],
            ["钱三", bad_id(3), "", code, "2", "302"],
        ],
        name,
    )


def upload(client, file, **data):
    return client.post(reverse("ledgers:import", args=["residents"]), {"file": file, **data})


def dry_run(client, city) -> ImportJob:
    response = upload(client, residents_file(city))
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("ledgers:import-job", args=[job.pk])
    return job


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def download(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def sheet_rows(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# The index -----------------------------------------------------------------------------------


def test_index_lists_the_ledgers_and_says_when_there_is_no_history(city, officer):
    page = html(signed_in(officer).get(reverse("ledgers:index")))
    assert "居民台账" in page and "户台账" in page
    assert reverse("ledgers:template", args=["residents"]) in page
    assert reverse("ledgers:import", args=["residents"]) in page
    assert reverse("ledgers:export", args=["residents"]) in page
    assert "还没有导入过台账" in page and "还没有导出过台账" in page


def test_index_shows_my_imports_with_counts_and_error_workbook(city, officer, worker_a):
    job = dry_run(signed_in(officer), city)
    services.start_import(
        actor=worker_a,
        ledger="residents",
        upload=residents_file(city, "别人的.xlsx"),
    )
    page = html(signed_in(officer).get(reverse("ledgers:index")))
    assert "居民.xlsx" in page and "别人的.xlsx" not in page
    assert reverse("ledgers:import-job", args=[job.pk]) in page
    assert reverse("ledgers:import-errors", args=[job.pk]) in page
    assert "预检" in page and "错误行 1" in page


def test_history_pages_with_a_cursor(city, officer, monkeypatch):
    monkeypatch.setattr(views, "HISTORY_SIZE", 1)
    client = signed_in(officer)
    first = dry_run(client, city)
    upload(client, residents_file(city, "第二个.xlsx"))
    page = client.get(reverse("ledgers:index"))
    assert "第二个.xlsx" in html(page) and first.file_name not in html(page)
    cursor = page.context["next_imports"]
    assert cursor
    older = html(client.get(reverse("ledgers:index"), {"imports": cursor}))
    assert first.file_name in older and "第二个.xlsx" not in older
    assert html(client.get(reverse("ledgers:index"), {"imports": "garbage"}))


def test_staff_without_a_role_get_403(city):
    assert signed_in(UserFactory()).get(reverse("ledgers:index")).status_code == 403


def test_a_lab_sees_only_its_results_ledger(city):
    lab = staff("lab", city.city, username="lab")
    page = html(signed_in(lab).get(reverse("ledgers:index")))
    assert 'id="ledger-lab-results"' in page
    assert 'id="ledger-residents"' not in page and 'id="ledger-regions"' not in page


def test_navbar_and_export_buttons_follow_rights(city, officer, volunteer_a):
    officer_page = html(signed_in(officer).get(reverse("regions:detail", args=[city.street.code])))
    assert reverse("ledgers:index") in officer_page
    export = f"{reverse('ledgers:export', args=['residents'])}?region={city.street.code}"
    assert export in officer_page
    people = html(
        signed_in(officer).get(reverse("people:person-list"), {"region": city.grid_a.code})
    )
    assert f"{reverse('ledgers:export', args=['residents'])}?region={city.grid_a.code}" in people
    volunteer_page = html(
        signed_in(volunteer_a).get(reverse("regions:detail", args=[city.grid_a.code]))
    )
    assert reverse("ledgers:index") not in volunteer_page
    assert reverse("ledgers:export", args=["residents"]) not in volunteer_page


# Importing -----------------------------------------------------------------------------------


def test_upload_form_names_formats_limit_and_template(city, officer, settings):
    page = html(signed_in(officer).get(reverse("ledgers:import", args=["residents"])))
    assert 'accept=".xlsx,.xls,.csv"' in page
    assert f"{settings.FANGYI_LEDGER_MAX_BYTES // (1024 * 1024)} MB" in page
    assert reverse("ledgers:template", args=["residents"]) in page
    assert "全部成功才导入（有任何错误则整个文件不导入）" in page


def test_upload_errors_are_shown_on_the_form(city, officer, settings):
    client = signed_in(officer)
    missing = html(client.post(reverse("ledgers:import", args=["residents"]), {}))
    assert "请选择要导入的文件" in missing
    settings.FANGYI_LEDGER_MAX_BYTES = 100
    too_large = html(upload(client, residents_file(city)))
    assert "上限" in too_large
    assert not ImportJob.objects.exists()


def test_dry_run_page_shows_counts_errors_and_what_commit_will_do(city, officer):
    client = signed_in(officer)
    before = Person.objects.count()
    job = dry_run(client, city)
    assert job.dry_run and job.status == "done"
    page = html(client.get(reverse("ledgers:import-job", args=[job.pk])))
    assert Person.objects.count() == before
    assert 'data-count="created">2<' in page and 'data-count="errors">1<' in page
    assert 'data-count="households">1<' in page
    assert "将新增" in page and "将新建户" in page
    assert "表头在第 1 行。" in page
    # The bad ID is on the fourth row of the sheet, as Excel numbers it.
    assert '<td class="text-nowrap">4</td><td class="text-nowrap">证件号码</td>' in page
    assert reverse("ledgers:import-errors", args=[job.pk]) in page
    assert "导入 2 行有效数据（1 行错误将退回）" in page
    assert reverse("ledgers:import-commit", args=[job.pk]) in page
    assert "hx-trigger" not in page


def test_unknown_columns_are_a_warning(city, officer):
    client = signed_in(officer)
    file = workbook(
        [[*RESIDENT_HEADERS, "爱好"], ["赵一", synthetic_id(1), "", city.building_a.code, "", "1"]]
    )
    upload(client, file)
    page = html(client.get(reverse("ledgers:import-job", args=[ImportJob.objects.get().pk])))
    assert "未能识别" in page and "爱好" in page
    assert "确认导入 1 行" in page


def test_commit_creates_the_people_and_shows_the_outcome(city, officer):
    client = signed_in(officer)
    preview = dry_run(client, city)
    response = client.post(reverse("ledgers:import-commit", args=[preview.pk]))
    job = ImportJob.objects.get(preview=preview)
    assert response.status_code == 302
    assert response["Location"] == reverse("ledgers:import-job", args=[job.pk])
    assert not job.dry_run and job.status == "done" and job.created == 2
    assert set(Person.objects.filter(name__in=["赵一", "赵二"]).values_list("name", flat=True)) == {
        "赵一",
        "赵二",
    }
    page = html(client.get(response["Location"]))
    assert "已导入 2 行" in page and "退回" in page
    assert 'data-count="created">2<' in page
    assert reverse("ledgers:import-errors", args=[job.pk]) in page
    assert "确认导入" not in page
    # The preview now says it has been imported.
    assert reverse("ledgers:import-job", args=[job.pk]) in html(
        client.get(reverse("ledgers:import-job", args=[preview.pk]))
    )


def test_all_or_nothing_commit_is_refused_and_says_so(city, officer):
    client = signed_in(officer)
    response = upload(client, residents_file(city), all_or_nothing="on")
    preview = ImportJob.objects.get()
    assert preview.all_or_nothing
    page = html(client.get(response["Location"]))
    assert 'name="all_or_nothing" class="form-check-input" id="id_all_or_nothing" checked' in page
    assert "整个文件将不导入" in page
    response = client.post(
        reverse("ledgers:import-commit", args=[preview.pk]), {"all_or_nothing": "on"}
    )
    job = ImportJob.objects.get(preview=preview)
    assert job.status == "refused" and job.all_or_nothing
    assert not Person.objects.filter(name="赵一").exists()
    page = html(client.get(response["Location"]))
    assert "整个文件未导入" in page and 'data-status="refused"' in page


def test_unreadable_file_is_a_failed_job_with_its_reason(city, officer):
    client = signed_in(officer)
    upload(client, SimpleUploadedFile("x.xlsx", b"\x00\x01 not a workbook"))
    job = ImportJob.objects.get()
    assert job.status == "failed"
    page = html(client.get(reverse("ledgers:import-job", args=[job.pk])))
    assert "无法完成" in page and job.message in page
    assert "确认导入" not in page


def test_error_workbook_download(city, officer):
    client = signed_in(officer)
    job = dry_run(client, city)
    response = client.get(reverse("ledgers:import-errors", args=[job.pk]))
    assert "attachment" in response["Content-Disposition"]
    assert "%E9%94%99%E8%AF%AF.xlsx" in response["Content-Disposition"]  # 居民-错误.xlsx
    rows = sheet_rows(download(response))
    assert rows[0][-1] == "错误说明" and rows[1][0] == "钱三"
    assert "第 4 行" in rows[1][-1]


def test_someone_elses_job_is_404(city, officer, worker_a):
    job = services.start_import(actor=worker_a, ledger="residents", upload=residents_file(city))
    client = signed_in(officer)
    for name in ("ledgers:import-job", "ledgers:import-errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("ledgers:import-commit", args=[job.pk])).status_code == 404
    assert not ImportJob.objects.filter(preview=job).exists()


def test_unknown_ledger_is_404(city, officer):
    client = signed_in(officer)
    for name in ("ledgers:import", "ledgers:export", "ledgers:template"):
        assert client.get(reverse(name, args=["nonsense"])).status_code == 404


def test_a_volunteer_may_not_import(city, volunteer_a):
    client = signed_in(volunteer_a)
    assert client.get(reverse("ledgers:import", args=["residents"])).status_code == 403
    assert upload(client, residents_file(city)).status_code == 403
    assert not ImportJob.objects.exists()


def test_pages_need_a_login(city, client):
    response = client.get(reverse("ledgers:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_queued_job_shows_a_polling_progress_bar(city, officer, settings):
    settings.FANGYI_LEDGER_INLINE_BYTES = 0
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    client = signed_in(officer)
    job = dry_run(client, city)
    assert job.status == "queued"
    url = reverse("ledgers:import-job", args=[job.pk])
    page = html(client.get(url))
    assert "progress-bar" in page and "排队等待后台处理" in page
    assert f'hx-get="{url}" hx-trigger="every 1s"' in page
    partial = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in html(partial) and 'hx-trigger="every 1s"' in html(partial)
    assert "HX-Request" in partial["Vary"]
    services.run_import_job(job=job)
    finished = html(client.get(url, headers={"HX-Request": "true"}))
    assert "hx-trigger" not in finished and 'data-count="created">2<' in finished


# Templates and exports -----------------------------------------------------------------------


def test_template_has_the_header_row(city, officer):
    response = signed_in(officer).get(reverse("ledgers:template", args=["residents"]))
    assert "attachment" in response["Content-Disposition"]
    rows = sheet_rows(download(response))
    assert rows[0][:3] == ["姓名", "证件类型", "证件号码"] and len(rows) == 1


def test_export_form_prefills_the_region_and_names_it(city, officer):
    client = signed_in(officer)
    url = reverse("ledgers:export", args=["residents"])
    page = html(client.get(url, {"region": city.grid_a.code}))
    assert f'value="{city.grid_a.code}"' in page and "第一网格" in page
    assert "导出明文（须填写理由，将被记录）" in page
    # With one region of their own, that is the default.
    assert f'value="{city.street.code}"' in html(client.get(url))
    assert "不在您的辖区内" in html(client.get(url, {"region": "350102002"}))


def test_export_outside_the_users_regions_is_refused_on_the_form(city, worker_a):
    client = signed_in(worker_a)
    response = client.post(
        reverse("ledgers:export", args=["residents"]), {"region": city.grid_b.code, "format": "csv"}
    )
    assert "不在您的辖区内" in html(response)
    assert not ExportJob.objects.exists()


def test_a_volunteer_may_not_export_residents(city, volunteer_a):
    response = signed_in(volunteer_a).get(reverse("ledgers:export", args=["residents"]))
    assert response.status_code == 403


def test_export_downloads_a_masked_file(city, officer):
    client = signed_in(officer)
    response = client.post(
        reverse("ledgers:export", args=["residents"]),
        {"region": city.street.code, "format": "xlsx"},
    )
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("ledgers:export-job", args=[job.pk])
    page = html(client.get(response["Location"]))
    assert 'data-status="done"' in page and "hx-trigger" not in page
    assert reverse("ledgers:export-file", args=[job.pk]) in page
    rows = sheet_rows(download(client.get(reverse("ledgers:export-file", args=[job.pk]))))
    cells = [str(cell) for row in rows for cell in row if cell]
    assert "王*明" in cells and "王小明" not in cells and "13800000001" not in cells
    assert city.person_a.id_number not in cells
    event = AccessEvent.objects.get(kind="export")
    assert event.fields == [] and event.actor == officer
    assert reverse("ledgers:export-file", args=[job.pk]) in html(
        client.get(reverse("ledgers:index"))
    )


def test_export_with_a_reason_is_plain_text_and_logged(city, officer):
    client = signed_in(officer)
    client.post(
        reverse("ledgers:export", args=["residents"]),
        {"region": city.grid_a.code, "format": "csv", "reveal_reason": "核酸检测电话通知"},
    )
    job = ExportJob.objects.get()
    assert job.revealed and job.status == "done"
    assert "明文" in html(client.get(reverse("ledgers:export-job", args=[job.pk])))
    content = download(client.get(reverse("ledgers:export-file", args=[job.pk]))).decode(
        "utf-8-sig"
    )
    assert "王小明" in content and "13800000001" in content and "李秀英" not in content
    event = AccessEvent.objects.get(kind="export")
    assert event.reason == "核酸检测电话通知" and set(event.fields) == {
        "name",
        "id_number",
        "phone",
    }


def test_someone_elses_export_is_404_and_an_unfinished_one_has_no_file(city, officer, worker_a):
    theirs = services.start_export(actor=worker_a, ledger="residents", region=city.grid_a)
    client = signed_in(officer)
    assert client.get(reverse("ledgers:export-job", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("ledgers:export-file", args=[theirs.pk])).status_code == 404
    mine = services.start_export(
        actor=officer, ledger="residents", region=city.street, inline=False
    )
    assert mine.status == "queued"
    page = html(client.get(reverse("ledgers:export-job", args=[mine.pk])))
    assert "progress-bar" in page and 'hx-trigger="every 1s"' in page
    assert client.get(reverse("ledgers:export-file", args=[mine.pk])).status_code == 404


def test_the_resident_list_exports_with_its_filters(city, officer):
    client = signed_in(officer)
    listing = html(
        client.get(reverse("people:person-list"), {"region": city.street.code, "tag": "bedridden"})
    )
    assert "tag=bedridden" in listing
    url = reverse("ledgers:export", args=["residents"])
    form = html(client.get(url, {"region": city.street.code, "tag": "bedridden"}))
    assert '<option value="bedridden" selected>' in form
    response = client.post(url, {"region": city.street.code, "format": "csv", "tag": "bedridden"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.filters == {"tag": "bedridden"}
    assert "卧床" in html(client.get(reverse("ledgers:export-job", args=[job.pk])))


def test_a_job_that_stopped_moving_says_so(city, officer, settings):
    import datetime

    from django.utils import timezone

    settings.FANGYI_LEDGER_INLINE_BYTES = 0
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    client = signed_in(officer)
    upload(client, residents_file(city))
    job = ImportJob.objects.get()
    page = reverse("ledgers:import-job", args=[job.pk])
    assert job.status == "queued" and 'id="job-stalled"' not in html(client.get(page))
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert 'id="job-stalled"' in html(client.get(page))

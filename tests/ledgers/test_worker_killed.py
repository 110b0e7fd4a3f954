"""A task worker killed (SIGKILL) in the middle of a residents import or an export: after a
restart the import resumes after its last committed chunk and the export is written again,
every row exactly once; a job whose worker died says so on its page and in the API."""

import csv

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.tasks import TaskResultStatus

from fangyi.core.models import ObjectChange
from fangyi.core.workers import recover_abandoned_jobs
from fangyi.ledgers import services
from fangyi.ledgers.models import ExportJob, ImportJob, JobStatus
from fangyi.ledgers.tasks import export_ledger, import_ledger
from fangyi.people.models import Household, Person
from fangyi.regions.models import Region
from tests import support_workers as workers
from tests.ledgers.support import RESIDENT_HEADERS, synthetic_id, write_csv
from tests.support import client_for, signed_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("ledger_dir"),
    pytest.mark.tasks,
]

ROWS = 800
PROGRESS = "fangyi.ledgers.exporting.PROGRESS_EVERY"
SMALL_CHUNKS = {"fangyi.ledgers.importing.CHUNK_ROWS": 20, PROGRESS: 20}


def residents_file(tmp_path, city, rows=ROWS):
    lines = [RESIDENT_HEADERS]
    for n in range(rows):
        lines.append(
            [f"居民{n}", synthetic_id(n + 10), "", city.building_a.code, "1", f"9{n // 4:03d}"]
        )
    return write_csv(tmp_path / "居民台账.csv", lines)


def upload(path):
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def imported(job) -> dict:
    """What is in the database for the file: persons by ID number, their audit rows."""
    numbers = [synthetic_id(n + 10) for n in range(ROWS)]
    persons = Person.objects.filter(id_number__in=numbers)
    return {
        "persons": persons.count(),
        "distinct": persons.values("id_number").distinct().count(),
        "audit": ObjectChange.objects.filter(
            object_type="people.person",
            action=ObjectChange.CREATE,
            object_id__in=[str(pk) for pk in persons.values_list("pk", flat=True)],
        ).count(),
        "twice": ObjectChange.objects.filter(object_type="people.person")
        .values("object_id", "action")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count(),
    }


def killed_mid_way(job, settings, patches=SMALL_CHUNKS) -> int:
    """Starts a worker, kills it once the job has committed a few chunks; answers the rows
    committed by then."""
    workers.kill_when(lambda: type(job).objects.get(pk=job.pk).rows_written >= 100, patches=patches)
    job.refresh_from_db()
    return job.rows_written


def test_an_import_whose_worker_is_killed_resumes_after_its_last_chunk(
    city, officer, tmp_path, settings
):
    settings.FANGYI_LEDGER_INLINE_BYTES = 0
    job = services.start_import(
        actor=officer,
        ledger="residents",
        upload=upload(residents_file(tmp_path, city)),
        dry_run=False,
    )
    job.refresh_from_db()
    first_task = job.task_result_id
    written = killed_mid_way(job, settings)
    assert job.status == JobStatus.RUNNING and 0 < written < ROWS, "killed mid-way"
    # Whole chunks only: every person committed has its audit row, and the job counts them.
    assert imported(job) == {"persons": written, "distinct": written, "audit": written, "twice": 0}
    assert job.created == written and job.rows_read == written

    page = signed_in(officer).get(f"/ledgers/imports/{job.pk}/").content.decode()
    assert 'id="job-stalled"' in page and "无需重新上传" in page and "重新上传同一文件" not in page
    assert client_for(officer).get(f"/api/v1/ledgers/imports/{job.pk}").json()["stalled"] is True

    # The new worker recovers the job as it starts.
    workers.run_until(
        lambda: ImportJob.objects.get(pk=job.pk).status == JobStatus.DONE, patches=SMALL_CHUNKS
    )
    job.refresh_from_db()
    assert imported(job) == {"persons": ROWS, "distinct": ROWS, "audit": ROWS, "twice": 0}
    assert (job.created, job.rows_written, job.rows_read, job.error_rows) == (ROWS, ROWS, ROWS, 0)
    assert job.attempts == 2
    assert Household.objects.filter(building=city.building_a).count() == 1 + ROWS // 4
    assert job.households_created == ROWS // 4
    building = Region.objects.get(pk=city.building_a.pk)
    assert building.resident_count == Person.objects.filter(household__building=building).count()
    # The killed worker's task does not stay "running".
    assert import_ledger.get_result(first_task).status == TaskResultStatus.FAILED


def test_a_file_that_keeps_killing_its_worker_fails_with_the_reason_and_runs_again_on_demand(
    city, officer, tmp_path, settings
):
    settings.FANGYI_LEDGER_INLINE_BYTES = 0
    job = services.start_import(
        actor=officer,
        ledger="residents",
        upload=upload(residents_file(tmp_path, city)),
        dry_run=False,
    )
    written = killed_mid_way(job, settings)
    settings.FANGYI_JOB_MAX_ATTEMPTS = 1  # the first run was its one attempt
    assert any(str(job.pk) in line for line in recover_abandoned_jobs())
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.retryable
    assert f"处理完 {written} 行" in job.message and "不要原样重新上传" in job.message
    page = signed_in(officer).get(f"/ledgers/imports/{job.pk}/").content.decode()
    assert "已停止重试" in page and 'id="job-retry"' not in page
    assert imported(job)["persons"] == written

    # An administrator who has dealt with the cause lets its owner run it again.
    ImportJob.objects.filter(pk=job.pk).update(retryable=True)
    api = client_for(officer)
    assert api.get(f"/api/v1/ledgers/imports/{job.pk}").json()["retry_url"]
    response = api.post(f"/api/v1/ledgers/imports/{job.pk}/retry")
    assert response.status_code == 202, response.content
    workers.run_until(
        lambda: ImportJob.objects.get(pk=job.pk).status == JobStatus.DONE, patches=SMALL_CHUNKS
    )
    job.refresh_from_db()
    assert imported(job) == {"persons": ROWS, "distinct": ROWS, "audit": ROWS, "twice": 0}
    assert job.created == ROWS


def test_an_export_whose_worker_is_killed_is_written_again_whole(city, officer, tmp_path, settings):
    services.import_path(actor=officer, ledger="residents", path=residents_file(tmp_path, city))
    job = services.start_export(
        actor=officer, ledger="residents", region=city.street, fmt="csv", inline=False
    )
    job.refresh_from_db()
    first_task = job.task_result_id
    # Progress saved after every row: an export of 800 rows otherwise ends before the kill.
    killed_mid_way(job, settings, patches={**SMALL_CHUNKS, PROGRESS: 1})
    assert job.status == JobStatus.RUNNING
    assert not job.file_path.exists(), "a half-written export is never in place"

    workers.run_until(
        lambda: ExportJob.objects.get(pk=job.pk).status == JobStatus.DONE, patches=SMALL_CHUNKS
    )
    job.refresh_from_db()
    with job.file_path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    expected = ROWS + 2  # the city's two residents
    assert len(rows) == 1 + expected and job.rows_written == expected and job.attempts == 2
    assert export_ledger.get_result(first_task).status == TaskResultStatus.FAILED

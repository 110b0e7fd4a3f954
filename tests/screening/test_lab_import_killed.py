"""A task worker killed (SIGKILL) in the middle of a lab-results import: after a restart the
import resumes after its last committed chunk, and every tube has its result, every member
their fact and every invalid tube its re-sampling task exactly once."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone

from fangyi.fieldwork.models import Task
from fangyi.health.models import Fact
from fangyi.ledgers import services
from fangyi.ledgers.models import ImportJob, JobStatus
from fangyi.people.models import Person
from fangyi.screening.lab.services import RESAMPLE_SOURCE
from fangyi.screening.models import Tube, TubeState
from fangyi.screening.sampling import batches
from tests import support_workers as workers
from tests.ledgers.support import RESIDENT_HEADERS, synthetic_id, write_csv
from tests.screening.lab_support import lab_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.tasks]

TUBES = 400
SMALL_CHUNKS = {"fangyi.ledgers.importing.CHUNK_ROWS": 20}


@pytest.fixture(autouse=True)
def ledger_dir(settings, tmp_path):
    settings.FANGYI_LEDGER_DIR = tmp_path / "ledgers"


def outcome(n: int) -> str:
    return "无效" if n % 50 == 0 else ("阳性" if n % 97 == 0 else "阴性")


@pytest.fixture
def tubes(city, officer, sampler, site, round_now, tmp_path):
    rows = [RESIDENT_HEADERS] + [
        [f"受检{n}", synthetic_id(n + 10), "", city.building_a.code, "1", f"8{n:03d}"]
        for n in range(TUBES)
    ]
    services.import_path(
        actor=officer, ledger="residents", path=write_csv(tmp_path / "居民.csv", rows)
    )
    persons = Person.objects.filter(name__startswith="受检").order_by("name")
    sampled = timezone.now() - datetime.timedelta(minutes=30)
    batches.record_samples(
        actor=sampler,
        items=[
            batches.SampleInput(
                tube=f"LAB-{n:05d}", persons=[person.pk], site=site, sampled_at=sampled, pool_size=1
            )
            for n, person in enumerate(persons)
        ],
    )
    tested = (timezone.localtime() - datetime.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M")
    lines = [["试管条码", "检测结果", "检测时间"]]
    lines += [[f"LAB-{n:05d}", outcome(n), tested] for n in range(TUBES)]
    return write_csv(tmp_path / "检测结果.csv", lines)


def counts() -> dict:
    lab_facts = Fact.objects.filter(source="lab")
    return {
        "resulted": Tube.objects.filter(state=TubeState.RESULTED).count(),
        "facts": lab_facts.count(),
        "facts twice": lab_facts.values("person_id", "source_ref")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count(),
        "resample tasks": Task.objects.filter(source=RESAMPLE_SOURCE).count(),
    }


def test_a_lab_import_whose_worker_is_killed_resumes_and_writes_each_result_once(
    city, tubes, settings
):
    settings.FANGYI_LEDGER_INLINE_BYTES = 0
    lab = lab_user(city)
    job = services.start_import(
        actor=lab,
        ledger="lab-results",
        upload=SimpleUploadedFile(tubes.name, tubes.read_bytes(), content_type="text/csv"),
        dry_run=False,
    )
    workers.kill_when(
        lambda: ImportJob.objects.get(pk=job.pk).rows_written >= 100, patches=SMALL_CHUNKS
    )
    job.refresh_from_db()
    written = job.rows_written
    assert job.status == JobStatus.RUNNING and written < TUBES, "killed mid-way"
    before = counts()
    # Whole chunks only: a tube is resulted with its facts and tasks, or not at all.
    invalid_before = sum(1 for n in range(written) if outcome(n) == "无效")
    assert before == {
        "resulted": written,
        "facts": written - invalid_before,
        "facts twice": 0,
        "resample tasks": invalid_before,
    }

    workers.run_until(
        lambda: ImportJob.objects.get(pk=job.pk).status == JobStatus.DONE, patches=SMALL_CHUNKS
    )
    job.refresh_from_db()
    invalid = sum(1 for n in range(TUBES) if outcome(n) == "无效")
    assert counts() == {
        "resulted": TUBES,
        "facts": TUBES - invalid,
        "facts twice": 0,
        "resample tasks": invalid,
    }
    assert (job.updated, job.rows_written, job.error_rows, job.attempts) == (TUBES, TUBES, 0, 2)

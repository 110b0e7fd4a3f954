"""A task worker killed (SIGKILL) in the middle of a recompute of everyone: recovery queues it
again, and the statuses end exactly as an uninterrupted recompute leaves them: one per person,
none half-written, nothing left for another run to change."""

import datetime
import uuid

import pytest
from django.utils import timezone

from fangyi.core.workers import recover_abandoned_jobs
from fangyi.health import recompute
from fangyi.health.models import RecomputeRun, Status
from fangyi.health.services import record_facts_in_bulk
from fangyi.health.tasks import recompute_all_task
from fangyi.ledgers import services as ledgers
from fangyi.people.models import Person
from tests import support_workers as workers
from tests.ledgers.support import RESIDENT_HEADERS, synthetic_id, write_csv

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.tasks]

PERSONS = 800
SMALL_BATCHES = {"fangyi.health.recompute.BATCH": 20}


@pytest.fixture
def residents(city, officer, tmp_path, settings):
    settings.FANGYI_LEDGER_DIR = tmp_path / "ledgers"
    rows = [RESIDENT_HEADERS] + [
        [f"居民{n}", synthetic_id(n + 10), "", city.building_a.code, "1", f"7{n:03d}"]
        for n in range(PERSONS)
    ]
    ledgers.import_path(
        actor=officer, ledger="residents", path=write_csv(tmp_path / "居民.csv", rows)
    )
    # Some colours besides green: close contacts, every tenth.
    now = timezone.now()
    contacts = Person.objects.order_by("id").values_list("id", "region_path")[::10]
    record_facts_in_bulk(
        actor=officer,
        source="test",
        authorised=True,
        rows=[
            (
                uuid.uuid4(),
                pk,
                path,
                "close_contact",
                now - datetime.timedelta(days=1),
                now,
                "",
                "",
                "",
                {},
            )
            for pk, path in contacts
        ],  # fmt: skip
    )
    Status.objects.all().delete()
    return len(contacts)


def statuses() -> dict:
    return {
        str(person): (colour, reasons)
        for person, colour, reasons in Status.objects.values_list("person_id", "colour", "reasons")
    }


def test_a_recompute_whose_worker_is_killed_is_run_again_to_the_same_statuses(residents):
    everyone = Person.objects.count()
    recompute_all_task.enqueue()
    run = workers.kill_when(
        lambda: RecomputeRun.objects.filter(persons_done__gte=100).first(), patches=SMALL_BATCHES
    )
    run.refresh_from_db()
    written = Status.objects.count()
    assert run.state == RecomputeRun.State.RUNNING and 0 < written < everyone, "killed mid-way"
    # Whole batches only; the run counts a batch just after committing it.
    assert written % 20 == 0 and run.persons_done <= written <= run.persons_done + 20

    assert any(str(run.pk) in line for line in recover_abandoned_jobs())
    run.refresh_from_db()
    assert run.state == RecomputeRun.State.QUEUED and "中断" in run.message
    workers.run_until(
        lambda: RecomputeRun.objects.get(pk=run.pk).state == RecomputeRun.State.DONE,
        patches=SMALL_BATCHES,
    )
    run.refresh_from_db()
    assert run.attempts == 2 and run.persons_done >= everyone
    after_resume = statuses()
    assert len(after_resume) == everyone
    assert sum(colour != "green" for colour, _reasons in after_resume.values()) == residents
    # An uninterrupted recompute comes to the same statuses.
    assert recompute.recompute_all().persons == everyone
    assert statuses() == after_resume


def test_a_recompute_that_keeps_killing_its_worker_fails_with_the_reason(residents, settings):
    recompute_all_task.enqueue()
    run = workers.kill_when(
        lambda: RecomputeRun.objects.filter(persons_done__gte=100).first(), patches=SMALL_BATCHES
    )
    settings.FANGYI_JOB_MAX_ATTEMPTS = 1
    recover_abandoned_jobs()
    run.refresh_from_db()
    assert run.state == RecomputeRun.State.FAILED
    assert "fangyi health recompute" in run.message and "中断 1 次" in run.message

"""A home-task sweep (`fangyi screening home-tasks --running`) killed (SIGKILL) half-way: the
next sweep, which cron or the scheduler runs anyway, completes it; each missing person who
cannot come has exactly one task, with one audit row, as after an uninterrupted sweep."""

import pytest
from django.db.models import Count

from fangyi.core.models import ObjectChange
from fangyi.fieldwork.models import Task
from fangyi.ledgers import services as ledgers
from tests import support_workers as workers
from tests.ledgers.support import RESIDENT_HEADERS, synthetic_id, write_csv

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.tasks]

BEDRIDDEN = 800
SMALL_BATCHES = {"fangyi.screening.coverage.services.TASK_BATCH": 20}
SWEEP = ["screening", "home-tasks", "--running"]


@pytest.fixture
def bedridden(city, officer, tmp_path, settings):
    settings.FANGYI_LEDGER_DIR = tmp_path / "ledgers"
    rows = [[*RESIDENT_HEADERS, "是否卧床"]] + [
        [f"卧床{n}", synthetic_id(n + 10), "", city.building_a.code, "1", f"6{n:03d}", "是"]
        for n in range(BEDRIDDEN)
    ]
    ledgers.import_path(
        actor=officer, ledger="residents", path=write_csv(tmp_path / "居民.csv", rows)
    )


def tasks() -> dict:
    made = Task.objects.filter(source__startswith="screening:")
    return {
        "tasks": made.count(),
        "twice": made.values("source", "source_ref")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count(),
        "audit": ObjectChange.objects.filter(
            object_type=Task._meta.label_lower, action=ObjectChange.CREATE
        ).count(),
    }


def test_a_sweep_killed_half_way_is_completed_by_the_next_one(bedridden, round_now):
    sweep = workers.start(SWEEP, patches=SMALL_BATCHES)
    try:
        workers.wait_for(lambda: Task.objects.count() >= 100, process=sweep)
    finally:
        workers.kill(sweep)
        sweep.log.close()
    before = tasks()
    assert 0 < before["tasks"] < BEDRIDDEN, "killed mid-way"
    # Whole batches only: every task written has its audit row.
    assert before["tasks"] % 20 == 0 and before == {**before, "twice": 0, "audit": before["tasks"]}

    again = workers.start(SWEEP, patches=SMALL_BATCHES)
    try:
        assert again.wait(timeout=120) == 0, workers.output(again)
    finally:
        workers.stop(again)
    assert tasks() == {"tasks": BEDRIDDEN, "twice": 0, "audit": BEDRIDDEN}
    # A third sweep, as after an uninterrupted one, has nothing left to do.
    third = workers.start([*SWEEP, "--json"])
    try:
        assert third.wait(timeout=120) == 0
        assert '"created": 0' in workers.output(third)
    finally:
        workers.stop(third)
    assert tasks() == {"tasks": BEDRIDDEN, "twice": 0, "audit": BEDRIDDEN}

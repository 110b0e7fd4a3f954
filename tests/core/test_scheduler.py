"""Periodic work: the areas declare it, `fangyi scheduler` enqueues each job when it falls due,
once, whichever task backend runs it and however many schedulers run."""

import datetime
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import import_string

from fangyi.core import scheduling
from fangyi.core.areas import Periodic, periodic_jobs
from fangyi.core.models import PeriodicRun
from tests.support import run_queued_tasks

MINUTELY = Periodic(
    "test.minutely",
    every=datetime.timedelta(minutes=1),
    task="fangyi.codes.tasks.purge_expired_task",
)
HOURLY = Periodic(
    "test.hourly", every=datetime.timedelta(hours=1), task="fangyi.portal.tasks.purge_expired_task"
)


@pytest.fixture
def two_jobs(monkeypatch):
    monkeypatch.setattr(scheduling, "periodic_jobs", lambda: [MINUTELY, HOURLY])


def test_the_areas_declare_the_periodic_work():
    declared = {job.name: job for job in periodic_jobs()}
    assert {
        "core.recover-jobs",
        "core.purge-rate-counters",
        "health.recompute-due",
        "checkpoints.purge",
        "portal.purge",
        "codes.purge",
        "screening.home-tasks",
        "ledgers.purge-files",
    } <= declared.keys()
    assert declared["health.recompute-due"].every == datetime.timedelta(minutes=1)


def test_each_job_is_enqueued_when_due_and_not_before(db, two_jobs):
    start = timezone.now()
    assert scheduling.enqueue_due(now=start) == ["test.minutely", "test.hourly"]
    assert scheduling.enqueue_due(now=start) == []
    assert scheduling.enqueue_due(now=start + datetime.timedelta(seconds=59)) == []
    assert scheduling.enqueue_due(now=start + datetime.timedelta(seconds=60)) == ["test.minutely"]
    assert scheduling.enqueue_due(now=start + datetime.timedelta(seconds=90)) == []
    assert scheduling.enqueue_due(now=start + datetime.timedelta(hours=1)) == [
        "test.minutely",
        "test.hourly",
    ]
    run = PeriodicRun.objects.get(name="test.hourly")
    assert run.enqueued_at == start + datetime.timedelta(hours=1) and run.result_id


def test_a_job_that_cannot_be_enqueued_is_tried_again_and_holds_no_other_back(
    db, two_jobs, monkeypatch
):
    enqueue = scheduling.enqueue

    def queue_away(job):
        if job is MINUTELY:
            raise ConnectionError("the queue is away")
        return enqueue(job)

    monkeypatch.setattr(scheduling, "enqueue", queue_away)
    assert scheduling.enqueue_due() == ["test.hourly"]
    assert PeriodicRun.objects.get(name="test.minutely").enqueued_at is None
    monkeypatch.setattr(scheduling, "enqueue", enqueue)
    assert scheduling.enqueue_due() == ["test.minutely"]


def test_the_plan_says_when_each_job_runs_next(db, two_jobs):
    assert [(p.job.name, p.next_at) for p in scheduling.plan()] == [
        ("test.minutely", None),
        ("test.hourly", None),
    ]
    assert scheduling.seconds_to_next() == 0
    start = timezone.now()
    scheduling.enqueue_due(now=start)
    assert [p.next_at for p in scheduling.plan()] == [
        start + datetime.timedelta(minutes=1),
        start + datetime.timedelta(hours=1),
    ]
    assert 0 < scheduling.seconds_to_next() <= 60


def test_the_command_enqueues_once_and_lists(db, two_jobs, capsys):
    call_command("scheduler", "--once")
    out = capsys.readouterr().out
    assert "enqueued test.minutely" in out and "enqueued test.hourly" in out
    call_command("scheduler", "--once")
    assert capsys.readouterr().out == ""
    call_command("scheduler", "--list")
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("test.minutely") and "every 0:01:00" in listed[0]
    assert "last never" not in listed[1] and "next now" not in listed[1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections")
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_enqueue_each_job_once(two_jobs, monkeypatch):
    """Two schedulers (two connections, as on two machines) look at the same moment; enqueueing
    is slow, so that both see the jobs due unless the row each decides on is locked."""
    enqueue = scheduling.enqueue

    def slow(job):
        time.sleep(0.3)
        return enqueue(job)

    monkeypatch.setattr(scheduling, "enqueue", slow)
    start = threading.Barrier(2)
    outcomes: list[list[str]] = []

    def scheduler():
        try:
            start.wait()
            outcomes.append(scheduling.enqueue_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(name for outcome in outcomes for name in outcome) == [
        "test.hourly",
        "test.minutely",
    ]


@pytest.mark.tasks
@pytest.mark.django_db(transaction=True)
def test_every_declared_job_runs_on_the_configured_backend(city):
    enqueued = scheduling.enqueue_due()
    assert enqueued == [job.name for job in periodic_jobs()]
    run_queued_tasks()
    for job in periodic_jobs():
        run = PeriodicRun.objects.get(name=job.name)
        result = import_string(job.task).get_result(run.result_id)
        assert result.status == TaskResultStatus.SUCCESSFUL, (job.name, result.errors)

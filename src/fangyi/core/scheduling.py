"""Periodic work: the areas declare it (`Area.periodic`), `fangyi scheduler` enqueues it.

The scheduler only enqueues; the task workers run the jobs, on whichever task backend is
configured, so a purge or a sweep is retried, logged and spread over machines like any other
task. When a job was last enqueued is kept in the database (`PeriodicRun`), one row per job,
and each decision happens in a transaction that holds that row: `SELECT ... FOR UPDATE SKIP
LOCKED` on PostgreSQL, so that schedulers on several machines never enqueue a job twice (one
that finds the row held leaves the job to the other), and SQLite's write lock (its
transactions begin IMMEDIATE) for the processes of one machine.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from .areas import Periodic, periodic_jobs
from .models import PeriodicRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Planned:
    job: Periodic
    enqueued_at: datetime.datetime | None
    result_id: str

    @property
    def next_at(self) -> datetime.datetime | None:
        """None: at once (never enqueued)."""
        return self.enqueued_at + self.job.every if self.enqueued_at else None


def plan() -> list[Planned]:
    """Every declared job with its last enqueueing, in the order of the areas."""
    runs = {run.name: run for run in PeriodicRun.objects.all()}
    return [
        Planned(
            job=job,
            enqueued_at=runs[job.name].enqueued_at if job.name in runs else None,
            result_id=runs[job.name].result_id if job.name in runs else "",
        )
        for job in periodic_jobs()
    ]


def enqueue(job: Periodic) -> str:
    """Enqueues the job's task and returns the result id."""
    task: Task[[], object] = import_string(job.task)
    return str(task.enqueue().id)


def enqueue_due(*, now: datetime.datetime | None = None) -> list[str]:
    """Enqueues every job whose interval has passed since it was last enqueued (or that never
    was), and returns their names. A job that cannot be enqueued (the queue is away) is
    logged and tried again on the next call."""
    now = now or timezone.now()
    jobs = periodic_jobs()
    PeriodicRun.objects.bulk_create(
        [PeriodicRun(name=job.name) for job in jobs], ignore_conflicts=True
    )
    enqueued = []
    for job in jobs:
        try:
            with transaction.atomic():
                run = (
                    PeriodicRun.objects.select_for_update(skip_locked=True)
                    .filter(name=job.name)
                    .first()
                )
                if run is None or (run.enqueued_at and run.enqueued_at + job.every > now):
                    continue
                run.result_id = enqueue(job)
                run.enqueued_at = now
                run.save(update_fields=["enqueued_at", "result_id"])
        except Exception:
            logger.exception("could not enqueue the periodic job %s", job.name)
            continue
        logger.debug("enqueued %s (%s)", job.name, run.result_id)
        enqueued.append(job.name)
    return enqueued


def seconds_to_next(*, now: datetime.datetime | None = None) -> float:
    """Seconds until the next job falls due (0 when one is due now)."""
    now = now or timezone.now()
    upcoming = [planned.next_at for planned in plan()]
    if not upcoming:
        return float("inf")
    if None in upcoming:
        return 0.0
    return max(0.0, min((at - now).total_seconds() for at in upcoming if at))

"""Core's tasks: a round trip through the queue, to see that workers run what is enqueued
(on whichever backend) and to time the backends (benchmarks/tasks.py); the recovery of jobs
whose worker died, which the scheduler enqueues every minute (core/workers.py); and the purge
of ended rate-limit windows counted in the database (core/ratelimit.py)."""

from django.tasks import task

from . import ratelimit
from .context import acting
from .workers import recover_abandoned_jobs


@task
def echo_task(value: int) -> int:
    return value


@task
def recover_jobs_task() -> list[str]:
    with acting(via="task"):
        return recover_abandoned_jobs()


@task
def purge_rate_counters_task() -> int:
    return ratelimit.purge_ended()

"""Which process runs a background job, whether it still lives, and the recovery of jobs whose
process died.

A job that a worker runs records the worker's `identity()` (host, process id and the time the
process started, so that a process id used again by another process does not pass for the
old one) and renews a heartbeat as it goes. A worker killed outright (SIGKILL, the kernel's
out-of-memory killer, a machine that lost power) cannot say so itself: its jobs stay
"running". `recover_abandoned_jobs()` finds them: a job whose process is gone from this
machine, or whose heartbeat is older than FANGYI_JOB_STALLED_MINUTES (a process on another
machine), is abandoned. Each area that owns a kind of job connects a receiver to `recover`
and decides for its own jobs: run them again from where their committed progress says, or
mark them failed with the reason. Core names no area.

It runs when a task worker starts (`fangyi db_worker`, `fangyi rqworker`) and every minute from the scheduler
(`fangyi jobs recover`). The task backend's own record of the task is marked failed too, so
that it does not stay "running" either: that part, and only that part, knows the backend.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket

from django.conf import settings
from django.dispatch import Signal
from django.utils import timezone

logger = logging.getLogger(__name__)

# Receivers: `receiver(sender, now, **kwargs) -> list[str]`, one line per job they dealt with.
recover = Signal()

# Task worker ids are at most 64 characters in django-tasks-db.
_HOST = socket.gethostname()[:40]


class WorkerDied(Exception):
    """The exception a task backend's record names for a task whose worker was killed."""


def _started(pid: int) -> str:
    """The process's start time in clock ticks since boot ("" where /proc is missing), and
    "Z" for a process that has exited but was not yet reaped by its parent."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rpartition(")")[2].split()
    except OSError:
        return ""
    return "Z" if fields[0] == "Z" else fields[19]


def identity(pid: int | None = None) -> str:
    """This process as a job records it: host:pid:start."""
    pid = os.getpid() if pid is None else pid
    return f"{_HOST}:{pid}:{_started(pid)}"


def alive(worker: str) -> bool | None:
    """Whether the process a job recorded still runs; None when it ran on another machine
    (or the record is not one of ours), where only its heartbeat can tell."""
    host, _sep, rest = worker.partition(":")
    pid_text, _sep, started = rest.partition(":")
    if host != _HOST or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    now_started = _started(pid)
    if now_started == "Z":
        return False
    return not (started and now_started and now_started != started)


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.FANGYI_JOB_STALLED_MINUTES)


def abandoned(
    worker: str, heartbeat: datetime.datetime | None, *, now: datetime.datetime | None = None
) -> bool:
    """A running job's process is gone, or has not moved for FANGYI_JOB_STALLED_MINUTES."""
    living = alive(worker) if worker else None
    if living is False:
        return True
    if living is True:
        return False
    now = now or timezone.now()
    return heartbeat is None or now - heartbeat > stale_after()


def recover_abandoned_jobs(*, now: datetime.datetime | None = None) -> list[str]:
    """Resumes or fails every job whose worker died; answers one line per job. Safe to run
    from several processes at once: each job is taken over by one compare-and-set update."""
    now = now or timezone.now()
    lines: list[str] = []
    # The backend's rows first: a job whose task the dead worker had claimed, but not yet
    # started, is then seen by its area as a task that will never run.
    lines.extend(abandon_task_results())
    for receiver, outcome in recover.send_robust(sender=None, now=now):
        if isinstance(outcome, BaseException):
            logger.error("job recovery by %r failed", receiver, exc_info=outcome)
            continue
        lines.extend(outcome or [])
    return lines


# The task backend's records ------------------------------------------------------------------


def _database_backend() -> bool:
    from django.tasks import task_backends

    try:
        from django_tasks_db.backend import DatabaseBackend
    except ImportError:
        return False
    return isinstance(task_backends["default"], DatabaseBackend)


def _rq_backend() -> bool:
    from .tasking import uses_rq

    return uses_rq()


def _fail_rq_job(result_id: str, reason: str) -> None:
    """RQ would move a job whose worker vanished to its failed registry only once the job's
    timeout ran out; the job's own area knows sooner, so it is moved now."""
    from rq.exceptions import NoSuchJobError
    from rq.job import JobStatus
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    from .rq import Job, connection_for

    connection = connection_for("default")
    try:
        job = Job.fetch(result_id, connection=connection)
    except NoSuchJobError:
        return
    if job.get_status() != JobStatus.STARTED:
        return
    StartedJobRegistry(job.origin, connection=connection).remove_executions(job)
    job.set_status(JobStatus.FAILED)
    FailedJobRegistry(job.origin, connection=connection).add(job, exc_string=reason)


def fail_task_result(result_id: str, reason: str) -> None:
    """Marks the backend's record of a task failed, if it still says running."""
    if not result_id:
        return
    if _rq_backend():
        _fail_rq_job(result_id, reason)
        return
    if not _database_backend():
        return
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    DBTaskResult.objects.filter(pk=result_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
        traceback=reason,
    )


def abandon_task_results() -> list[str]:
    """Marks failed the backend's running tasks whose worker (as `fangyi db_worker` names
    it, by `identity()`) is gone from this machine."""
    if not _database_backend():
        return []
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    lines = []
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
        "id", "worker_ids", "task_path"
    )
    for result_id, worker_ids, task_path in running:
        worker = worker_ids[-1] if worker_ids else ""
        if worker and alive(worker) is False:
            fail_task_result(str(result_id), f"worker {worker} died while running this task")
            lines.append(f"task {task_path} {result_id}: worker {worker} died, marked failed")
    return lines

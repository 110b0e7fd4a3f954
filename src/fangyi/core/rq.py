"""django-tasks-rq under Django's own `django.tasks`.

django-tasks-rq (by the author of `django.tasks`) is written against the `django-tasks`
backport: its backend hands out the backport's Task, TaskResult and exceptions. Django 6.1's
`@task` builds tasks with the configured backend's `task_class`, so without this shim the
project's tasks would become backport tasks whose results are not `django.tasks.TaskResult`s,
and a missing result would raise an exception `django.tasks` callers do not catch. These
subclasses keep RQ's queueing and worker as they are and give back Django's own types.

They also keep one Redis connection pool per process: django-rq opens a new connection for
every queue it hands out, which cost an enqueue 6.5 ms instead of 0.1 ms (docs/benchmarks.md).

The worker must load jobs with `Job` below: `fangyi rqworker --job-class fangyi.core.rq.Job
default` (what `fangyi.core.tasking.worker_command()` returns).
"""

from typing import Any

import django_rq
import django_tasks_rq
from django.tasks import Task, TaskResult, TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import TASK_MAX_PRIORITY, TaskError
from django.tasks.exceptions import TaskResultDoesNotExist
from django.tasks.signals import task_enqueued
from django.utils.crypto import get_random_string
from django.utils.functional import cached_property
from django_rq.connection_utils import get_redis_connection
from django_tasks_rq.backend import failed_callback, success_callback
from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Callback, JobStatus

AnyResult = TaskResult[..., Any]

_connections: dict[str, Redis] = {}


def connection_for(queue_name: str) -> Redis:
    """This process's connection to the Redis of `queue_name` in RQ_QUEUES (one per settings,
    so that tests which point RQ_QUEUES elsewhere get another)."""
    config = django_rq.settings.QUEUES[queue_name]
    key = repr(sorted(config.items()))
    if key not in _connections:
        _connections[key] = get_redis_connection(config)
    return _connections[key]


def _as_django(result: Any) -> AnyResult:
    converted: AnyResult = TaskResult(
        task=result.task,
        id=result.id,
        status=TaskResultStatus(result.status),
        enqueued_at=result.enqueued_at,
        started_at=result.started_at,
        finished_at=result.finished_at,
        last_attempted_at=result.last_attempted_at,
        args=result.args,
        kwargs=result.kwargs,
        backend=result.backend,
        errors=[
            TaskError(exception_class_path=e.exception_class_path, traceback=e.traceback)
            for e in result.errors
        ],
        worker_ids=result.worker_ids,
    )
    object.__setattr__(converted, "_return_value", result._return_value)
    return converted


class Job(django_tasks_rq.Job):
    @cached_property
    def task_result(self) -> AnyResult:  # type: ignore[override]
        return _as_django(super().task_result)


class RQBackend(django_tasks_rq.RQBackend):
    task_class = Task  # type: ignore[assignment]

    def validate_task(self, task: Any) -> None:
        # Django's checks raise Django's InvalidTask, which callers of `django.tasks` expect.
        BaseTaskBackend.validate_task(self, task)  # type: ignore[arg-type]

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> AnyResult:  # type: ignore[override]
        # django-tasks-rq's own enqueue, with this process's connection and Django's types.
        self.validate_task(task)
        result: AnyResult = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        queue = django_rq.get_queue(
            task.queue_name, job_class=Job, connection=connection_for(task.queue_name)
        )
        job = queue.create_job(
            task.module_path,
            args=args,
            kwargs=kwargs,
            job_id=result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(failed_callback),
            on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id: str) -> AnyResult:  # type: ignore[override]
        try:
            job = Job.fetch(result_id, connection=connection_for("default"))
        except NoSuchJobError:
            raise TaskResultDoesNotExist(result_id) from None
        return job.task_result  # type: ignore[attr-defined,no-any-return]

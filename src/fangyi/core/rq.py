"""django-tasks-rq under Django's own `django.tasks`.

django-tasks-rq (by the author of `django.tasks`) is written against the `django-tasks`
backport: its backend hands out the backport's Task, TaskResult and exceptions. Django 6.1's
`@task` builds tasks with the configured backend's `task_class`, so without this shim the
project's tasks would become backport tasks whose results are not `django.tasks.TaskResult`s,
and a missing result would raise an exception `django.tasks` callers do not catch. These
subclasses keep RQ's queueing and worker as they are and give back Django's own types.

The worker must load jobs with `Job` below: `fangyi rqworker --job-class fangyi.core.rq.Job
default` (what `fangyi.core.tasking.worker_command()` returns).
"""

from typing import Any

import django_rq
import django_tasks_rq
from django.tasks import Task, TaskResult, TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import TaskError
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils.functional import cached_property
from rq.exceptions import NoSuchJobError

AnyResult = TaskResult[..., Any]


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
        return _as_django(super().enqueue(task, args, kwargs))

    def get_result(self, result_id: str) -> AnyResult:  # type: ignore[override]
        try:
            job = Job.fetch(result_id, connection=django_rq.get_connection())
        except NoSuchJobError:
            raise TaskResultDoesNotExist(result_id) from None
        return job.task_result  # type: ignore[attr-defined,no-any-return]

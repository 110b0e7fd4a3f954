"""The task backends fangyi runs on, and the command that starts a worker for the one configured.

`FANGYI_TASK_BACKEND` names the backend: `database` (django-tasks-db, the default: jobs are
rows of the project's database, nothing else to run) or `rq` (django-tasks-rq: jobs go
through Redis at `FANGYI_REDIS_URL`, for workers on several machines), or the dotted path of
any `django.tasks` backend. Nothing in this module imports a backend, so settings.py may use it.
"""

import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

DATABASE = "django_tasks_db.DatabaseBackend"
RQ = "fangyi.core.rq.RQBackend"
SHORT_NAMES = {"database": DATABASE, "rq": RQ}


def backend_path(name: str) -> str:
    """The dotted path of the backend `name` stands for (a short name or a dotted path)."""
    name = name.strip() or "database"
    if name in SHORT_NAMES:
        return SHORT_NAMES[name]
    if "." not in name:
        raise ImproperlyConfigured(
            f"FANGYI_TASK_BACKEND={name!r}: use {' or '.join(SHORT_NAMES)}, or a dotted path"
        )
    return name


def uses_rq(alias: str = "default") -> bool:
    from .rq import RQBackend

    backend: type = import_string(settings.TASKS[alias]["BACKEND"])
    return issubclass(backend, RQBackend)


def worker_command(alias: str = "default") -> list[str]:
    """The argv that starts a worker of the backend `alias` of settings.TASKS, on all of its
    queues: `fangyi db_worker` for the database backend, `fangyi rqworker` for RQ. The demo,
    `fangyi worker` and the tests that run a worker in a process of its own all use it."""
    from django.tasks import task_backends
    from django_tasks_db import DatabaseBackend

    fangyi = [sys.executable, "-m", "fangyi"]
    backend = task_backends[alias]
    queues = sorted(backend.queues)
    if isinstance(backend, DatabaseBackend):
        return [
            *fangyi,
            "db_worker",
            "--backend",
            alias,
            "--queue-name",
            ",".join(queues) or "*",
            "--no-startup-delay",
            "--no-reload",
        ]
    if uses_rq(alias):
        return [*fangyi, "rqworker", "--job-class", "fangyi.core.rq.Job", *queues]
    raise ImproperlyConfigured(
        f"No worker command is known for the task backend {settings.TASKS[alias]['BACKEND']}"
    )

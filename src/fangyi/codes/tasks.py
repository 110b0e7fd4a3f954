"""Housekeeping, enqueued by `fangyi scheduler` (core/scheduling.py)."""

from django.tasks import task

from fangyi.core.context import acting

from . import services


@task
def purge_expired_task() -> int:
    with acting(via="task"):
        return services.purge_expired()

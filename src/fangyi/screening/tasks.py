"""Screening's background sweep, enqueued by `fangyi scheduler` (core/scheduling.py)."""

from django.tasks import task

from fangyi.core.context import acting

from .coverage import services as coverage


@task
def home_tasks_for_running_rounds_task() -> dict[str, int]:
    with acting(via="task"):
        done = coverage.create_home_tasks_for_running_rounds()
    return {"rounds": len(done), "created": sum(counts.created for _round, counts in done)}

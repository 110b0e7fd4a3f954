"""The problem list's periodic job, run by `fangyi db_worker` (or any django.tasks backend)."""

from django.tasks import task

from fangyi.core.context import acting

from . import services


@task
def make_problem_lists_task() -> int:
    with acting(via="task"):
        return services.make_due_lists()

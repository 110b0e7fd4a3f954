"""Background recomputes, run by `fangyi db_worker` (or any django.tasks backend)."""

from django.tasks import task

from fangyi.core.context import acting

from . import recompute


@task
def recompute_persons_task(person_ids: list[str]) -> None:
    with acting(via="task"):
        recompute.recompute_persons(person_ids)


@task
def recompute_under_task(paths: list[str]) -> None:
    with acting(via="task"):
        recompute.recompute_under(paths)


@task
def recompute_due_task() -> int:
    """Periods that ended and persons never computed (enqueued every minute by the scheduler)."""
    with acting(via="task"):
        return recompute.recompute_due().persons


@task
def recompute_all_task() -> None:
    with acting(via="task"):
        recompute.recompute_all()

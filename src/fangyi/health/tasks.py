"""Background recomputes, run by `fangyi db_worker` (or any django.tasks backend).

Each is recorded as a `RecomputeRun` while it runs, so that one whose worker died is found and
run again by recovery (`health.recovery`); `run_id` names the run being resumed."""

from django.tasks import task

from fangyi.core.context import acting

from . import recompute
from .runs import tracked


@task
def recompute_persons_task(person_ids: list[str], run_id: str | None = None) -> None:
    with acting(via="task"), tracked("persons", person_ids, run_id) as progress:
        if progress is not None:
            recompute.recompute_persons(person_ids, on_batch=progress)


@task
def recompute_under_task(paths: list[str], run_id: str | None = None) -> None:
    with acting(via="task"), tracked("under", paths, run_id) as progress:
        if progress is not None:
            recompute.recompute_under(paths, on_batch=progress)


@task
def recompute_due_task() -> int:
    """Periods that ended and persons never computed (enqueued every minute by the scheduler)."""
    with acting(via="task"):
        return recompute.recompute_due().persons


@task
def recompute_all_task(run_id: str | None = None) -> None:
    with acting(via="task"), tracked("all", [], run_id) as progress:
        if progress is not None:
            recompute.recompute_all(on_batch=progress)

"""Field work's periodic job, run by `fangyi db_worker` (or any django.tasks backend)."""

from django.tasks import task

from fangyi.core.context import acting

from . import services


@task
def release_stale_claims_task() -> int:
    with acting(via="task"):
        return services.release_stale_claims()

"""The retention purge, run by `fangyi db_worker` (or any django.tasks backend)."""

from django.tasks import task

from fangyi.core.context import acting

from . import services


@task
def purge_old_task() -> dict[str, int]:
    with acting(via="task"):
        return services.purge_old()

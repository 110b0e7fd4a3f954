"""The periodic follow-up work, run by `fangyi worker` (or any django.tasks backend)."""

from django.tasks import task

from fangyi.core.context import acting

from . import services


@task
def daily_sweep_task() -> dict[str, int]:
    with acting(via="task"):
        return services.daily_sweep()

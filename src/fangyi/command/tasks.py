"""Today's snapshot of every figure for every region, run by the scheduler every hour."""

from django.tasks import task

from fangyi.core.context import acting

from . import services


@task
def snapshot_today_task() -> int:
    with acting(via="task"):
        return services.take_snapshot()

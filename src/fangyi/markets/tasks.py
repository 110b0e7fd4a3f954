"""Every light recomputed, run by `fangyi db_worker` (or any django.tasks backend): the
windows move with the date even on a day nobody reports."""

from django.tasks import task

from fangyi.core.context import acting

from . import services


@task
def recompute_lights_task() -> int:
    with acting(via="task"):
        return services.recompute_all()

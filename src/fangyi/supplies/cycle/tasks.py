"""The daily cycle's periodic job, run by `fangyi db_worker` (or any django.tasks backend)."""

from django.tasks import task

from fangyi.core.context import acting

from . import services


@task
def form_due_batches_task() -> int:
    with acting(via="task"):
        return len(services.form_due_batches())

"""The periodic opening of contacts' investigations, run by `fangyi db_worker` (or any
django.tasks backend)."""

from django.tasks import task

from fangyi.core.context import acting

from . import services


@task
def open_for_positive_contacts_task() -> int:
    with acting(via="task"):
        return services.open_for_positive_contacts()

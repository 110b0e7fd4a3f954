"""The morning job: yesterday's briefing for the city and every district, from the configured
hour on."""

from django.tasks import task

from fangyi.core.context import acting

from . import services


@task
def morning_briefings_task() -> int:
    with acting(via="task"):
        return services.generate_due()

from django.tasks import task

from fangyi.core.context import acting

from . import services


@task
def escalate_due_task() -> dict[str, int]:
    """The escalation sweep (services.escalate_due), every minute from the scheduler."""
    with acting(via="task"):
        result = services.escalate_due()
    return {"warned": result.warned, "overdue": result.overdue}

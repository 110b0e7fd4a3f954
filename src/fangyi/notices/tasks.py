"""Queueing and sending a notice's SMS, run by `fangyi db_worker` (or any django.tasks
backend): queued once as a notice is published, sent every minute by the scheduler."""

from dataclasses import asdict

from django.tasks import task

from fangyi.core.context import acting

from . import services


@task
def queue_sms_task(notice_id: str) -> int:
    with acting(via="task"):
        queued = services.queue_sms(notice_id=notice_id)
    if queued:
        send_sms_task.enqueue()
    return queued


@task
def send_sms_task() -> dict[str, int]:
    with acting(via="task"):
        return asdict(services.send_due_sms())

"""Core's one task: a round trip through the queue, to see that workers run what is enqueued
(on whichever backend) and to time the backends (benchmarks/tasks.py)."""

from django.tasks import task


@task
def echo_task(value: int) -> int:
    return value

"""Isolation's periodic work, enqueued by `fangyi scheduler` (area.py declares the intervals):
thin wrappers over the services."""

from django.tasks import task

from fangyi.core.context import acting

from . import proposals, sweep


@task
def propose_missing_task() -> int:
    """Orders for contact facts whose proposal a failed receiver missed."""
    with acting(via="task"):
        return proposals.catch_up()


@task
def nightly_sweep_task() -> dict:
    """Next stages of released orders, and overdue orders marked with their reasons."""
    with acting(via="task"):
        return sweep.sweep().__dict__

"""The record of a recompute run by the task worker, and its recovery when the worker died.

A recompute rewrites statuses from facts, batch by batch, each batch in its own transaction:
killed half-way, it leaves some statuses new and the rest as they were, all of them whole.
Run again from the start it ends exactly where an uninterrupted run ends, so recovery simply
queues it again, until FANGYI_JOB_MAX_ATTEMPTS starts; then it fails, with the reason, and
`fangyi health recompute` runs it by hand.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import workers

from .models import RecomputeRun

logger = logging.getLogger(__name__)
State = RecomputeRun.State


@contextlib.contextmanager
def tracked(
    scope: str, targets: list, run_id: str | None
) -> Iterator[Callable[[int], None] | None]:
    """Records the run (or takes over `run_id`, queued again by recovery) and yields the
    callback that counts its batches; None when that run is no longer queued."""
    now = timezone.now()
    claimed = {
        "state": State.RUNNING,
        "worker": workers.identity(),
        "progressed_at": now,
        "persons_done": 0,
    }
    if run_id is None:
        run = RecomputeRun.objects.create(scope=scope, targets=targets, attempts=1, **claimed)
    else:
        taken = RecomputeRun.objects.filter(pk=run_id, state=State.QUEUED).update(
            attempts=F("attempts") + 1, **claimed
        )
        if not taken:
            yield None
            return
        run = RecomputeRun.objects.get(pk=run_id)

    def progress(persons: int) -> None:
        # Added in the database: a recompute split over processes counts from each of them.
        RecomputeRun.objects.filter(pk=run.pk).update(
            persons_done=F("persons_done") + persons, progressed_at=timezone.now()
        )

    try:
        yield progress
    except Exception as exc:
        RecomputeRun.objects.filter(pk=run.pk).update(
            state=State.FAILED, message=str(exc)[:1000], finished_at=timezone.now()
        )
        raise
    RecomputeRun.objects.filter(pk=run.pk).update(
        state=State.DONE, message="", finished_at=timezone.now()
    )


def enqueue(run: RecomputeRun) -> None:
    from . import tasks

    run_id = str(run.pk)
    if run.scope == "all":
        tasks.recompute_all_task.enqueue(run_id=run_id)
    elif run.scope == "under":
        tasks.recompute_under_task.enqueue(run.targets, run_id=run_id)
    else:
        tasks.recompute_persons_task.enqueue(run.targets, run_id=run_id)


def recover(sender=None, *, now, **kwargs) -> list[str]:
    lines = []
    for run in RecomputeRun.objects.filter(state=State.RUNNING).order_by("created_at"):
        if not workers.abandoned(run.worker, run.progressed_at, now=now):
            continue
        died = _("任务进程在重算 %(n)d 人后中断。") % {"n": run.persons_done}
        if run.attempts >= settings.FANGYI_JOB_MAX_ATTEMPTS:
            state = State.FAILED
            message = died + _(
                "已中断 %(n)d 次，不再自动重试；请检查任务进程后用 fangyi health recompute 重算。"
            ) % {"n": run.attempts}
        else:
            state = State.QUEUED
            message = died + _("已重新排队，将从头重算（结果与一次完成的重算相同）。")
        taken = RecomputeRun.objects.filter(
            pk=run.pk, state=State.RUNNING, worker=run.worker, attempts=run.attempts
        ).update(
            state=state,
            message=message,
            worker="",
            finished_at=None if state == State.QUEUED else now,
        )
        if not taken:
            continue
        if state == State.QUEUED:
            enqueue(run)
        lines.append(
            f"recompute {run.scope} {run.pk}: worker {run.worker} died after "
            f"{run.persons_done} persons, {'queued again' if state == State.QUEUED else 'failed'}"
        )
    return lines

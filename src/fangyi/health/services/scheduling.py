"""Bringing statuses up to date after a change, switching the plan in force, and reading one
person's status."""

import contextlib
from contextvars import ContextVar
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import CHANGE, require
from fangyi.people.models import Person
from fangyi.regions.models import Region

from .. import recompute, runs
from ..area import POLICY
from ..models import Policy, RecomputeRun, Status

# Recomputing. Small sets are done at once, so whoever acted sees the result on the next
# page; large ones go to the task worker.


def _inline_limit() -> int:
    return settings.FANGYI_HEALTH_INLINE_PERSONS


# The persons asked for inside `recomputed_together`, waiting for its end.
_gathered: ContextVar[set[str] | None] = ContextVar("health_recompute_gathered", default=None)


@contextlib.contextmanager
def recomputed_together():
    """Statuses asked for inside the block (facts recorded, residents moved) are brought up
    to date once, as it ends: a writer that records facts and moves residents in one
    transaction (a sweep's upload) recomputes once and renews the colour tallies once. Nothing
    inside may read those statuses before the block ends. Left by an error, nothing is
    recomputed (the transaction it belongs to is rolled back). Nested, the outer block runs it."""
    if _gathered.get() is not None:
        yield
        return
    gathered: set[str] = set()
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
    if gathered:
        schedule_for_persons(gathered)


def schedule_for_persons(person_ids) -> None:
    ids = [str(pk) for pk in person_ids]
    gathered = _gathered.get()
    if gathered is not None:
        gathered.update(ids)
        return
    if len(ids) <= _inline_limit():
        recompute.recompute_persons(ids)
        return
    from ..tasks import recompute_persons_task

    for start in range(0, len(ids), 50_000):
        chunk = ids[start : start + 50_000]
        transaction.on_commit(partial(recompute_persons_task.enqueue, chunk))


def residents_moved_receiver(*, person_ids, **kwargs) -> None:
    """A moved resident leaves one set of zones for another: their colour follows at once."""
    if person_ids:
        schedule_for_persons(person_ids)


def schedule_for_paths(paths: list[str]) -> None:
    residents = (
        Region.objects.filter(path__in=paths).aggregate(total=Sum("resident_count"))["total"] or 0
    )
    if residents <= _inline_limit():
        recompute.recompute_under(paths)
        return
    from ..tasks import recompute_under_task

    transaction.on_commit(lambda: recompute_under_task.enqueue(list(paths)))


def schedule_everyone() -> None:
    from ..tasks import recompute_all_task

    if Person.objects.count() <= _inline_limit():
        recompute.recompute_all()
        return
    transaction.on_commit(lambda: recompute_all_task.enqueue())


def retry_recompute(*, actor, run: RecomputeRun) -> RecomputeRun:
    """Queues again a recompute that failed (its worker died too often, or it broke off):
    run from the start it ends where an uninterrupted run ends, with fresh attempts."""
    require(actor, POLICY, CHANGE)
    with transaction.atomic():
        taken = RecomputeRun.objects.filter(pk=run.pk, state=RecomputeRun.State.FAILED).update(
            state=RecomputeRun.State.QUEUED,
            message="",
            attempts=0,
            worker="",
            persons_done=0,
            progressed_at=timezone.now(),
            finished_at=None,
        )
        if not taken:
            raise ValidationError({"run": _("只有失败的重新计算可以重试。")})
        audit.record_change(
            actor=actor,
            action=ObjectChange.UPDATE,
            obj=run,
            before={"state": RecomputeRun.State.FAILED.value, "message": run.message},
            after={"state": RecomputeRun.State.QUEUED.value, "message": ""},
        )
        transaction.on_commit(lambda: runs.enqueue(run))
    run.refresh_from_db()
    return run


# Policy


def switch_policy(*, actor, policy: Policy) -> Policy:
    require(actor, POLICY, CHANGE)
    current = Policy.objects.filter(in_force=True).first()
    if current == policy:
        return policy
    with transaction.atomic():
        Policy.objects.filter(in_force=True).update(in_force=False)
        Policy.objects.filter(pk=policy.pk).update(in_force=True)
        policy.in_force = True
        audit.record_change(
            actor=actor,
            action=ObjectChange.UPDATE,
            obj=policy,
            before={"in_force": current.label if current else None},
            after={"in_force": policy.label},
        )
        schedule_everyone()
    return policy


def current_status(person: Person) -> Status:
    """The stored status, computed first if this person has none yet or the moment it said it
    would change has passed (the minute sweep may not have run yet)."""
    status = Status.objects.filter(person=person).first()
    if status is None or (status.valid_until is not None and status.valid_until <= timezone.now()):
        recompute.recompute_persons([person.pk])
        status = Status.objects.get(person=person)
    return status

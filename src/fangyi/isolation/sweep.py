"""The nightly sweep: nothing under an order is left unattended.

It starts the next stage of every released order whose plan prescribes one and which has none
(a release made before a crash, or by a version without next stages), and marks each running
order past its planned end that is not ready: an event on its timeline naming what it lacks,
once per order and planned end, so that the due list and the order's page say why it is still
open. Set-wise: a handful of queries whatever the number of orders.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit

from . import readiness, services
from .models import Order, OrderEvent, OrderState

# Released orders older than this no longer get a next stage: it would be over already.
NEXT_STAGE_WINDOW = datetime.timedelta(days=14)
OVERDUE = "overdue"


@dataclass(frozen=True)
class SweepResult:
    next_stages: int
    ready: int
    overdue: int
    newly_overdue: int


def sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    released = (
        Order.objects.filter(state=OrderState.RELEASED, ended_at__gte=now - NEXT_STAGE_WINDOW)
        .exclude(Exists(Order.objects.filter(previous=OuterRef("pk"))))
        .select_related("person")
    )
    started = services.start_next_stages(actor=None, orders=list(released))
    ready, overdue = readiness.split_due(Order.objects.all(), now)
    newly = _mark_overdue(overdue, now)
    return SweepResult(len(started), len(ready), len(overdue), newly)


def _mark_overdue(overdue: list[readiness.Assessed], now: datetime.datetime) -> int:
    if not overdue:
        return 0
    ids = [item.order_id for item in overdue]
    marked: set = set()
    states: dict = {}
    for start in range(0, len(ids), readiness.SLICE):
        part = ids[start : start + readiness.SLICE]
        states.update(Order.objects.filter(pk__in=part).values_list("pk", "state"))
        # Marked already for the planned end it has now (an extension is a new planned end).
        marked.update(
            OrderEvent.objects.filter(
                order_id__in=part,
                details__mark=OVERDUE,
                at__gte=Order.objects.filter(pk=OuterRef("order_id")).values("planned_end_at"),
            ).values_list("order_id", flat=True)
        )
    events = [
        OrderEvent(
            order_id=item.order_id,
            from_state=states[item.order_id],
            to_state=states[item.order_id],
            at=now,
            actor_name=audit.actor_fields(None)["actor_name"],
            reason=_("已到解除时间但不满足解除条件"),
            details={
                "mark": OVERDUE,
                "problems": [readiness.describe(problem) for problem in item.problems],
            },
        )
        for item in overdue
        if item.order_id not in marked and item.order_id in states
    ]
    with transaction.atomic():
        OrderEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)

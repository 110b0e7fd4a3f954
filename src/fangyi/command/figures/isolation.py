"""Isolation: people under each kind of order, orders to place, overdue (running past their
planned end), released today."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.health.models import QuarantineSetting
from fangyi.isolation.models import RUNNING_STATES, Order, OrderState

from .base import Figure, Source, grouped

PEOPLE = _("人")
GROUP = _("隔离管控")

KIND_FIGURES = tuple(
    Figure(
        key=f"orders.{setting.value}",
        name=setting.label,
        unit=PEOPLE,
        group=GROUP,
        list_url="isolation:order-list",
        list_query=(("state", "running"), ("kind", setting.value)),
        headline=setting.value == QuarantineSetting.CENTRALISED,
    )
    for setting in QuarantineSetting
)
TO_PLACE = Figure(
    key="orders.to_place",
    name=_("待安置"),
    unit=PEOPLE,
    group=GROUP,
    list_url="isolation:order-list",
    list_query=(("state", OrderState.TO_PLACE),),
    headline=True,
)
OVERDUE = Figure(
    key="orders.overdue",
    name=_("超期未解除"),
    unit=PEOPLE,
    group=GROUP,
    list_url="isolation:order-list",
    list_query=(("state", "overdue"),),
)
RELEASED = Figure(
    key="orders.released",
    name=_("当日解除"),
    unit=PEOPLE,
    group=GROUP,
    list_url="isolation:order-list",
    list_query=(("state", OrderState.RELEASED),),
    day_filter=True,
)


def day_range(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time.min, timezone.get_current_timezone())
    return start, start + datetime.timedelta(days=1)


def compute(day, now, within: str) -> dict[str, dict[str, float]]:
    running = Order.objects.filter(state__in=RUNNING_STATES)
    by_kind = grouped(running, within, by="kind")
    values = {f"orders.{s.value}": by_kind.get(s.value, {}) for s in QuarantineSetting}
    values[TO_PLACE.key] = grouped(Order.objects.filter(state=OrderState.TO_PLACE), within).get(
        "", {}
    )
    values[OVERDUE.key] = grouped(running.filter(planned_end_at__lt=now), within).get("", {})
    start, end = day_range(day)
    released = Order.objects.filter(
        state=OrderState.RELEASED, ended_at__gte=start, ended_at__lt=end
    )
    values[RELEASED.key] = grouped(released, within).get("", {})
    return values


SOURCE = Source(figures=(*KIND_FIGURES, TO_PLACE, OVERDUE, RELEASED), compute=compute)

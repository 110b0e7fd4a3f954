"""Supplies to the door: requests open, late (open past their time limit), delivered on the day.
Each opens the requests board on the same rows: `late=1`, or `day` for the deliveries."""

from django.utils.translation import gettext_lazy as _

from fangyi.supplies.models import OPEN_STATES, Request, RequestState

from .base import Figure, Source, grouped
from .isolation import day_range

REQUESTS = _("件")
GROUP = _("物资保障")

OPEN = Figure(
    key="supplies.open",
    name=_("未办结物资需求"),
    unit=REQUESTS,
    group=GROUP,
    list_url="supplies:board",
)
LATE = Figure(
    key="supplies.late",
    name=_("超时物资需求"),
    unit=REQUESTS,
    group=GROUP,
    list_url="supplies:board",
    list_query=(("late", "1"),),
    headline=True,
)
DELIVERED = Figure(
    key="supplies.delivered",
    name=_("当日送达"),
    unit=REQUESTS,
    group=GROUP,
    list_url="supplies:board",
    day_filter=True,
)


def compute(day, now, within: str) -> dict[str, dict[str, float]]:
    open_requests = Request.objects.filter(state__in=OPEN_STATES)
    start, end = day_range(day)
    delivered = Request.objects.filter(
        state=RequestState.DELIVERED, delivered_at__gte=start, delivered_at__lt=end
    )
    return {
        OPEN.key: grouped(open_requests, within).get("", {}),
        LATE.key: grouped(open_requests.filter(due_at__lt=now), within).get("", {}),
        DELIVERED.key: grouped(delivered, within).get("", {}),
    }


SOURCE = Source(figures=(OPEN, LATE, DELIVERED), compute=compute)

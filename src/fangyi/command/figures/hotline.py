"""The 12345 hotline: tickets open, overdue (open past their time limit), and the share of the
day's callbacks that found the caller satisfied or basically satisfied. The first two open
the inbox on every open ticket of the region (`all=1`, whatever the unit), the last the
callbacks answered that day."""

from django.utils.translation import gettext_lazy as _

from fangyi.hotline.models import OPEN_STATES, Callback, CallbackState, Satisfaction, Ticket

from .base import Figure, Source, grouped
from .isolation import day_range

TICKETS = _("件")
GROUP = _("12345 热线")

OPEN = Figure(
    key="hotline.open",
    name=_("未办结工单"),
    unit=TICKETS,
    group=GROUP,
    list_url="hotline:inbox",
    list_query=(("all", "1"),),
)
OVERDUE = Figure(
    key="hotline.overdue",
    name=_("超时工单"),
    unit=TICKETS,
    group=GROUP,
    headline=True,
    list_url="hotline:inbox",
    list_query=(("all", "1"), ("overdue", "1")),
)
SATISFACTION = Figure(
    key="hotline.satisfaction",
    name=_("当日回访满意率"),
    unit="%",
    group=GROUP,
    list_url="hotline:callbacks",
    day_filter=True,
)


def compute(day, now, within: str) -> dict[str, dict[str, float]]:
    open_tickets = Ticket.objects.filter(state__in=OPEN_STATES)
    start, end = day_range(day)
    answered = Callback.objects.filter(
        state=CallbackState.DONE, done_at__gte=start, done_at__lt=end
    )
    by_result = grouped(answered, within, by="result")
    done: dict[str, float] = {}
    pleased: dict[str, float] = {}
    for result, counts in by_result.items():
        for path, count in counts.items():
            done[path] = done.get(path, 0) + count
            if result in (Satisfaction.SATISFIED, Satisfaction.BASICALLY):
                pleased[path] = pleased.get(path, 0) + count
    return {
        OPEN.key: grouped(open_tickets, within).get("", {}),
        OVERDUE.key: grouped(open_tickets.filter(due_at__lt=now), within).get("", {}),
        SATISFACTION.key: {
            path: round(100 * pleased.get(path, 0) / count, 1) for path, count in done.items()
        },
    }


SOURCE = Source(figures=(OPEN, OVERDUE, SATISFACTION), compute=compute)

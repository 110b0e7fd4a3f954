"""The transfer cards: people waiting over an hour to be placed (the officer's), and the
batches a driver has to drive."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.areas import Todo, TodoItem, bounded_count

from ..models import TransferState
from . import services

# "Sampling, report, transfer ... each within one hour": who waits longer is late.
LATE = services.HOUR
ITEMS = 5


def waiting_long(user) -> Todo:
    """People waiting to be placed for over an hour since being found, and the longest wait."""
    now = timezone.now()
    late = services.waiting(user, found_before=now - LATE)
    count, more = bounded_count(late)
    if not count:
        return Todo(count=0)
    longest = late.order_by(*services.LONGEST_FIRST).first()
    note = ""
    if longest is not None:
        note = _("最长已等 %(hours)s 小时") % {
            "hours": services.hours(services.found_of(longest), now)
        }
    return Todo(count=count, more=more, note=note)


def driving(user) -> Todo:
    """The batches the user drives that have not ended, the earliest first."""
    batches = services.batches_for(user).filter(
        driver=user, state__in=(TransferState.PLANNED, TransferState.UNDER_WAY)
    )
    count, more = bounded_count(batches)
    items = [
        TodoItem(
            label=f"{batch.vehicle} · {batch.get_state_display()}",
            url=reverse("transfer:detail", args=[batch.pk]),
            detail=timezone.localtime(batch.planned_at).strftime("%m-%d %H:%M"),
        )
        for batch in batches.order_by("planned_at", "id")[:ITEMS]
    ]
    return Todo(count=count, more=more, items=items)

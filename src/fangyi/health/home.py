"""The officers' home-page cards of the health area: appeals waiting for an answer, manual
decisions waiting for a second officer, zones that meet their lifting criteria."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangyi.core.areas import Todo, TodoItem, bounded_count
from fangyi.core.permissions import CHANGE, can

from .area import ZONE
from .models import Appeal, ManualDecision, Zone
from .services import zone_state
from .templatetags.health import OVERDUE

# Zones are few, but each one's criteria take a few queries: the card looks at the oldest.
ZONES_EXAMINED = 5
SHOWN_ITEMS = 5


def open_appeals(user, now: datetime.datetime | None = None) -> Todo:
    """Open appeals the user may decide; those waiting over 24 hours are named."""
    now = now or timezone.now()
    waiting = Appeal.objects.restrict(user, CHANGE).filter(state=Appeal.State.OPEN)
    count, more = bounded_count(waiting)
    overdue, _more = bounded_count(waiting.filter(filed_at__lt=now - OVERDUE))
    note = ""
    if overdue:
        note = ngettext(
            "%(n)s 条申诉已超过 24 小时未处理", "%(n)s 条申诉已超过 24 小时未处理", overdue
        ) % {"n": overdue}
    oldest = waiting.select_related("person").order_by("filed_at", "id")[:SHOWN_ITEMS]
    items = [
        TodoItem(
            label=appeal.person.masked_name,
            url=reverse("health:appeal-detail", args=[appeal.pk]),
            detail=_("已等待 %(hours)s 小时")
            % {"hours": int((now - appeal.filed_at).total_seconds() // 3600)},
        )
        for appeal in oldest
    ]
    return Todo(count=count, more=more, note=note, items=items)


def decisions_to_approve(user) -> Todo:
    """Pending manual decisions that the user may approve: proposed by someone else."""
    pending = (
        ManualDecision.objects.restrict(user, CHANGE)
        .filter(state=ManualDecision.State.PENDING)
        .exclude(proposed_by=user)
    )
    count, more = bounded_count(pending)
    return Todo(
        count=count,
        more=more,
        url=reverse("health:decision-list") + f"?state={ManualDecision.State.PENDING}",
    )


def zones_to_lift(user) -> Todo:
    """Active zones the user may lift whose lifting criteria are all met."""
    zones = (
        Zone.objects.restrict(user, CHANGE)
        .active()
        .select_related("policy")
        .prefetch_related("areas")
        .order_by("starts_at", "id")[:ZONES_EXAMINED]
    )
    # A zone drawn above the user's regions is listed to them but lifted by those above.
    ready = [
        zone
        for zone in zones
        if all(can(user, ZONE, CHANGE, area.path) for area in zone.areas.all())
        and zone_state(zone).meets_criteria
    ]
    items = [
        TodoItem(label=zone.name, url=reverse("health:zone-lift", args=[zone.pk]))
        for zone in ready[:SHOWN_ITEMS]
    ]
    return Todo(count=len(ready), items=items)

"""The hotline's pages for staff: a unit's inbox by time left, the command centre's overdue
board (督办), the operators' callback queue, a ticket's page, and the caller's earlier tickets
and household as the intake page's number is typed. Reads go through queries.py, which starts
from `restrict`; writes go through the area's services."""

import datetime
import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.api import page_of
from fangyi.core.pagination import InvalidCursor
from fangyi.core.permissions import ADD, VIEW, can
from fangyi.core.schemas import PageParams

from . import queries
from .area import TICKET
from .models import OPEN_STATES, State, Ticket, Urgency

PAGE = 50
# A cursor is a few dozen characters; anything much longer was not issued here.
CURSOR_LONGEST = 500
# The caller lookup answers for a number or an ID's last four, never a page of text.
LOOKUP_LONGEST = 40


def _cursor(request) -> PageParams:
    cursor = request.GET.get("cursor") or None
    if cursor is not None and (len(cursor) > CURSOR_LONGEST or "\x00" in cursor):
        raise Http404
    return PageParams(cursor=cursor, limit=PAGE)


def _paged(request, rows, ordering):
    try:
        return page_of(rows, ordering=ordering, page=_cursor(request))
    except InvalidCursor as exc:
        raise Http404 from exc


def time_left(delta: datetime.timedelta) -> str:
    """A span as days, hours and minutes, the largest two that are not zero."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)s 天 %(hours)s 小时") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s 小时 %(minutes)s 分") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s 分") % {"minutes": minutes}


def with_clocks(rows, now: datetime.datetime | None = None):
    """Each open ticket's clock: green, amber past 80 % of its limit, red past its limit."""
    moment = now or timezone.now()
    for row in rows:
        if row.state in OPEN_STATES:
            row.clock = (
                "red" if row.due_at <= moment else "amber" if row.warn_at <= moment else "green"
            )
            row.clock_text = time_left(row.due_at - moment)
        else:
            row.clock = None
    return rows


def _need(user, action: str = VIEW) -> None:
    if not can(user, TICKET, action):
        raise PermissionDenied


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


@login_required
def inbox(request):
    """待办: the open tickets of the user's units, the soonest due (the overdue) first."""
    user = request.user
    _need(user)
    units = queries.units_of(user)
    chosen = queries.InboxFilter(
        unit=_uuid_or_none(request.GET.get("unit", "")[:40]),
        state=request.GET.get("state", "")[:20],
        urgency=request.GET.get("urgency", "")[:20],
        overdue_only=request.GET.get("overdue") == "1",
    )
    found, next_cursor = _paged(request, queries.inbox(user, chosen), queries.BY_TIME_LEFT)
    return render(
        request,
        "hotline/inbox.html",
        {
            "rows": with_clocks(found),
            "next_cursor": next_cursor,
            "units": units,
            "chosen": chosen,
            "states": [(state.value, state.label) for state in OPEN_STATES],
            "urgencies": Urgency.choices,
            "may_take_in": can(user, TICKET, ADD),
        },
    )


@login_required
def overdue(request):
    """督办: late and escalated tickets in the user's scope, summed up by unit, then listed."""
    user = request.user
    _need(user)
    now = timezone.now()
    found, next_cursor = _paged(request, queries.late(user, now=now), queries.BY_TIME_LEFT)
    return render(
        request,
        "hotline/overdue.html",
        {
            "by_unit": [] if request.GET.get("cursor") else queries.late_by_unit(user, now=now),
            "rows": with_clocks(found, now),
            "next_cursor": next_cursor,
        },
    )


@login_required
def callbacks(request):
    """回访: resolved tickets whose callers are still to be called, the oldest first."""
    user = request.user
    _need(user)
    found, next_cursor = _paged(request, queries.callbacks_due(user), queries.CALLBACK_ORDER)
    return render(request, "hotline/callbacks.html", {"rows": found, "next_cursor": next_cursor})


def ticket_of(user, pk: uuid.UUID, action: str = VIEW) -> Ticket:
    return get_object_or_404(
        queries.tickets(user, action).select_related("caller", "duplicate_of", "intake_by"), pk=pk
    )


@login_required
def ticket(request, pk: uuid.UUID):
    """Everything about a ticket: its state, unit, clock and escalations, its events,
    callers, callbacks and the work it started."""
    user = request.user
    _need(user)
    found = with_clocks([ticket_of(user, pk)])[0]
    merged = list(queries.tickets(user).filter(duplicate_of=found).order_by("received_at", "id"))
    return render(
        request,
        "hotline/ticket.html",
        {
            "ticket": found,
            "events": list(found.events.select_related("unit", "actor").order_by("at", "id")),
            "escalations": list(found.events.filter(kind="escalate").order_by("at", "id")),
            "callbacks": list(found.callbacks.order_by("created_at", "id")),
            "links": list(found.links.order_by("created_at", "id")),
            "merged": merged,
            "closed": found.state in (State.CLOSED, State.MERGED),
        },
    )


@login_required
def caller(request):
    """The intake page's fragment: as the number is typed, the caller's household and
    earlier tickets."""
    user = request.user
    _need(user, ADD)
    number = request.GET.get("number", "")
    history = (
        queries.caller_history(user, number)
        if len(number) <= LOOKUP_LONGEST
        else queries.CallerHistory([], [], [])
    )
    return render(
        request,
        "hotline/_caller.html",
        {"history": history, "number": number[:LOOKUP_LONGEST]},
    )

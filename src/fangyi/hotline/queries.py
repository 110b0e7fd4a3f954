"""What the hotline's pages read: a unit's inbox by time left, the command centre's overdue
board, the operators' callback queue and a caller's earlier tickets. Every read starts from
`restrict`, so a confidential (psychological-help) ticket reaches only the operators and the
unit handling it, here as everywhere."""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from fangyi.core.paths import under
from fangyi.core.permissions import (
    ADD,
    CHANGE,
    MATRIX,
    VIEW,
    Actor,
    assignments_of,
    minimal_paths,
)
from fangyi.fieldwork.models import Task
from fangyi.health.models import Appeal
from fangyi.regions.models import PATH_LENGTHS, Level, Region, looks_like_code
from fangyi.supplies.models import Request

from . import services
from .area import TICKET
from .clock import BEIJING
from .models import (
    OPEN_STATES,
    Callback,
    CallbackState,
    Channel,
    Escalation,
    HandlingUnit,
    LinkKind,
    Ticket,
    TicketLink,
    Urgency,
    unit_ids_of,
)

# Inbox and board: the soonest due first, so that the overdue lead.
BY_TIME_LEFT = ("due_at", "id")
CALLBACK_ORDER = ("created_at", "id")
# The tickets of a number that names no resident, as the intake page shows them.
EARLIER_TICKETS = 10


def resident_tickets(person_id: uuid.UUID) -> QuerySet[Ticket]:
    """The requests a resident filed on the portal: the portal's channel, with them as the
    caller. A call an operator linked to them is not among them: that link is a lookup by
    number or ID tail, which may name the wrong person, and the ticket may be confidential."""
    return Ticket.objects.filter(caller_id=person_id, channel=Channel.PORTAL).select_related(
        "category"
    )


def tickets(user: Actor, action: str = VIEW) -> QuerySet[Ticket]:
    return Ticket.objects.restrict(user, action).select_related("category", "unit", "region")


def intake_regions(user: Actor) -> QuerySet[Region]:
    """The regions where the user takes tickets in (an operator holds no right over the
    region tree itself, only over tickets in it)."""
    return ticket_regions(user, ADD)


def ticket_regions(user: Actor, action: str) -> QuerySet[Region]:
    """The regions where the user may take `action` on tickets."""
    if user is not None and getattr(user, "is_superuser", False) and user.is_active:
        return Region.objects.all()
    paths = minimal_paths(
        path
        for role, path in assignments_of(user)
        if action in MATRIX.get(role, {}).get(TICKET, frozenset())
    )
    if not paths:
        return Region.objects.none()
    scope = Q()
    for path in paths:
        scope |= under("path", path)
    return Region.objects.filter(scope)


# A place known only to a city or district holds thousands of buildings: past this many the
# ticket's page asks for a building's code instead of listing them.
PLACE_BUILDINGS = 200


def buildings_for_place(user: Actor, ticket: Ticket) -> list[tuple[str, str]]:
    """(code, label) of the buildings under the ticket's place where the user may change
    tickets, to locate the ticket in; empty when there are more than PLACE_BUILDINGS. The
    label names the building's community, since a street's buildings repeat their names."""
    found = list(
        ticket_regions(user, CHANGE)
        .filter(under("path", ticket.region_path), level=Level.BUILDING)
        .order_by("path")
        .values_list("code", "path", "name")[: PLACE_BUILDINGS + 1]
    )
    if len(found) > PLACE_BUILDINGS:
        return []
    community_length = PATH_LENGTHS[Level.COMMUNITY]
    communities = dict(
        Region.objects.filter(
            path__in={path[:community_length] for _code, path, _name in found}
        ).values_list("path", "name")
    )
    return [
        (code, f"{communities.get(path[:community_length], '')} {name}（{code}）".strip())
        for code, path, name in found
    ]


def units_of(user: Actor) -> list[HandlingUnit]:
    """The units whose inbox the user works: those they belong to or supervise."""
    return list(HandlingUnit.objects.filter(pk__in=unit_ids_of(user)).order_by("name", "id"))


def in_region(rows: QuerySet, code: str) -> QuerySet:
    """The rows under the region a list's `region` filter names (by code); none for a code
    that names no region. The rows are already restricted to the user's scope."""
    path = None
    if looks_like_code(code):
        path = Region.objects.filter(code=code).values_list("path", flat=True).first()
    return rows.filter(under("region_path", path)) if path else rows.none()


@dataclass(frozen=True)
class InboxFilter:
    unit: uuid.UUID | None = None
    state: str = ""
    urgency: str = ""
    overdue_only: bool = False
    # The command centre's figures open the inbox on a region's open tickets, whatever their
    # unit (the not yet dispatched too): `everything`, and the region's code.
    everything: bool = False
    region: str = ""


def inbox(user: Actor, chosen: InboxFilter, *, now: datetime.datetime | None = None):
    """The open tickets of the user's units (or of one of them), the soonest due first. Who
    belongs to no unit (an operator, the command centre) sees every dispatched open ticket
    of their scope, and may name a unit."""
    rows = tickets(user).filter(state__in=OPEN_STATES)
    if not chosen.everything:
        units = unit_ids_of(user)
        rows = rows.filter(unit_id__in=units) if units else rows.filter(unit__isnull=False)
    if chosen.region:
        rows = in_region(rows, chosen.region)
    if chosen.unit is not None:
        rows = rows.filter(unit_id=chosen.unit)
    if chosen.state in {str(state) for state in OPEN_STATES}:
        rows = rows.filter(state=chosen.state)
    if chosen.urgency in Urgency.values:
        rows = rows.filter(urgency=chosen.urgency)
    if chosen.overdue_only:
        rows = rows.filter(due_at__lt=now or timezone.now())
    return rows


def late(user: Actor, *, now: datetime.datetime | None = None) -> QuerySet[Ticket]:
    """督办: open tickets past their limit or escalated, in the user's scope."""
    moment = now or timezone.now()
    return (
        tickets(user)
        .filter(state__in=OPEN_STATES)
        .filter(Q(due_at__lt=moment) | Q(escalation__gt=Escalation.NONE))
    )


@dataclass(frozen=True)
class UnitLate:
    unit: HandlingUnit | None
    late: int
    overdue: int
    first_due: datetime.datetime


def late_by_unit(user: Actor, *, now: datetime.datetime | None = None) -> list[UnitLate]:
    """The overdue board's summary: per unit, how many of its tickets are late and escalated,
    the unit with the most overdue first."""
    moment = now or timezone.now()
    summary = (
        late(user, now=moment)
        .order_by()
        .values("unit_id")
        .annotate(
            late=Count("id"),
            overdue=Count("id", filter=Q(due_at__lt=moment)),
            first_due=Min("due_at"),
        )
    )
    rows = list(summary)
    units = HandlingUnit.objects.in_bulk([row["unit_id"] for row in rows if row["unit_id"]])
    found = [
        UnitLate(
            unit=units.get(row["unit_id"]),
            late=row["late"],
            overdue=row["overdue"],
            first_due=row["first_due"],
        )
        for row in rows
    ]
    found.sort(key=lambda row: (-row.overdue, -row.late, row.first_due))
    return found


def callbacks_due(user: Actor) -> QuerySet[Callback]:
    """The operators' queue: callbacks still to be made, the oldest first."""
    return (
        Callback.objects.restrict(user, VIEW)
        .filter(state=CallbackState.PENDING)
        .select_related("ticket", "ticket__category", "ticket__unit", "about")
    )


def callbacks_done(user: Actor, *, day: datetime.date, region: str = "") -> QuerySet[Callback]:
    """The callbacks answered on a Beijing day (in a region), as the command centre's
    satisfaction figure counts them."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=BEIJING)
    rows: QuerySet[Callback] = Callback.objects.restrict(user, VIEW).filter(
        state=CallbackState.DONE, done_at__gte=start, done_at__lt=start + datetime.timedelta(days=1)
    )
    if region:
        rows = in_region(rows, region)
    return rows.select_related("ticket", "ticket__category", "ticket__unit", "about")


@dataclass(frozen=True)
class CallerHistory:
    matches: list
    by_number: list[Ticket]


NO_HISTORY = CallerHistory([], [])


def caller_history(user: Actor, number: str) -> CallerHistory:
    """As the intake page's number is typed: the residents it names (the core's lookup: an
    ID's last four, or a mobile number from its first five digits), each with their
    household and latest tickets, and the tickets of that very number from callers who are
    not residents on record."""
    typed = "".join((number or "").split()).upper()
    try:
        if len(typed) == 4:
            matches = services.lookup_callers(actor=user, id_tail=typed)
        elif typed.isdigit() and 5 <= len(typed) <= 11:
            matches = services.lookup_callers(actor=user, phone=typed)
        else:
            return NO_HISTORY
    except ValidationError:
        return NO_HISTORY
    by_number: list[Ticket] = []
    if len(typed) == 11:
        by_number = list(
            tickets(user)
            .filter(caller_phone=typed, caller__isnull=True)
            .order_by("-received_at", "-id")[:EARLIER_TICKETS]
        )
    return CallerHistory(matches=matches, by_number=by_number)


@dataclass
class StartedWork:
    link: TicketLink
    url: str | None  # its page, where the viewer may open it


def started_work(user, ticket: Ticket) -> list[StartedWork]:
    """The work the ticket started, each with its page when the viewer may see it there (each
    area's own `restrict`, as its page checks); the page names the rest as text."""
    pages: dict[str, tuple[QuerySet[Any], str]] = {
        LinkKind.SUPPLY_REQUEST: (Request.objects.restrict(user, VIEW), "supplies:detail"),
        LinkKind.HEALTH_APPEAL: (Appeal.objects.restrict(user, VIEW), "health:appeal-detail"),
        LinkKind.FIELD_TASK: (Task.objects.restrict(user, VIEW), "fieldwork:detail"),
    }
    links = list(ticket.links.order_by("created_at", "id"))
    seen: set[tuple[str, uuid.UUID]] = set()
    for kind, (visible, _page) in pages.items():
        targets = [link.target_id for link in links if link.kind == kind]
        if targets:
            found = visible.filter(pk__in=targets).values_list("pk", flat=True)
            seen.update((kind, pk) for pk in found)
    return [
        StartedWork(
            link,
            reverse(pages[link.kind][1], args=[link.target_id])
            if (link.kind, link.target_id) in seen
            else None,
        )
        for link in links
    ]

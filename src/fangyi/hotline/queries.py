"""What the hotline's pages read: a unit's inbox by time left, the command centre's overdue
board, the operators' callback queue and a caller's earlier tickets. Every read starts from
`restrict`, so a confidential (psychological-help) ticket reaches only the operators and the
unit handling it, here as everywhere."""

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from fangyi.core.permissions import VIEW, Actor
from fangyi.people.models import Household, Person

from .models import (
    OPEN_STATES,
    Callback,
    CallbackState,
    Escalation,
    HandlingUnit,
    Ticket,
    Urgency,
    unit_ids_of,
)

# Inbox and board: the soonest due first, so that the overdue lead.
BY_TIME_LEFT = ("due_at", "id")
CALLBACK_ORDER = ("created_at", "id")
# What the intake page shows of a caller: their last few tickets and the households of the
# residents the number names (a phone shared by a family names several).
EARLIER_TICKETS = 10
RESIDENTS_FOUND = 5


def tickets(user: Actor, action: str = VIEW) -> QuerySet[Ticket]:
    return Ticket.objects.restrict(user, action).select_related("category", "unit", "region")


def units_of(user: Actor) -> list[HandlingUnit]:
    """The units whose inbox the user works: those they belong to or supervise."""
    return list(HandlingUnit.objects.filter(pk__in=unit_ids_of(user)).order_by("name", "id"))


@dataclass(frozen=True)
class InboxFilter:
    unit: uuid.UUID | None = None
    state: str = ""
    urgency: str = ""
    overdue_only: bool = False


def inbox(user: Actor, chosen: InboxFilter, *, now: datetime.datetime | None = None):
    """The open tickets of the user's units (or of one of them), the soonest due first. Who
    belongs to no unit (an operator, the command centre) sees every dispatched open ticket
    of their scope, and may name a unit."""
    units = unit_ids_of(user)
    rows = tickets(user).filter(state__in=OPEN_STATES)
    if units:
        rows = rows.filter(unit_id__in=units)
    else:
        rows = rows.filter(unit__isnull=False)
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


@dataclass(frozen=True)
class CallerHistory:
    residents: list[Person]
    households: list[Household]
    tickets: list[Ticket]


def caller_history(user: Actor, number: str) -> CallerHistory:
    """The residents a phone number or an ID's last four name, their households, and the
    earlier tickets of that number or those residents that the user may see."""
    query = (number or "").strip()
    if not query or not any(character.isdigit() for character in query):
        return CallerHistory([], [], [])
    residents = list(
        Person.objects.restrict(user, VIEW)
        .search(query)
        .select_related("household")
        .order_by("id")[:RESIDENTS_FOUND]
    )
    # A name is not a caller's number: search() would match it as a part of a name.
    residents = [
        person for person in residents if person.phone == query or query in person.id_number
    ]
    households = list(
        {person.household_id: person.household for person in residents if person.household}.values()
    )
    condition = Q(caller__in=residents)
    digits = query.replace(" ", "")
    if len(digits) == 11 and digits.isdigit():
        condition |= Q(caller_phone=digits)
    earlier = list(
        tickets(user).filter(condition).order_by("-received_at", "-id")[:EARLIER_TICKETS]
    )
    return CallerHistory(residents=residents, households=households, tickets=earlier)

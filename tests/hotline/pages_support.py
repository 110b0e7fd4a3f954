"""Tickets in given states for the page tests and the scope world, written as rows: the
hotline's services take tickets in at the present moment, and a page test needs tickets at
fixed points of their clocks (due an hour ago, warned, resolved and waiting for a callback)."""

import datetime
import itertools

from django.utils import timezone

from fangyi.hotline.models import (
    Callback,
    Category,
    EventKind,
    HandlingUnit,
    RoutingRule,
    State,
    Ticket,
    TicketEvent,
)

_numbers = itertools.count(1)


def unit(region, *, code: str, name: str, kind: str = "community", members=(), supervisors=()):
    made = HandlingUnit.objects.create(
        code=code, name=name, kind=kind, region=region, region_path=region.path
    )
    made.members.set(members)
    made.supervisors.set(supervisors)
    return made


def ticket(
    *,
    region,
    category: str = "food",
    state: str = State.DISPATCHED,
    handled_by: HandlingUnit | None = None,
    due_in: datetime.timedelta = datetime.timedelta(hours=8),
    received_ago: datetime.timedelta = datetime.timedelta(hours=1),
    description: str = "小区封控，家中缺米缺菜。",
    caller=None,
    caller_phone: str = "",
    escalation: int = 0,
    now: datetime.datetime | None = None,
) -> Ticket:
    moment = now or timezone.now()
    chosen = Category.objects.get(code=category)
    received = moment - received_ago
    due = moment + due_in
    made = Ticket.objects.create(
        number=f"12345-{received:%Y%m%d}-{next(_numbers):06d}",
        channel="phone",
        caller=caller,
        caller_phone=caller_phone,
        region=region,
        region_path=region.path,
        place_resolved=True,
        category=chosen,
        confidential=chosen.confidential,
        description=description,
        state=state,
        unit=handled_by,
        received_at=received,
        warn_at=received + (due - received) * 0.8,
        due_at=due,
        escalation=escalation,
        dispatched_at=received if handled_by else None,
        resolved_at=moment if state in (State.RESOLVED, State.CLOSED) else None,
    )
    TicketEvent.objects.create(ticket=made, kind=EventKind.INTAKE, at=received, to_state=State.NEW)
    return made


def pending_callback(resolved: Ticket) -> Callback:
    return Callback.objects.create(
        ticket=resolved, about=resolved, region_path=resolved.region_path
    )


def community_team(city, *members, supervisors=(), routed=("food",)) -> HandlingUnit:
    """The community's team of the `city` fixture, with the `routed` categories sent to it."""
    team = unit(
        city.community,
        code="sanfang-team",
        name="三坊社区专班",
        members=members,
        supervisors=supervisors,
    )
    for code in routed:
        RoutingRule.objects.create(
            category=Category.objects.get(code=code),
            region=city.district,
            region_path=city.district.path,
            unit=team,
        )
    return team

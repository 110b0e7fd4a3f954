"""The only code that writes tickets: intake, dispatch, the unit's work, escalation,
callbacks, duplicates and the work a ticket starts in other areas.

Every change of a ticket is a TicketEvent (who, when, from which state to which, why) and an
ObjectChange, written in the same transaction, with the ticket re-read under a row lock so
that two people acting at once cannot both move it. The escalation sweep is the exception:
it moves thousands of tickets in two statements, and its events are their audit record.
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit, hotsql, ratelimit
from fangyi.core.masking import mask_name
from fangyi.core.models import ObjectChange
from fangyi.core.paths import under
from fangyi.core.permissions import (
    ADD,
    ADMIN,
    CHANGE,
    COMMANDER,
    MATRIX,
    VIEW,
    Actor,
    assignments_of,
    minimal_paths,
    require,
)
from fangyi.people.models import Household, Person
from fangyi.portal.services import as_resident
from fangyi.regions.models import Level, Region

from . import clock, setup_cache
from .area import HOTLINE_SETUP, OPERATOR, TICKET
from .models import (
    OPEN_STATES,
    TO_DISPATCH,
    CalendarDay,
    Callback,
    CallbackState,
    Category,
    Channel,
    Escalation,
    EventKind,
    HandlingUnit,
    LinkKind,
    PlaceLevel,
    RoutingRule,
    Satisfaction,
    State,
    Ticket,
    TicketEvent,
    TicketLink,
    UnitKind,
    Urgency,
    unit_ids_of,
)

# The attribute of a ticket just taken in that holds the events intake wrote, in order.
WRITTEN_EVENTS = "written_events"
MAX_DESCRIPTION = 2000
MAX_NOTE = 1000
MAX_ADDRESS = 200
DUPLICATE_WINDOW = datetime.timedelta(hours=24)
# The rate limit of residents' own requests on the portal, per resident.
RESIDENT_LIMIT = "resident-tickets"
TICKET_FIELDS = [
    "number",
    "channel",
    "caller",
    "region",
    "address",
    "category",
    "urgency",
    "description",
    "state",
    "unit",
    "due_at",
]


# The clock's inputs


def working_hours() -> clock.WorkingHours:
    return clock.WorkingHours.parse(
        settings.FANGYI_HOTLINE_WORK_START, settings.FANGYI_HOTLINE_WORK_END
    )


def entered_days(first: datetime.date, last: datetime.date) -> dict[datetime.date, bool]:
    return setup_cache.current().entered(first, last)


def limit_of(category: Category, urgency: str) -> clock.Limit:
    return clock.limit_for(
        kind=category.kind,
        urgent=urgency == Urgency.URGENT,
        limit_minutes=category.limit_minutes,
        limit_working_days=category.limit_working_days,
    )


def deadlines_for(
    category: Category,
    urgency: str,
    received: datetime.datetime,
    *,
    held: setup_cache.Setup | None = None,
) -> clock.Deadlines:
    limit = limit_of(category, urgency)
    first, last = clock.calendar_span(received, limit)
    return clock.deadlines(
        received,
        limit,
        hours=working_hours(),
        entered=(held or setup_cache.current()).entered(first, last),
        same_day_minimum=datetime.timedelta(hours=settings.FANGYI_HOTLINE_SAME_DAY_MINIMUM_HOURS),
    )


def set_calendar_day(*, actor, day: datetime.date, is_workday: bool, note: str = "") -> CalendarDay:
    """An administrator's entry for a day: a holiday or adjusted working day the calendar
    package does not know (a later year), or a local change."""
    require(actor, HOTLINE_SETUP, CHANGE)
    note = _text(note, "note", 100)
    with transaction.atomic():
        entry, created = CalendarDay.objects.update_or_create(
            day=day,
            defaults={
                "is_workday": is_workday,
                "note": note,
                "entered_by": audit.actor_fields(actor)["actor"],
                "entered_at": timezone.now(),
            },
        )
        audit.record_change(
            actor=actor,
            action="create" if created else "update",
            obj=entry,
            before=None,
            after={"day": day.isoformat(), "is_workday": is_workday, "note": note},
        )
    return entry


# Units and rules


def staff_named(usernames: list[str], field: str) -> list:
    """Active staff by username; an unknown one is an error in `field`."""
    from django.contrib.auth import get_user_model

    wanted = {name.strip() for name in usernames if name.strip()}
    found = list(get_user_model().objects.filter(username__in=wanted, is_active=True))
    missing = wanted - {user.get_username() for user in found}
    if missing:
        raise ValidationError(
            {field: _("没有这些工作人员：%(names)s") % {"names": "、".join(sorted(missing))}}
        )
    return found


_UNIT_LEVEL = {"street": Level.STREET, "community": Level.COMMUNITY}


def create_unit(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    region: Region,
    phone: str = "",
    members: Iterable = (),
    supervisors: Iterable = (),
) -> HandlingUnit:
    """A department serving a region, or the team of a street or community (bound to it)."""
    require(actor, HOTLINE_SETUP, ADD, region.path)
    code = _text(code, "code", 40, required=True)
    name = _text(name, "name", 100, required=True)
    phone = _text(phone, "phone", 20)
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("请选择单位类型。")})
    if kind in _UNIT_LEVEL and region.level != _UNIT_LEVEL[kind]:
        raise ValidationError({"region": _("街道专班须绑定街道，社区专班须绑定社区。")})
    if HandlingUnit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("该代码已被使用。")})
    with transaction.atomic():
        unit = HandlingUnit.objects.create(
            code=code, name=name, kind=kind, region=region, region_path=region.path, phone=phone
        )
        unit.members.set(list(members))
        unit.supervisors.set(list(supervisors))
        audit.record_created(actor=actor, obj=unit, fields=["code", "name", "kind", "region"])
    return unit


def create_rule(
    *,
    actor,
    region: Region,
    category: Category | None = None,
    unit: HandlingUnit | None = None,
    place_level: str = "",
) -> RoutingRule:
    """Tickets of `category` (any, when None) in `region` go to `unit`, or to the team of the
    street or community they are in (`place_level`)."""
    require(actor, HOTLINE_SETUP, ADD, region.path)
    if (unit is None) == (not place_level):
        raise ValidationError(
            {"unit": _("请选择承办单位，或按所在地派给街道/社区专班（二选一）。")}
        )
    if place_level and place_level not in PlaceLevel.values:
        raise ValidationError({"place_level": _("请选择街道或社区。")})
    if unit is not None and not unit.active:
        raise ValidationError({"unit": _("该承办单位已停用。")})
    if RoutingRule.objects.filter(category=category, region_path=region.path).exists():
        raise ValidationError({"category": _("该区域已有这个类别的派单规则。")})
    with transaction.atomic():
        rule = RoutingRule.objects.create(
            category=category,
            region=region,
            region_path=region.path,
            unit=unit,
            place_level=place_level,
        )
        audit.record_created(
            actor=actor, obj=rule, fields=["category", "region", "unit", "place_level"]
        )
    return rule


# Who does what


def is_dispatcher(user: Actor, path: str) -> bool:
    """Operators (and administrators) dispatch, merge, resolve places and call back."""
    if user is not None and getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(
        role in (OPERATOR, ADMIN) and path.startswith(scope) for role, scope in assignments_of(user)
    )


def works_for(user: Actor, unit_id: uuid.UUID | None) -> bool:
    if user is not None and getattr(user, "is_superuser", False) and user.is_active:
        return True
    return unit_id is not None and unit_id in unit_ids_of(user)


def _require_dispatcher(user: Actor, ticket: Ticket) -> None:
    require(user, TICKET, CHANGE, ticket.region_path)
    if not is_dispatcher(user, ticket.region_path):
        raise PermissionDenied(_("只有接线员可以派单、合并和回访。"))


def _require_unit(user: Actor, ticket: Ticket) -> None:
    require(user, TICKET, CHANGE, ticket.region_path)
    if not works_for(user, ticket.unit_id):
        raise PermissionDenied(_("只有承办单位的工作人员可以办理该工单。"))


def _text(value: str | None, field: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("不能包含空字符（\\0）。")})
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > limit:
        raise ValidationError({field: _("最多 %(max)d 个字。") % {"max": limit}})
    return value


# Numbers


def next_number(day: datetime.date) -> str:
    """12345-YYYYMMDD-NNNNNN: the next of the Beijing day, from one row per day that the
    statement both creates and counts up, so that concurrent intakes never share a number."""
    table = connection.ops.quote_name("hotline_daycounter")
    with hotsql.cursor(connection) as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        (last,) = cursor.fetchone()
    return f"12345-{day:%Y%m%d}-{last:06d}"


# Intake


@dataclass(frozen=True)
class CallerInput:
    """Who called: a resident found by the lookup, or a name and number as given; all blank
    for an anonymous caller."""

    person: Person | None = None
    name: str = ""
    phone: str = ""


def _check_phone(phone: str) -> str:
    phone = _text(phone, "caller_phone", 20)
    if phone and not phone.isdigit():
        raise ValidationError({"caller_phone": _("来电号码只能是数字。")})
    return phone


def _event_row(
    ticket: Ticket,
    kind: str,
    actor: Actor,
    *,
    at: datetime.datetime,
    from_state: str = "",
    note: str = "",
    level: int | None = None,
) -> TicketEvent:
    """An event of the ticket as it is now, not yet written."""
    who = audit.actor_fields(actor)
    return TicketEvent(
        ticket=ticket,
        kind=kind,
        at=at,
        actor=who["actor"],
        actor_name=who["actor_name"],
        from_state=from_state,
        to_state=ticket.state,
        unit_id=ticket.unit_id,
        level=level,
        note=note,
    )


def _event(
    ticket: Ticket,
    kind: str,
    actor: Actor,
    *,
    at: datetime.datetime,
    from_state: str = "",
    note: str = "",
    level: int | None = None,
) -> TicketEvent:
    event = _event_row(ticket, kind, actor, at=at, from_state=from_state, note=note, level=level)
    event.save(force_insert=True)
    return event


def intake(
    *,
    actor,
    channel: str,
    category: Category,
    description: str,
    region: Region,
    address: str = "",
    urgency: str = Urgency.NORMAL,
    caller: CallerInput | None = None,
    received_at: datetime.datetime | None = None,
    dispatch_now: bool = False,
) -> Ticket:
    """A new ticket, taken in by an operator, a grid worker or the API (the resident portal
    calls `intake_for_resident`). Its limit starts when it was received; with `dispatch_now`
    an operator sends it at once to the unit the rules give, if any."""
    require(actor, TICKET, ADD, region.path)
    return _intake(
        actor=actor,
        channel=channel,
        category=category,
        description=description,
        region=region,
        address=address,
        urgency=urgency,
        caller=caller or CallerInput(),
        received_at=received_at,
        dispatch_now=dispatch_now and is_dispatcher(actor, region.path),
    )


def intake_for_resident(
    *, holder: Person, category: Category, description: str, address: str = ""
) -> Ticket:
    """A resident's own request on the portal: the place is their building, the caller them.
    No operator is on the line, so it goes at once to the unit the rules give, or stays new
    for the dispatchers (as a partner's Open311 request does). A resident files at most
    `resident-tickets` (settings.FANGYI_RATE_LIMITS) requests a window: each one lands in a
    unit's inbox with a clock running. Input refused counts nothing. Raises RateLimited."""
    if not category.active:
        raise ValidationError({"category": _("该类别已停用。")})
    _text(description, "description", MAX_DESCRIPTION, required=True)
    _text(address, "address", MAX_ADDRESS)
    region = Region.objects.get(path=holder.region_path)
    ratelimit.hit(
        RESIDENT_LIMIT,
        str(holder.pk),
        message=_("您提交诉求过于频繁，请稍后再试；情况紧急请直接拨打 12345 热线。"),
    )
    with as_resident():
        ticket = _intake(
            actor=None,
            channel=Channel.PORTAL,
            category=category,
            description=description,
            region=region,
            address=address,
            urgency=Urgency.NORMAL,
            caller=CallerInput(person=holder),
            received_at=None,
            dispatch_now=False,
        )
        dispatch_on_arrival(ticket=ticket)
    return ticket


def intake_for_partner(
    *,
    category: Category,
    description: str,
    region: Region,
    address: str = "",
    caller: CallerInput | None = None,
    received_at: datetime.datetime | None = None,
) -> Ticket:
    """A request filed by a partner's system through Open311, with no staff actor: taken in
    with channel Open311 and sent at once to the unit the rules give (`dispatch_on_arrival`),
    or left new for the dispatchers. No one's right is asked: the caller checked the partner's
    key, and that `region` lies within the key's; it names its channel in the audit context
    (`core.context.acting`) around the call."""
    ticket = _intake(
        actor=None,
        channel=Channel.OPEN311,
        category=category,
        description=description,
        region=region,
        address=address,
        urgency=Urgency.NORMAL,
        caller=caller or CallerInput(),
        received_at=received_at,
        dispatch_now=False,
    )
    dispatch_on_arrival(ticket=ticket)
    return ticket


def _intake(
    *,
    actor,
    channel: str,
    category: Category,
    description: str,
    region: Region,
    address: str,
    urgency: str,
    caller: CallerInput,
    received_at: datetime.datetime | None,
    dispatch_now: bool,
) -> Ticket:
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = [_("请选择来源渠道。")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("请选择紧急程度。")]
    if not category.active:
        errors["category"] = [_("该类别已停用。")]
    if region.level < Level.CITY:
        errors["region"] = [_("请至少选到市一级。")]
    if errors:
        raise ValidationError(errors)
    description = _text(description, "description", MAX_DESCRIPTION, required=True)
    address = _text(address, "address", MAX_ADDRESS)
    name = _text(caller.name, "caller_name", 50)
    phone = _check_phone(caller.phone)
    now = timezone.now()
    received = received_at or now
    if received > now + datetime.timedelta(minutes=5):
        raise ValidationError({"received_at": _("受理时间不能晚于现在。")})
    held = setup_cache.current()
    warn_at, due_at = deadlines_for(category, urgency, received, held=held)
    unit = held.route(category.pk, region.path) if dispatch_now else None
    # Counted before the ticket's transaction, which would otherwise hold the day's counter
    # row locked until it commits and so take calls in one at a time. A number is lost only
    # when writing the ticket fails after every check has passed.
    number = next_number(received.astimezone(clock.BEIJING).date())
    # In UTC, as the database gives them back: the API answers from this very object.
    now, received, warn_at, due_at = (
        moment.astimezone(datetime.UTC) for moment in (now, received, warn_at, due_at)
    )
    ticket = Ticket(
        number=number,
        channel=channel,
        caller=caller.person,
        caller_name=name,
        caller_phone=phone or (caller.person.phone if caller.person else ""),
        region=region,
        region_path=region.path,
        address=address,
        place_resolved=region.level == Level.BUILDING,
        category=category,
        confidential=category.confidential,
        urgency=urgency,
        description=description,
        state=State.NEW,
        received_at=received,
        warn_at=warn_at,
        due_at=due_at,
        intake_by=audit.actor_fields(actor)["actor"],
        created_at=now,
    )
    # The intake and the dispatch by the rules are two events and two audit rows, as if made
    # one after the other, but the ticket is written once, already with its unit, and each
    # kind of row in one statement.
    events = [
        _event_row(ticket, EventKind.INTAKE, actor, at=now, note=ticket.get_channel_display())
    ]
    changes = [
        audit.change_row(
            actor=actor,
            action=ObjectChange.CREATE,
            obj=ticket,
            before=None,
            after=audit.snapshot(ticket, TICKET_FIELDS),
            region_path=ticket.region_path,
        )
    ]
    if unit is not None:
        before = audit.snapshot(ticket, ["state", "unit"])
        ticket.state = State.DISPATCHED
        ticket.unit = unit
        ticket.dispatched_at = now
        dispatched = _event_row(
            ticket,
            EventKind.DISPATCH,
            actor,
            at=now,
            from_state=State.NEW,
            note=_("按派单规则派单"),
        )
        dispatched.unit = unit
        events.append(dispatched)
        changes.append(
            audit.change_row(
                actor=actor,
                action=ObjectChange.UPDATE,
                obj=ticket,
                before=before,
                after=audit.snapshot(ticket, ["state", "unit"]),
                region_path=ticket.region_path,
            )
        )
    _write_new(ticket, events, changes)
    setattr(ticket, WRITTEN_EVENTS, events)
    return ticket


def _write_new(ticket: Ticket, events: list[TicketEvent], changes: list[ObjectChange]) -> None:
    """The new ticket, its events and its audit rows, all or nothing. On PostgreSQL one
    statement (its own transaction when none is open): the tickets of a busy day pay neither
    the ORM's compiling of three inserts nor a BEGIN and a COMMIT (finding 48). Tickets,
    their events and audit rows send no signals on save."""
    ticket_sql, ticket_params = hotsql.insert_sql(connection, [ticket])
    event_sql, event_params = hotsql.insert_sql(connection, events)
    change_sql, change_params = hotsql.insert_sql(connection, changes)
    with hotsql.cursor(connection) as cursor:
        if connection.vendor == "postgresql":
            # The events' ids (a sequence) come back in the order of their VALUES.
            cursor.execute(
                f"WITH new_ticket AS ({ticket_sql}), new_changes AS ({change_sql}) "
                f"{event_sql} RETURNING id",
                [*ticket_params, *change_params, *event_params],
            )
            ids = [row[0] for row in cursor.fetchall()]
        else:
            with transaction.atomic():
                cursor.execute(ticket_sql, ticket_params)
                cursor.execute(change_sql, change_params)
                cursor.execute(f"{event_sql} RETURNING id", event_params)
                ids = [row[0] for row in cursor.fetchall()]
    for event, pk in zip(events, ids, strict=True):
        event.pk = pk
    hotsql.mark_saved(connection, [ticket, *events, *changes])


# Routing and dispatch


def route(ticket: Ticket) -> HandlingUnit | None:
    """The unit the rules give: of the rules for the ticket's category, one of its ancestors
    or any category, in a region above or at the ticket's place, the one of the nearest
    category wins, then that of the smallest region. A rule that sends to the place's street
    or community team gives that team (the active unit of that kind bound to it)."""
    return setup_cache.current().route(ticket.category_id, ticket.region_path)


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("category").get(pk=ticket.pk)


def _save(actor, locked: Ticket, original: Ticket, before: dict, fields: Iterable[str]) -> None:
    names = list(fields)
    locked.save(update_fields=[*names, "updated_at"])
    audit.record_updated(
        actor=actor, obj=locked, before=before, after=audit.snapshot(locked, names)
    )
    for name in [*names, "updated_at"]:
        setattr(original, name, getattr(locked, name))


def _dispatch(actor, ticket: Ticket, unit: HandlingUnit, *, now, note: str) -> None:
    before = audit.snapshot(ticket, ["state", "unit"])
    from_state = ticket.state
    ticket.state = State.DISPATCHED
    ticket.unit = unit
    ticket.dispatched_at = now
    ticket.save(update_fields=["state", "unit", "dispatched_at", "updated_at"])
    _event(ticket, EventKind.DISPATCH, actor, at=now, from_state=from_state, note=note)
    audit.record_updated(
        actor=actor, obj=ticket, before=before, after=audit.snapshot(ticket, ["state", "unit"])
    )


def dispatch(*, actor, ticket: Ticket, unit: HandlingUnit | None = None, note: str = "") -> Ticket:
    """An operator sends a ticket to a unit: the one named, or the one the rules give. A
    ticket already with a unit that has not accepted it may be sent elsewhere."""
    _require_dispatcher(actor, ticket)
    note = _text(note, "note", MAX_NOTE)
    with transaction.atomic():
        locked = _locked(ticket)
        if locked.state not in (*TO_DISPATCH, State.DISPATCHED):
            raise ValidationError({"state": _("该工单已签收或已办结，不能再派单。")})
        target = unit or route(locked)
        if target is None:
            raise ValidationError({"unit": _("没有适用的派单规则，请选择承办单位。")})
        if not target.active:
            raise ValidationError({"unit": _("该承办单位已停用。")})
        _dispatch(actor, locked, target, now=timezone.now(), note=note)
        _copy(locked, ticket)
    return ticket


def dispatch_on_arrival(*, ticket: Ticket) -> HandlingUnit | None:
    """A ticket that arrived with no operator on the line (filed by an Open311 partner or by a
    resident on the portal) goes
    to the unit the rules give, as an operator's intake with `dispatch_now` does; with no
    rule that applies it stays new, in the dispatchers' queue. No one's right is asked: the
    partner's key was checked before the ticket was taken in, and the rules were set by who
    may set them. The event and the audit row name the channel the caller acts through."""
    unit = route(ticket)
    if unit is None:
        return None
    _move(
        None,
        ticket,
        allowed=(State.NEW,),
        kind=EventKind.DISPATCH,
        note=_("按派单规则派单"),
        changes={"state": State.DISPATCHED, "unit": unit, "dispatched_at": lambda now: now},
        refusal=_("该工单已派单。"),
    )
    return unit


def _copy(source: Ticket, target: Ticket) -> None:
    for field in Ticket._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _move(
    actor,
    ticket: Ticket,
    *,
    allowed: tuple,
    kind: str,
    note: str = "",
    changes: dict | None = None,
    refusal: str,
) -> Ticket:
    """Re-reads the ticket under a lock, checks its state, applies `changes`, and writes the
    event and the audit row."""
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(ticket)
        if locked.state not in allowed:
            raise ValidationError({"state": refusal})
        changes = changes or {}
        names = list(changes)
        before = audit.snapshot(locked, names)
        from_state = locked.state
        for name, value in changes.items():
            setattr(locked, name, value(now) if callable(value) else value)
        if names:
            locked.save(update_fields=[*names, "updated_at"])
            audit.record_updated(
                actor=actor, obj=locked, before=before, after=audit.snapshot(locked, names)
            )
        else:
            audit.record_change(
                actor=actor,
                action="update",
                obj=locked,
                before=None,
                after={"event": kind, "note": note},
                region_path=locked.region_path,
            )
        _event(locked, kind, actor, at=now, from_state=from_state, note=note)
        _copy(locked, ticket)
    return ticket


def accept(*, actor, ticket: Ticket) -> Ticket:
    """The unit takes a ticket sent to it (签收)."""
    _require_unit(actor, ticket)
    return _move(
        actor,
        ticket,
        allowed=(State.DISPATCHED,),
        kind=EventKind.ACCEPT,
        changes={"state": State.ACCEPTED, "accepted_at": lambda now: now},
        refusal=_("只有待签收的工单可以签收。"),
    )


def return_ticket(*, actor, ticket: Ticket, reason: str) -> Ticket:
    """The unit sends a ticket back to the dispatchers' queue: not theirs, with the reason."""
    _require_unit(actor, ticket)
    reason = _text(reason, "reason", MAX_NOTE, required=True)
    return _move(
        actor,
        ticket,
        allowed=(State.DISPATCHED, State.ACCEPTED),
        kind=EventKind.RETURN,
        note=reason,
        changes={"state": State.RETURNED, "unit": None, "accepted_at": None},
        refusal=_("该工单已办结，不能退回。"),
    )


def add_note(*, actor, ticket: Ticket, note: str) -> Ticket:
    """A note on the work (办理记录), by the unit, an operator or the command centre."""
    require(actor, TICKET, CHANGE, ticket.region_path)
    if not Ticket.objects.restrict(actor, CHANGE).filter(pk=ticket.pk).exists():
        raise PermissionDenied(_("您不能在该工单上记录。"))
    note = _text(note, "note", MAX_NOTE, required=True)
    return _move(
        actor,
        ticket,
        allowed=(*OPEN_STATES, State.RESOLVED),
        kind=EventKind.NOTE,
        note=note,
        refusal=_("该工单已结案。"),
    )


def reply(*, actor, ticket: Ticket, text: str) -> Ticket:
    """The unit's answer to the caller (答复), kept on the ticket; it may be changed until
    the ticket is resolved."""
    _require_unit(actor, ticket)
    text = _text(text, "text", MAX_DESCRIPTION, required=True)
    return _move(
        actor,
        ticket,
        allowed=(State.ACCEPTED,),
        kind=EventKind.REPLY,
        note=text,
        changes={"reply": text},
        refusal=_("请先签收工单再答复。"),
    )


def resolve(*, actor, ticket: Ticket, text: str = "") -> Ticket:
    """The unit has done what was asked: the ticket waits for its callback."""
    _require_unit(actor, ticket)
    text = _text(text, "text", MAX_DESCRIPTION)
    if not text and not ticket.reply:
        raise ValidationError({"text": _("请填写答复内容再办结。")})
    with transaction.atomic():
        _move(
            actor,
            ticket,
            allowed=(State.ACCEPTED,),
            kind=EventKind.RESOLVE,
            note=text,
            changes={
                "state": State.RESOLVED,
                "resolved_at": lambda now: now,
                **({"reply": text} if text else {}),
            },
            refusal=_("请先签收工单再办结。"),
        )
        _open_callbacks(ticket)
    return ticket


def _open_callbacks(ticket: Ticket) -> None:
    """A callback for the ticket's caller and for each ticket merged into it, unless one is
    still waiting."""
    tickets = [ticket, *Ticket.objects.filter(duplicate_of=ticket)]
    waiting = set(
        Callback.objects.filter(about=ticket, state=CallbackState.PENDING).values_list(
            "ticket_id", flat=True
        )
    )
    Callback.objects.bulk_create(
        Callback(ticket=each, about=ticket, region_path=each.region_path)
        for each in tickets
        if each.pk not in waiting
    )


# Callbacks


def record_callback(*, actor, callback: Callback, result: str, note: str = "") -> Callback:
    """An operator has called the caller back. "Not satisfied" reopens the ticket to the same
    unit with the caller's reason, once; after that, and for the other answers, the ticket
    is closed when every callback of it is done."""
    about = callback.about
    _require_dispatcher(actor, about)
    if result not in Satisfaction.values:
        raise ValidationError({"result": _("请选择回访结果。")})
    note = _text(note, "note", MAX_NOTE, required=result == Satisfaction.NOT_SATISFIED)
    now = timezone.now()
    with transaction.atomic():
        done = Callback.objects.filter(pk=callback.pk, state=CallbackState.PENDING).update(
            state=CallbackState.DONE,
            result=result,
            note=note,
            done_at=now,
            done_by=audit.actor_fields(actor)["actor"],
        )
        if not done:
            raise ValidationError({"state": _("该回访已经记录。")})
        callback.refresh_from_db()
        audit.record_change(
            actor=actor,
            action="update",
            obj=callback,
            before={"state": CallbackState.PENDING},
            after={"state": CallbackState.DONE, "result": result, "note": note},
            region_path=callback.region_path,
        )
        locked = _locked(about)
        label = Satisfaction(result).label
        _event(
            locked,
            EventKind.CALLBACK,
            actor,
            at=now,
            from_state=locked.state,
            note=f"{label}：{note}" if note else str(label),
        )
        if locked.state != State.RESOLVED:
            return callback
        if result == Satisfaction.NOT_SATISFIED and locked.reopen_count == 0:
            _reopen(actor, locked, reason=note, now=now)
        elif not Callback.objects.filter(about=locked, state=CallbackState.PENDING).exists():
            before = audit.snapshot(locked, ["state"])
            locked.state = State.CLOSED
            locked.closed_at = now
            locked.save(update_fields=["state", "closed_at", "updated_at"])
            _event(locked, EventKind.CLOSE, actor, at=now, from_state=State.RESOLVED)
            audit.record_updated(
                actor=actor, obj=locked, before=before, after=audit.snapshot(locked, ["state"])
            )
    return callback


def _reopen(actor, ticket: Ticket, *, reason: str, now) -> None:
    before = audit.snapshot(ticket, ["state", "reopen_count", "due_at"])
    warn_at, due_at = deadlines_for(ticket.category, ticket.urgency, now)
    ticket.state = State.DISPATCHED if ticket.unit_id else State.RETURNED
    ticket.reopen_count += 1
    ticket.warn_at, ticket.due_at = warn_at, due_at
    ticket.escalation = Escalation.NONE
    ticket.escalated_at = None
    ticket.dispatched_at = now
    ticket.accepted_at = None
    ticket.resolved_at = None
    ticket.save()
    _event(ticket, EventKind.REOPEN, actor, at=now, from_state=State.RESOLVED, note=reason)
    audit.record_updated(
        actor=actor,
        obj=ticket,
        before=before,
        after=audit.snapshot(ticket, ["state", "reopen_count", "due_at"]),
    )


# Places


def resolve_place(*, actor, ticket: Ticket, region: Region, address: str | None = None) -> Ticket:
    """An operator finds the building behind a place told in words."""
    _require_dispatcher(actor, ticket)
    require(actor, TICKET, CHANGE, region.path)
    if region.level < Level.CITY:
        raise ValidationError({"region": _("请至少选到市一级。")})
    changes: dict = {
        "region": region,
        "region_path": region.path,
        "place_resolved": region.level == Level.BUILDING,
    }
    if address is not None:
        changes["address"] = _text(address, "address", MAX_ADDRESS)
    return _move(
        actor,
        ticket,
        allowed=(*OPEN_STATES, State.RESOLVED),
        kind=EventKind.PLACE,
        note=region.name,
        changes=changes,
        refusal=_("该工单已结案。"),
    )


# Duplicates


def duplicate_candidates(ticket: Ticket, *, limit: int = 10) -> QuerySet[Ticket]:
    """Tickets of the 24 hours before this one from the same caller (the same resident, or
    the same number), or about the same building and category: suggested as duplicates."""
    since = ticket.received_at - DUPLICATE_WINDOW
    same = Q()
    if ticket.caller_id:
        same |= Q(caller_id=ticket.caller_id)
    if ticket.caller_phone:
        same |= Q(caller_phone=ticket.caller_phone)
    if ticket.place_resolved:
        same |= Q(region_path=ticket.region_path, category_id=ticket.category_id)
    if not same:
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(same, received_at__gte=since, received_at__lte=ticket.received_at)
        .exclude(pk=ticket.pk)
        .exclude(state=State.MERGED)
        .order_by("-received_at")[:limit]
    )


# What a suggested duplicate shows (api.TicketBrief) and what deciding whether the user may
# see it takes (models.sees).
_SUGGESTION = hotsql.Reader(
    Ticket,
    "t",
    [
        "id",
        "number",
        "category",
        "state",
        "received_at",
        "region_path",
        "confidential",
        "unit",
        "intake_by",
    ],
)


def candidates_of_new(ticket: Ticket, *, limit: int = 10) -> list[Ticket]:
    """duplicate_candidates of a ticket just taken in, newest first, by a statement written by
    hand (finding 48): the same conditions, the same order and limit, so the same plan; the
    candidates carry what a suggestion shows, their category from the setup held."""
    quote = connection.ops.quote_name
    same: list[str] = []
    params: list[Any] = []
    if ticket.caller_id:
        same.append("t.caller_id = %s")
        params.append(
            ticket._meta.get_field("caller").get_db_prep_value(ticket.caller_id, connection)
        )
    if ticket.caller_phone:
        same.append("t.caller_phone = %s")
        params.append(ticket.caller_phone)
    if ticket.place_resolved:
        same.append("(t.region_path = %s AND t.category_id = %s)")
        params.extend([ticket.region_path, ticket.category_id])
    if not same:
        return []
    since = ticket.received_at - DUPLICATE_WINDOW
    received = ticket._meta.get_field("received_at")
    params.extend(
        [
            received.get_db_prep_value(since, connection),
            received.get_db_prep_value(ticket.received_at, connection),
            ticket._meta.pk.get_db_prep_value(ticket.pk, connection),
            State.MERGED,
            limit,
        ]
    )
    with hotsql.cursor(connection) as cursor:
        cursor.execute(
            f"SELECT {_SUGGESTION.columns(connection)} FROM {quote(Ticket._meta.db_table)} t "
            f"WHERE ({' OR '.join(same)}) AND t.received_at >= %s AND t.received_at <= %s "
            "AND NOT (t.id = %s) AND NOT (t.state = %s) ORDER BY t.received_at DESC LIMIT %s",
            params,
        )
        rows = cursor.fetchall()
    categories = setup_cache.current().categories
    found = []
    for row in rows:
        candidate = cast(Ticket, _SUGGESTION.build(connection, row))
        # A category added since this request read the setup is read on its own.
        candidate.category = categories.get(candidate.category_id) or Category.objects.get(
            pk=candidate.category_id
        )
        found.append(candidate)
    return found


def merge(*, actor, ticket: Ticket, into: Ticket) -> Ticket:
    """A duplicate joins the ticket it repeats: it stops being worked on its own, its text
    and caller are written on the other ticket, and its caller is called back with the other
    ticket's callers."""
    _require_dispatcher(actor, ticket)
    _require_dispatcher(actor, into)
    if ticket.pk == into.pk:
        raise ValidationError({"into": _("不能合并到自身。")})
    with transaction.atomic():
        first, second = sorted([ticket, into], key=lambda each: str(each.pk))
        _locked(first)
        _locked(second)
        target = _locked(into)
        if target.state not in OPEN_STATES:
            raise ValidationError({"into": _("只能合并到未办结的工单。")})
        caller = (
            ticket.caller.masked_name
            if ticket.caller is not None
            else mask_name(ticket.caller_name)
        )
        _move(
            actor,
            ticket,
            allowed=OPEN_STATES,
            kind=EventKind.MERGE,
            note=into.number,
            changes={"state": State.MERGED, "duplicate_of": target, "unit": None},
            refusal=_("该工单已办结或已合并。"),
        )
        _event(
            target,
            EventKind.MERGE,
            actor,
            at=timezone.now(),
            from_state=target.state,
            note=f"{ticket.number}（{caller or _('匿名')}）：{ticket.description}",
        )
    return ticket


# Escalation


@dataclass(frozen=True)
class SweepResult:
    warned: int
    overdue: int


def escalate_due(*, now: datetime.datetime | None = None, batch: int | None = None) -> SweepResult:
    """The sweep: open tickets past 80 % of their limit go to level 1 (their unit's
    supervisors), past 100 % to level 2 (the command centre's 督办), each with an event.
    One statement per level on PostgreSQL (two on SQLite), whatever the number of tickets,
    over the partial indexes of the tickets still below that level.

    At most `batch` tickets per level (FANGYI_HOTLINE_SWEEP_BATCH), the longest waiting
    first: after the scheduler was down for days, the backlog drains over the next runs
    instead of one run rewriting every open ticket at once."""
    now = now or timezone.now()
    batch = batch or settings.FANGYI_HOTLINE_SWEEP_BATCH
    with transaction.atomic():
        warned = _escalate(Escalation.WARNED, "warn_at", now, batch)
        overdue = _escalate(Escalation.OVERDUE, "due_at", now, batch)
    return SweepResult(warned, overdue)


def _escalate(level: int, column: str, moment: datetime.datetime, batch: int) -> int:
    ticket = connection.ops.quote_name("hotline_ticket")
    event = connection.ops.quote_name("hotline_ticketevent")
    states = ", ".join(["%s"] * len(OPEN_STATES))
    # Written as the partial indexes' own conditions, so that the planner takes them.
    below = "escalation = 0" if level == Escalation.WARNED else "escalation < 2"
    chosen = (
        f"id IN (SELECT id FROM {ticket} WHERE state IN ({states}) AND {below} "
        f"AND {column} <= %s ORDER BY {column}, id LIMIT %s)"
    )
    note = str(Escalation(level).label)
    # SQLite compares the stored text: the moment as the backend writes it (naive UTC).
    now = connection.ops.adapt_datetimefield_value(moment)
    params: list = [*[str(state) for state in OPEN_STATES], now, batch]
    columns = "ticket_id, kind, at, actor_name, from_state, to_state, unit_id, level, note"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH moved AS (UPDATE {ticket} SET escalation = %s, escalated_at = %s, "
                f"updated_at = %s WHERE {chosen} RETURNING id, state, unit_id) "
                f"INSERT INTO {event} ({columns}) "
                f"SELECT id, %s, %s, %s, state, state, unit_id, %s, %s FROM moved",
                [level, now, now, *params, EventKind.ESCALATE, now, "system", level, note],
            )
            return cursor.rowcount
        # The same rows twice: both statements read them in one transaction, in one order.
        cursor.execute(
            f"INSERT INTO {event} ({columns}) "
            f"SELECT id, %s, %s, %s, state, state, unit_id, %s, %s FROM {ticket} WHERE {chosen}",
            [EventKind.ESCALATE, now, "system", level, note, *params],
        )
        cursor.execute(
            f"UPDATE {ticket} SET escalation = %s, escalated_at = %s, updated_at = %s "
            f"WHERE {chosen}",
            [level, now, now, *params],
        )
        return cursor.rowcount


def escalated_to(user: Actor) -> QuerySet[Ticket]:
    """Open tickets escalated to the user: level 1 and up of the units they supervise, and,
    for the command centre, every open ticket past its limit that they may see."""
    visible = Ticket.objects.restrict(user, VIEW).filter(state__in=OPEN_STATES)
    supervised = (
        Q(unit__supervisors=user, escalation__gte=Escalation.WARNED)
        if getattr(user, "is_authenticated", False)
        else Q(pk__in=[])
    )
    command = Q(escalation=Escalation.OVERDUE) if _commands(user) else Q(pk__in=[])
    return visible.filter(supervised | command).distinct()


def _commands(user: Actor) -> bool:
    if user is not None and getattr(user, "is_superuser", False):
        return True
    return any(role in (COMMANDER, ADMIN) for role, _path in assignments_of(user))


# Caller lookup


@dataclass(frozen=True)
class CallerMatch:
    person: Person
    household: Household
    earlier: list[Ticket]


LOOKUP_LIMIT = 10
EARLIER_LIMIT = 5


def lookup_callers(*, actor, phone: str = "", id_tail: str = "") -> list[CallerMatch]:
    """Residents whose mobile number starts with `phone` (4 digits at least) or whose ID
    number ends with `id_tail` (4 characters), in the regions the user takes tickets for;
    each with their household and their latest tickets."""
    require(actor, TICKET, ADD)
    phone = (phone or "").strip()
    id_tail = (id_tail or "").strip().upper()
    if phone and (not phone.isdigit() or not 4 <= len(phone) <= 11):
        raise ValidationError({"phone": _("请输入 4 到 11 位数字。")})
    if id_tail and (len(id_tail) != 4 or not id_tail.isalnum() or not id_tail.isascii()):
        raise ValidationError({"id_tail": _("请输入证件号码的后 4 位。")})
    if not phone and not id_tail:
        raise ValidationError({"phone": _("请输入来电号码或证件号码后 4 位。")})
    people = callers_of(actor).select_related("household__building")
    if phone:
        people = (
            people.filter(under("phone", phone)) if len(phone) < 11 else people.filter(phone=phone)
        )
    if id_tail:
        people = people.filter(id_tail=id_tail)
    found = list(people.order_by("phone", "id")[:LOOKUP_LIMIT])
    earlier: dict[uuid.UUID, list[Ticket]] = {person.pk: [] for person in found}
    if found:
        # One query for all of them: a resident rarely has more than a few tickets.
        visible = Ticket.objects.restrict(actor, VIEW).select_related("category")
        for ticket in visible.filter(caller_id__in=list(earlier)).order_by("-received_at")[
            : EARLIER_LIMIT * LOOKUP_LIMIT * 4
        ]:
            mine = earlier.setdefault(ticket.caller_id or ticket.pk, [])
            if len(mine) < EARLIER_LIMIT:
                mine.append(ticket)
    return [CallerMatch(person, person.household, earlier[person.pk]) for person in found]


def callers_of(user: Actor) -> QuerySet[Person]:
    """The residents of the regions where the user takes tickets in: whom a ticket may name
    as its caller. Operators hold no right over residents' records; the lookup shows them
    masked, and only what the intake needs."""
    if user is not None and getattr(user, "is_superuser", False) and user.is_active:
        return Person.objects.all()
    paths = minimal_paths(
        path
        for role, path in assignments_of(user)
        if ADD in MATRIX.get(role, {}).get(TICKET, frozenset())
    )
    if not paths:
        return Person.objects.none()
    scope = Q()
    for path in paths:
        scope |= under("region_path", path)
    return Person.objects.filter(scope)


# Work in other areas


def _link(actor, ticket: Ticket, kind: str, target_id: uuid.UUID, label: str) -> TicketLink:
    link = TicketLink.objects.create(ticket=ticket, kind=kind, target_id=target_id, label=label)
    _event(
        ticket,
        EventKind.LINK,
        actor,
        at=timezone.now(),
        from_state=ticket.state,
        note=f"{LinkKind(kind).label}：{label}",
    )
    audit.record_change(
        actor=actor,
        action="update",
        obj=ticket,
        before=None,
        after={"link": kind, "target": str(target_id)},
        region_path=ticket.region_path,
    )
    return link


def _require_worker(actor, ticket: Ticket) -> None:
    """Work is started by the unit handling the ticket or by an operator."""
    require(actor, TICKET, CHANGE, ticket.region_path)
    if not (works_for(actor, ticket.unit_id) or is_dispatcher(actor, ticket.region_path)):
        raise PermissionDenied(_("只有承办单位或接线员可以为工单发起办理。"))
    if ticket.state not in OPEN_STATES:
        raise ValidationError({"state": _("该工单已办结，不能再发起办理。")})


def start_supply_request(*, actor, ticket: Ticket, household: Household, draft) -> TicketLink:
    """A supply request for the household (a hospital trip is one of its kinds), made through
    supplies' own service, which checks the actor may make requests there."""
    from fangyi.supplies import services as supplies

    _require_worker(actor, ticket)
    with transaction.atomic():
        request = supplies.submit(
            actor=actor, household=household, draft=draft, hotline_ticket=ticket.number
        )
        return _link(
            actor, ticket, LinkKind.SUPPLY_REQUEST, request.pk, str(request.get_kind_display())
        )


def start_appeal(*, actor, ticket: Ticket, person: Person, reason: str, fact=None, zone=None):
    """A health-code appeal (纠错) on the person's behalf, filed through health's service."""
    from fangyi.health.services.appeals import file_appeal

    _require_worker(actor, ticket)
    with transaction.atomic():
        appeal = file_appeal(
            actor=actor,
            person=person,
            reason=f"{reason}（{ticket.number}）" if reason else "",
            fact=fact,
            zone=zone,
        )
        return _link(actor, ticket, LinkKind.HEALTH_APPEAL, appeal.pk, person.masked_name)


def start_field_task(
    *,
    actor,
    ticket: Ticket,
    kind: str,
    person: Person | None = None,
    household: Household | None = None,
    notes: str = "",
) -> TicketLink:
    """A field-work task for the grid team, due with the ticket; the task names the ticket
    as its source."""
    from fangyi.fieldwork import services as fieldwork
    from fangyi.fieldwork.models import Task

    _require_worker(actor, ticket)
    with transaction.atomic():
        created = fieldwork.create_tasks(
            actor=actor,
            source=SOURCE,
            items=[
                fieldwork.TaskInput(
                    kind=kind,
                    due_at=ticket.due_at,
                    person=person,
                    household=household,
                    title=ticket.category.name,
                    notes=notes or ticket.description[:500],
                    source_ref=ticket.number,
                )
            ],
        )
        if not created:
            raise ValidationError({"kind": _("该工单已有这类网格任务。")})
        task = Task.objects.get(kind=kind, source=SOURCE, source_ref=ticket.number)
        return _link(actor, ticket, LinkKind.FIELD_TASK, task.pk, str(task.get_kind_display()))


SOURCE = "hotline"


def link_finished(*, kind: str, target_id: uuid.UUID, succeeded: bool, outcome: str) -> None:
    """The other area says the work is done (or could not be): the link is marked, and when
    every link of the ticket is finished and one of them succeeded, the ticket resolves with
    their outcomes as its reply. Called by the receivers of the areas' signals."""
    now = timezone.now()
    with transaction.atomic():
        link = (
            TicketLink.objects.select_for_update()
            .filter(kind=kind, target_id=target_id, done=False)
            .first()
        )
        if link is None:
            return
        link.done = True
        link.succeeded = succeeded
        link.outcome = outcome[:200]
        link.done_at = now
        link.save(update_fields=["done", "succeeded", "outcome", "done_at"])
        ticket = _locked(link.ticket)
        note = f"{LinkKind(kind).label}：{outcome}"
        _event(ticket, EventKind.LINK_DONE, None, at=now, from_state=ticket.state, note=note)
        if ticket.state not in OPEN_STATES:
            return
        links = list(TicketLink.objects.filter(ticket=ticket).order_by("created_at"))
        if not all(each.done for each in links) or not any(each.succeeded for each in links):
            return
        before = audit.snapshot(ticket, ["state", "reply"])
        from_state = ticket.state
        answer = "；".join(f"{each.get_kind_display()}：{each.outcome}" for each in links)
        ticket.state = State.RESOLVED
        ticket.resolved_at = now
        ticket.reply = (ticket.reply + "\n" if ticket.reply else "") + answer
        ticket.save(update_fields=["state", "resolved_at", "reply", "updated_at"])
        _event(ticket, EventKind.RESOLVE, None, at=now, from_state=from_state, note=answer)
        audit.record_updated(
            actor=None, obj=ticket, before=before, after=audit.snapshot(ticket, ["state", "reply"])
        )
        _open_callbacks(ticket)

"""The hotline's JSON API under /api/v1/hotline: categories, units, routing rules, the caller
lookup, tickets (list, create, detail and the actions on them), the work a ticket starts,
callbacks and the tickets escalated to the caller.

A ticket the caller cannot see answers 404 (psychological-help tickets to everyone but the
operators and the unit handling them); a unit, region or person named in a body that the
caller cannot use is an error in that field (422).
"""

import datetime
import uuid
from typing import Literal, cast

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core import hotsql
from fangyi.core.api import get_by_id, page_of
from fangyi.core.masking import mask_name, mask_phone
from fangyi.core.permissions import ADD, CHANGE, VIEW, can, require
from fangyi.core.schemas import ERROR_RESPONSES, Input, Moment, PageParams, Text
from fangyi.fieldwork.models import TaskKind
from fangyi.people.models import Household, Person
from fangyi.regions.models import Region
from fangyi.supplies import services as supplies
from fangyi.supplies.models import RequestKind

from . import services, setup_cache
from .area import HOTLINE_SETUP, TICKET
from .models import (
    OPEN_STATES,
    Callback,
    CallbackState,
    Category,
    Channel,
    HandlingUnit,
    PlaceLevel,
    RoutingRule,
    Satisfaction,
    State,
    Ticket,
    UnitKind,
    Urgency,
    sees,
)

router = Router(tags=["hotline"])

ChannelCode = Literal[*Channel.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
UrgencyCode = Literal[*Urgency.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
StateCode = Literal[*State.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
UnitKindCode = Literal[*UnitKind.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
PlaceLevelCode = Literal[*PlaceLevel.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
SatisfactionCode = Literal[*Satisfaction.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
TaskKindCode = Literal[*TaskKind.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
RequestKindCode = Literal[*RequestKind.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time

NEWEST = ("-received_at", "-id")
# A unit's inbox and the overdue board: the least time left first.
BY_DUE = ("due_at", "id")
CALLBACKS = ("created_at", "id")
# The attribute of a ticket that carries its suggested duplicates to TicketDetail.
SUGGESTED = "suggested_duplicates"
# The attribute of a ticket that carries its events, links and duplicates when they are known
# without reading them (a ticket just taken in).
KNOWN = "known_parts"


# Categories, units and rules


class CategoryRead(Schema):
    code: str
    name: str
    parent: str | None
    kind: str
    limit_minutes: int | None
    limit_working_days: int | None
    confidential: bool

    @staticmethod
    def resolve_parent(category: Category) -> str | None:
        return category.parent.code if category.parent is not None else None


@router.get("/categories", response={200: list[CategoryRead], **ERROR_RESPONSES})
def list_categories(request):
    """The category tree in use, parents before their children."""
    require(request.auth, TICKET, VIEW)
    return list(Category.objects.filter(active=True).select_related("parent"))


class UnitRead(Schema):
    id: uuid.UUID
    code: str
    name: str
    kind: UnitKindCode
    region: str = Field(description="region code")
    phone: str
    active: bool

    @staticmethod
    def resolve_region(unit: HandlingUnit) -> str:
        return unit.region.code


class UnitCreate(Input):
    code: Text = Field(max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: Text = Field(min_length=1, max_length=100)
    kind: UnitKindCode
    region: Text = Field(max_length=18, description="region code")
    phone: Text = Field("", max_length=20)
    members: list[str] = Field(default_factory=list, max_length=200, description="usernames")
    supervisors: list[str] = Field(default_factory=list, max_length=50, description="usernames")


class UnitPage(Schema):
    items: list[UnitRead]
    next_cursor: str | None


_REGION = hotsql.Reader(Region, "r")


def _region_of_code(code: str) -> Region | None:
    # By hand: every intake names its place, and the ORM's building of this lookup by a
    # unique key cost more than the database's answer (finding 48).
    with hotsql.cursor(connection) as cursor:
        cursor.execute(
            f"SELECT {_REGION.columns(connection)} "
            f"FROM {connection.ops.quote_name(Region._meta.db_table)} r WHERE r.code = %s",
            [code],
        )
        row = cursor.fetchone()
    return cast(Region, _REGION.build(connection, row)) if row else None


def _region(user, code: str, field: str, resource: str, action: str) -> Region:
    """The region of a code where the user may take `action` on `resource`; an operator
    holds no right over the region tree itself, only over the hotline's records in it."""
    region = _region_of_code(code)
    if region is None or not can(user, resource, action, region.path):
        raise ValidationError({field: _("没有这个区域，或其不在您的辖区内。")})
    return region


@router.get("/units", response={200: UnitPage, **ERROR_RESPONSES})
def list_units(request, params: Query[PageParams]):
    """The handling units of the caller's regions."""
    rows = HandlingUnit.objects.restrict(request.auth, VIEW).select_related("region")
    items, next_cursor = page_of(rows, ordering=("code", "id"), page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/units", response={201: UnitRead, **ERROR_RESPONSES})
def create_unit(request, payload: UnitCreate):
    """A department or a street/community team, with its members and supervisors."""
    user = request.auth
    require(user, HOTLINE_SETUP, ADD)
    region = _region(user, payload.region, "region", HOTLINE_SETUP, ADD)
    unit = services.create_unit(
        actor=user,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        region=region,
        phone=payload.phone,
        members=services.staff_named(payload.members, "members"),
        supervisors=services.staff_named(payload.supervisors, "supervisors"),
    )
    return Status(201, unit)


class RuleRead(Schema):
    id: uuid.UUID
    category: str | None
    region: str
    unit: uuid.UUID | None
    place_level: str

    @staticmethod
    def resolve_category(rule: RoutingRule) -> str | None:
        return rule.category.code if rule.category is not None else None

    @staticmethod
    def resolve_region(rule: RoutingRule) -> str:
        return rule.region.code

    @staticmethod
    def resolve_unit(rule: RoutingRule) -> uuid.UUID | None:
        return rule.unit_id


class RuleCreate(Input):
    category: Text | None = Field(None, max_length=40, description="category code; none: any")
    region: Text = Field(max_length=18, description="region code")
    unit: uuid.UUID | None = None
    place_level: PlaceLevelCode | None = Field(None, description="or: the place's team")


class RulePage(Schema):
    items: list[RuleRead]
    next_cursor: str | None


@router.get("/rules", response={200: RulePage, **ERROR_RESPONSES})
def list_rules(request, params: Query[PageParams]):
    """The routing rules of the caller's regions."""
    rows = RoutingRule.objects.restrict(request.auth, VIEW).select_related("category", "region")
    items, next_cursor = page_of(rows, ordering=("region_path", "id"), page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/rules", response={201: RuleRead, **ERROR_RESPONSES})
def create_rule(request, payload: RuleCreate):
    """A rule: tickets of a category (or any) in a region go to a unit, or to the team of
    their street or community."""
    user = request.auth
    require(user, HOTLINE_SETUP, ADD)
    region = _region(user, payload.region, "region", HOTLINE_SETUP, ADD)
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category).first()
        if category is None:
            raise ValidationError({"category": _("没有这个类别。")})
    unit = None
    if payload.unit is not None:
        unit = HandlingUnit.objects.restrict(user, VIEW).filter(pk=payload.unit).first()
        if unit is None:
            raise ValidationError({"unit": _("没有这个承办单位，或其不在您的辖区内。")})
    rule = services.create_rule(
        actor=user,
        category=category,
        region=region,
        unit=unit,
        place_level=payload.place_level or "",
    )
    return Status(201, RoutingRule.objects.select_related("category", "region").get(pk=rule.pk))


# The caller lookup


class LookupParams(Schema):
    phone: Text = Field("", max_length=11, description="the number as typed so far")
    id_tail: Text = Field("", max_length=4, description="the last 4 of the ID number")


class TicketBrief(Schema):
    id: uuid.UUID
    number: str
    category: str
    state: StateCode
    received_at: datetime.datetime

    @staticmethod
    def resolve_category(ticket: Ticket) -> str:
        return ticket.category.name


class MemberRead(Schema):
    id: uuid.UUID
    name: str = Field(description="masked")


class CallerRead(Schema):
    person: uuid.UUID
    name: str = Field(description="masked")
    phone: str = Field(description="masked")
    household: uuid.UUID
    address: str = Field(description="building and room")
    region: str = Field(description="the building's code")
    members: list[MemberRead]
    earlier: list[TicketBrief]


@router.get(
    "/lookup", url_name="hotline_lookup", response={200: list[CallerRead], **ERROR_RESPONSES}
)
def lookup(request, params: Query[LookupParams]):
    """Residents by the phone number typed so far or by ID tail, with their household and
    latest tickets: what the intake page shows while the operator types."""
    matches = services.lookup_callers(
        actor=request.auth, phone=params.phone, id_tail=params.id_tail
    )
    households = {match.household.pk for match in matches}
    members: dict[uuid.UUID, list[dict]] = {pk: [] for pk in households}
    for person_id, household_id, name in Person.objects.filter(
        household_id__in=households
    ).values_list("id", "household_id", "name")[:200]:
        members[household_id].append({"id": person_id, "name": mask_name(name)})
    return [
        {
            "person": match.person.pk,
            "name": match.person.masked_name,
            "phone": mask_phone(match.person.phone),
            "household": match.household.pk,
            "address": f"{match.household.building.name} {match.household.unit}"
            f"{match.household.room}".strip(),
            "region": match.household.building.code,
            "members": members[match.household.pk],
            "earlier": match.earlier,
        }
        for match in matches
    ]


# Tickets


class EventRead(Schema):
    kind: str
    at: datetime.datetime
    actor: str
    from_state: str
    to_state: str
    unit: str | None
    level: int | None
    note: str

    @staticmethod
    def resolve_actor(event) -> str:
        return event.actor_name

    @staticmethod
    def resolve_unit(event) -> str | None:
        return event.unit.name if event.unit_id else None


class LinkRead(Schema):
    kind: str
    target: uuid.UUID
    label: str
    done: bool
    succeeded: bool | None
    outcome: str

    @staticmethod
    def resolve_target(link) -> uuid.UUID:
        return link.target_id


class TicketNames(Schema):
    """The category's code and name and the state's label of a ticket, for the schemas that
    show them (staff's and residents')."""

    @staticmethod
    def resolve_category(ticket: Ticket) -> str:
        return ticket.category.code

    @staticmethod
    def resolve_category_name(ticket: Ticket) -> str:
        return ticket.category.name

    @staticmethod
    def resolve_state_name(ticket: Ticket) -> str:
        return str(ticket.get_state_display())


class TicketRead(TicketNames):
    id: uuid.UUID
    number: str
    channel: ChannelCode
    caller: uuid.UUID | None
    caller_name: str = Field(description="masked")
    caller_phone: str = Field(description="masked")
    region: str = Field(description="region code")
    region_name: str
    address: str
    place_resolved: bool
    category: str
    category_name: str
    urgency: UrgencyCode
    description: str
    state: StateCode
    state_name: str
    unit: uuid.UUID | None
    unit_name: str | None
    received_at: datetime.datetime
    warn_at: datetime.datetime
    due_at: datetime.datetime
    overdue: bool
    escalation: int = Field(description="0 none, 1 the supervisors warned, 2 the command centre")
    reply: str
    reopen_count: int
    duplicate_of: str | None = Field(description="number of the ticket it was merged into")

    @staticmethod
    def resolve_caller(ticket: Ticket) -> uuid.UUID | None:
        return ticket.caller_id

    @staticmethod
    def resolve_caller_name(ticket: Ticket) -> str:
        if ticket.caller_id and ticket.caller is not None:
            return ticket.caller.masked_name
        return mask_name(ticket.caller_name) if ticket.caller_name else ""

    @staticmethod
    def resolve_caller_phone(ticket: Ticket) -> str:
        return mask_phone(ticket.caller_phone) if ticket.caller_phone else ""

    @staticmethod
    def resolve_region(ticket: Ticket) -> str:
        return ticket.region.code

    @staticmethod
    def resolve_region_name(ticket: Ticket) -> str:
        return ticket.region.name

    @staticmethod
    def resolve_unit(ticket: Ticket) -> uuid.UUID | None:
        return ticket.unit_id

    @staticmethod
    def resolve_unit_name(ticket: Ticket) -> str | None:
        return ticket.unit.name if ticket.unit_id and ticket.unit is not None else None

    @staticmethod
    def resolve_overdue(ticket: Ticket) -> bool:
        return ticket.is_open and ticket.due_at <= timezone.now()

    @staticmethod
    def resolve_duplicate_of(ticket: Ticket) -> str | None:
        return ticket.duplicate_of.number if ticket.duplicate_of is not None else None


class TicketDetail(TicketRead):
    events: list[EventRead]
    links: list[LinkRead]
    duplicates: list[TicketBrief] = Field(description="tickets merged into this one")
    suggested_duplicates: list[TicketBrief] = Field(
        description="tickets of the 24 h before from the same caller or the same building and "
        "category"
    )

    @staticmethod
    def resolve_events(ticket: Ticket) -> list:
        known = getattr(ticket, KNOWN, {})
        if "events" in known:
            return known["events"]
        return list(ticket.events.select_related("unit").order_by("at", "id"))

    @staticmethod
    def resolve_links(ticket: Ticket) -> list:
        known = getattr(ticket, KNOWN, {})
        return known["links"] if "links" in known else list(ticket.links.order_by("created_at"))

    @staticmethod
    def resolve_duplicates(ticket: Ticket) -> list:
        known = getattr(ticket, KNOWN, {})
        if "duplicates" in known:
            return known["duplicates"]
        return list(ticket.duplicates.select_related("category").order_by("received_at"))

    @staticmethod
    def resolve_suggested_duplicates(ticket: Ticket) -> list:
        return getattr(ticket, SUGGESTED, [])


class TicketPage(Schema):
    items: list[TicketRead]
    next_cursor: str | None


class TicketParams(PageParams):
    state: StateCode | None = None
    open: bool | None = Field(None, description="only open (or only finished) tickets")
    category: Text | None = Field(None, max_length=40, description="category code")
    unit: uuid.UUID | None = None
    escalation: int | None = Field(None, ge=0, le=2, description="at least this level")
    region: Text | None = Field(None, max_length=18, description="region code")
    caller: uuid.UUID | None = Field(None, description="the resident who called")
    order: Literal["newest", "due"] = Field("newest", description="due: least time left first")


class CallerInput(Input):
    person: uuid.UUID | None = Field(None, description="a resident found by the lookup")
    name: Text = Field("", max_length=50)
    phone: Text = Field("", max_length=20)


class TicketCreate(Input):
    channel: ChannelCode
    category: Text = Field(max_length=40, description="category code")
    description: Text = Field(min_length=1, max_length=services.MAX_DESCRIPTION)
    region: Text = Field(max_length=18, description="region code, down to a building")
    address: Text = Field("", max_length=services.MAX_ADDRESS)
    urgency: UrgencyCode = Urgency.NORMAL
    caller: CallerInput | None = None
    received_at: Moment | None = Field(None, description="when the call came in; default now")
    dispatch: bool = Field(False, description="send it at once to the unit the rules give")


def _tickets(user, action: str = VIEW):
    return Ticket.objects.restrict(user, action).select_related(
        "category", "region", "unit", "caller", "duplicate_of"
    )


def _ticket(request, ticket_id: str, action: str = VIEW) -> Ticket:
    return get_by_id(_tickets(request.auth, action), ticket_id)


def _taken_in(request, ticket: Ticket) -> Ticket:
    """The detail of a ticket intake has just written, from what it holds: the events it
    wrote, no links and nothing merged into it yet. Whether the user may see it (a grid
    worker does not see the psychological help they take in) and which of its candidates
    they may see is decided on the rows in hand (models.sees), the candidates read by one
    statement written by hand (finding 48)."""
    user = request.auth
    if not sees(user, ticket):
        raise Ticket.DoesNotExist
    setattr(
        ticket,
        SUGGESTED,
        _by_newest([row for row in services.candidates_of_new(ticket) if sees(user, row)]),
    )
    setattr(
        ticket,
        KNOWN,
        {"events": getattr(ticket, services.WRITTEN_EVENTS), "links": [], "duplicates": []},
    )
    return ticket


def _by_newest(tickets: list[Ticket]) -> list[Ticket]:
    """Suggested duplicates as both the intake's answer and the ticket's detail list them."""
    return sorted(tickets, key=lambda row: (row.received_at, row.pk), reverse=True)


def _detail(request, ticket: Ticket) -> Ticket:
    found = _tickets(request.auth).get(pk=ticket.pk)
    visible = Ticket.objects.restrict(request.auth, VIEW)
    suggested = visible.filter(
        pk__in=services.duplicate_candidates(found).values("pk")
    ).select_related("category")
    setattr(found, SUGGESTED, _by_newest(list(suggested)))
    return found


@router.get("/tickets", response={200: TicketPage, **ERROR_RESPONSES})
def list_tickets(request, params: Query[TicketParams]):
    """Tickets the caller may see, newest first or by time left; filters by state, open,
    category, unit, escalation level, region and caller."""
    user = request.auth
    within = ""
    if params.region:
        within = _region(user, params.region, "region", TICKET, VIEW).path
    rows = Ticket.objects.restrict(user, VIEW, within=within).select_related(
        "category", "region", "unit", "caller", "duplicate_of"
    )
    if params.state:
        rows = rows.filter(state=params.state)
    if params.open is not None:
        is_open = Q(state__in=OPEN_STATES)
        rows = rows.filter(is_open if params.open else ~is_open)
    if params.category:
        rows = rows.filter(category__code=params.category)
    if params.unit:
        rows = rows.filter(unit_id=params.unit)
    if params.escalation is not None:
        rows = rows.filter(escalation__gte=params.escalation)
    if params.caller:
        rows = rows.filter(caller_id=params.caller)
    ordering = BY_DUE if params.order == "due" else NEWEST
    items, next_cursor = page_of(rows, ordering=ordering, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/tickets", response={201: TicketDetail, **ERROR_RESPONSES})
def create_ticket(request, payload: TicketCreate):
    """A new ticket: its number, limit and, with `dispatch`, its unit; the answer lists the
    tickets it may repeat."""
    user = request.auth
    require(user, TICKET, ADD)
    region = _region(user, payload.region, "region", TICKET, ADD)
    category = setup_cache.current().category(payload.category)
    if category is None:
        raise ValidationError({"category": _("没有这个类别。")})
    caller = services.CallerInput()
    if payload.caller is not None:
        person = None
        if payload.caller.person is not None:
            person = services.callers_of(user).filter(pk=payload.caller.person).first()
            if person is None:
                raise ValidationError({"caller.person": _("没有这位居民，或其不在您的辖区内。")})
        caller = services.CallerInput(
            person=person, name=payload.caller.name, phone=payload.caller.phone
        )
    ticket = services.intake(
        actor=user,
        channel=payload.channel,
        category=category,
        description=payload.description,
        region=region,
        address=payload.address,
        urgency=payload.urgency,
        caller=caller,
        received_at=payload.received_at,
        dispatch_now=payload.dispatch,
    )
    return Status(201, _taken_in(request, ticket))


@router.get("/tickets/{ticket_id}", response={200: TicketDetail, **ERROR_RESPONSES})
def get_ticket(request, ticket_id: str):
    """A ticket with its events (escalations among them), links, merged duplicates and the
    tickets it may repeat."""
    return _detail(request, _ticket(request, ticket_id))


class DispatchInput(Input):
    unit: uuid.UUID | None = Field(None, description="none: the unit the rules give")
    note: Text = Field("", max_length=services.MAX_NOTE)


class ReasonInput(Input):
    reason: Text = Field(min_length=1, max_length=services.MAX_NOTE)


class NoteInput(Input):
    note: Text = Field(min_length=1, max_length=services.MAX_NOTE)


class ReplyInput(Input):
    text: Text = Field(min_length=1, max_length=services.MAX_DESCRIPTION)


class ResolveInput(Input):
    text: Text = Field("", max_length=services.MAX_DESCRIPTION, description="the reply, if new")


class MergeInput(Input):
    into: uuid.UUID = Field(description="the ticket this one repeats")


class PlaceInput(Input):
    region: Text = Field(max_length=18, description="region code, down to a building")
    address: Text | None = Field(None, max_length=services.MAX_ADDRESS)


class EmptyInput(Input):
    pass


@router.post("/tickets/{ticket_id}/dispatch", response={200: TicketDetail, **ERROR_RESPONSES})
def dispatch_ticket(request, ticket_id: str, payload: DispatchInput):
    """An operator sends the ticket to a unit (named, or by the rules)."""
    ticket = _ticket(request, ticket_id, CHANGE)
    unit = None
    if payload.unit is not None:
        unit = (
            HandlingUnit.objects.restrict(request.auth, VIEW)
            .filter(pk=payload.unit, active=True)
            .first()
        )
        if unit is None:
            raise ValidationError({"unit": _("没有这个承办单位，或其不在您的辖区内。")})
    services.dispatch(actor=request.auth, ticket=ticket, unit=unit, note=payload.note)
    return _detail(request, ticket)


@router.post("/tickets/{ticket_id}/accept", response={200: TicketDetail, **ERROR_RESPONSES})
def accept_ticket(request, ticket_id: str, payload: EmptyInput):
    """The unit takes the ticket (签收)."""
    ticket = _ticket(request, ticket_id, CHANGE)
    services.accept(actor=request.auth, ticket=ticket)
    return _detail(request, ticket)


@router.post("/tickets/{ticket_id}/return", response={200: TicketDetail, **ERROR_RESPONSES})
def return_ticket(request, ticket_id: str, payload: ReasonInput):
    """The unit sends the ticket back to the dispatchers, with the reason."""
    ticket = _ticket(request, ticket_id, CHANGE)
    services.return_ticket(actor=request.auth, ticket=ticket, reason=payload.reason)
    return _detail_or_gone(request, ticket)


def _detail_or_gone(request, ticket: Ticket):
    """After a return the unit no longer sees the ticket: it answers the ticket as it left."""
    found = _tickets(request.auth).filter(pk=ticket.pk).first()
    if found is None:
        setattr(ticket, SUGGESTED, [])
        return ticket
    return _detail(request, found)


@router.post("/tickets/{ticket_id}/notes", response={200: TicketDetail, **ERROR_RESPONSES})
def note_ticket(request, ticket_id: str, payload: NoteInput):
    """A note on the work, by the unit, an operator or the command centre."""
    ticket = _ticket(request, ticket_id, CHANGE)
    services.add_note(actor=request.auth, ticket=ticket, note=payload.note)
    return _detail(request, ticket)


@router.post("/tickets/{ticket_id}/reply", response={200: TicketDetail, **ERROR_RESPONSES})
def reply_ticket(request, ticket_id: str, payload: ReplyInput):
    """The unit's answer to the caller."""
    ticket = _ticket(request, ticket_id, CHANGE)
    services.reply(actor=request.auth, ticket=ticket, text=payload.text)
    return _detail(request, ticket)


@router.post("/tickets/{ticket_id}/resolve", response={200: TicketDetail, **ERROR_RESPONSES})
def resolve_ticket(request, ticket_id: str, payload: ResolveInput):
    """The unit has done it: the ticket waits for its callbacks."""
    ticket = _ticket(request, ticket_id, CHANGE)
    services.resolve(actor=request.auth, ticket=ticket, text=payload.text)
    return _detail(request, ticket)


@router.post("/tickets/{ticket_id}/merge", response={200: TicketDetail, **ERROR_RESPONSES})
def merge_ticket(request, ticket_id: str, payload: MergeInput):
    """The ticket repeats another: it is merged into it, text and caller kept."""
    ticket = _ticket(request, ticket_id, CHANGE)
    into = _tickets(request.auth, CHANGE).filter(pk=payload.into).first()
    if into is None:
        raise ValidationError({"into": _("没有这个工单，或您看不到它。")})
    services.merge(actor=request.auth, ticket=ticket, into=into)
    return _detail(request, ticket)


@router.post("/tickets/{ticket_id}/place", response={200: TicketDetail, **ERROR_RESPONSES})
def place_ticket(request, ticket_id: str, payload: PlaceInput):
    """An operator resolves the place told in words to a region (a building, at best)."""
    ticket = _ticket(request, ticket_id, CHANGE)
    region = _region(request.auth, payload.region, "region", TICKET, CHANGE)
    services.resolve_place(
        actor=request.auth, ticket=ticket, region=region, address=payload.address
    )
    return _detail(request, ticket)


# Work started from a ticket


class FieldTaskInput(Input):
    kind: TaskKindCode
    person: uuid.UUID | None = None
    household: uuid.UUID | None = None
    notes: Text = Field("", max_length=500)


class SupplyLineInput(Input):
    name: Text = Field(min_length=1, max_length=60)
    unit: Text = Field("", max_length=20)
    quantity: int = Field(ge=1, le=10_000)
    dose: Text = Field("", max_length=60)


class SupplyRequestInput(Input):
    household: uuid.UUID
    person: uuid.UUID | None = None
    kind: RequestKindCode
    items: list[SupplyLineInput] = Field(default_factory=list, max_length=50)
    notes: Text = Field("", max_length=500)
    chronic_condition: Text = Field("", max_length=100)
    urgent: bool = False


class AppealInput(Input):
    person: uuid.UUID
    reason: Text = Field(min_length=1, max_length=1000)
    fact: uuid.UUID | None = Field(None, description="the fact contested (or a zone)")
    zone: uuid.UUID | None = None


def _household(user, pk: uuid.UUID | None, field: str) -> Household | None:
    if pk is None:
        return None
    found = Household.objects.restrict(user, VIEW).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("没有这一户，或其不在您的辖区内。")})
    return found


def _person(user, pk: uuid.UUID | None, field: str) -> Person | None:
    if pk is None:
        return None
    found = Person.objects.restrict(user, VIEW).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("没有这位居民，或其不在您的辖区内。")})
    return found


@router.post("/tickets/{ticket_id}/field-tasks", response={200: TicketDetail, **ERROR_RESPONSES})
def start_field_task(request, ticket_id: str, payload: FieldTaskInput):
    """A field-work task for the grid team, made from the ticket and linked to it; done, it
    resolves the ticket."""
    user = request.auth
    ticket = _ticket(request, ticket_id, CHANGE)
    services.start_field_task(
        actor=user,
        ticket=ticket,
        kind=payload.kind,
        person=_person(user, payload.person, "person"),
        household=_household(user, payload.household, "household"),
        notes=payload.notes,
    )
    return _detail(request, ticket)


@router.post(
    "/tickets/{ticket_id}/supply-requests", response={200: TicketDetail, **ERROR_RESPONSES}
)
def start_supply_request(request, ticket_id: str, payload: SupplyRequestInput):
    """A supply request (goods, medicines, a hospital trip …) for the household, made from
    the ticket and linked to it; delivered, it resolves the ticket."""
    user = request.auth
    ticket = _ticket(request, ticket_id, CHANGE)
    household = _household(user, payload.household, "household")
    assert household is not None
    person = _person(user, payload.person, "person")
    draft = supplies.Draft(
        kind=payload.kind,
        items=[
            supplies.ItemInput(
                quantity=line.quantity, name=line.name, unit=line.unit, dose=line.dose
            )
            for line in payload.items
        ],
        person=person,
        urgency="urgent" if payload.urgent else "normal",
        notes=payload.notes or ticket.description[:500],
        chronic_condition=payload.chronic_condition,
    )
    services.start_supply_request(actor=user, ticket=ticket, household=household, draft=draft)
    return _detail(request, ticket)


@router.post("/tickets/{ticket_id}/appeals", response={200: TicketDetail, **ERROR_RESPONSES})
def start_appeal(request, ticket_id: str, payload: AppealInput):
    """A health-code appeal (纠错) for the person, made from the ticket and linked to it;
    decided, it resolves the ticket."""
    from fangyi.health.models import Fact, Zone

    user = request.auth
    ticket = _ticket(request, ticket_id, CHANGE)
    person = _person(user, payload.person, "person")
    assert person is not None
    fact = zone = None
    if payload.fact is not None:
        fact = Fact.objects.filter(pk=payload.fact, person=person).first()
        if fact is None:
            raise ValidationError({"fact": _("该居民没有这条记录。")})
    if payload.zone is not None:
        zone = Zone.objects.filter(pk=payload.zone).first()
        if zone is None:
            raise ValidationError({"zone": _("没有这个管控区域。")})
    services.start_appeal(
        actor=user, ticket=ticket, person=person, reason=payload.reason, fact=fact, zone=zone
    )
    return _detail(request, ticket)


# Callbacks and escalations


class CallbackRead(Schema):
    id: uuid.UUID
    ticket: str = Field(description="number of the caller's ticket")
    about: str = Field(description="number of the resolved ticket asked about")
    caller_name: str = Field(description="masked")
    caller_phone: str = Field(description="masked")
    reply: str
    state: str
    result: str
    note: str
    created_at: datetime.datetime
    done_at: datetime.datetime | None

    @staticmethod
    def resolve_ticket(callback: Callback) -> str:
        return callback.ticket.number

    @staticmethod
    def resolve_about(callback: Callback) -> str:
        return callback.about.number

    @staticmethod
    def resolve_caller_name(callback: Callback) -> str:
        return TicketRead.resolve_caller_name(callback.ticket)

    @staticmethod
    def resolve_caller_phone(callback: Callback) -> str:
        return TicketRead.resolve_caller_phone(callback.ticket)

    @staticmethod
    def resolve_reply(callback: Callback) -> str:
        return callback.about.reply


class CallbackPage(Schema):
    items: list[CallbackRead]
    next_cursor: str | None


class CallbackParams(PageParams):
    state: Literal["pending", "done"] = "pending"


class CallbackInput(Input):
    result: SatisfactionCode
    note: Text = Field("", max_length=services.MAX_NOTE, description="required when not satisfied")


def _callbacks(user, action: str = VIEW):
    return Callback.objects.restrict(user, action).select_related("ticket__caller", "about")


@router.get("/callbacks", response={200: CallbackPage, **ERROR_RESPONSES})
def list_callbacks(request, params: Query[CallbackParams]):
    """The callbacks to make (oldest first), or those made."""
    rows = _callbacks(request.auth).filter(state=params.state)
    items, next_cursor = page_of(rows, ordering=CALLBACKS, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/callbacks/{callback_id}", response={200: CallbackRead, **ERROR_RESPONSES})
def record_callback(request, callback_id: str, payload: CallbackInput):
    """How satisfied the caller is; "not satisfied" reopens the ticket to its unit once."""
    callback = get_by_id(_callbacks(request.auth, CHANGE), callback_id)
    if callback.state != CallbackState.PENDING:
        raise ValidationError({"state": _("该回访已经记录。")})
    services.record_callback(
        actor=request.auth, callback=callback, result=payload.result, note=payload.note
    )
    return _callbacks(request.auth).get(pk=callback.pk)


@router.get("/escalated", response={200: TicketPage, **ERROR_RESPONSES})
def escalated(request, params: Query[PageParams]):
    """Open tickets escalated to the caller: of the units they supervise (from 80 % of the
    limit), and for the command centre every ticket past its limit; least time left first."""
    require(request.auth, TICKET, VIEW)
    rows = services.escalated_to(request.auth).select_related(
        "category", "region", "unit", "caller", "duplicate_of"
    )
    items, next_cursor = page_of(rows, ordering=BY_DUE, page=params)
    return {"items": items, "next_cursor": next_cursor}

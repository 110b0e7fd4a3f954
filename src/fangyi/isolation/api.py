"""Isolation's JSON API: orders and their actions, the to-place queue's bulk confirmation,
the due list (ready / overdue), sites, rooms and occupancy.

Orders are scoped by the person's region, sites by theirs. An order or site the caller cannot
see answers 404; one named in a body that the caller cannot use is an error in that field (422).
"""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES, Input, Moment, PageParams, Text
from fangyi.regions.models import Level, Region

from . import readiness, services, sites
from .area import SITE
from .models import Order, OrderReason, OrderState, Room, Site

router = Router(tags=["isolation"])

StateCode = Literal[*OrderState.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ReasonCode = Literal[*OrderReason.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
HomeKind = Literal["home", "home_monitoring"]
ORDERING = ("created_at", "id")
SITE_ORDERING = ("name", "id")
ROOM_ORDERING = ("number", "id")


class EventRead(Schema):
    from_state: str
    to_state: str
    at: datetime.datetime
    actor: str = Field(description="username at the time, or what acted (system, task)")
    reason: str
    details: dict

    @staticmethod
    def resolve_actor(event) -> str:
        return event.actor_name


class ProblemRead(Schema):
    code: Literal["missing_test", "positive_test", "invalid_test", "fever"]
    day: int | None = Field(description="the day of the term the problem concerns")
    at: datetime.datetime | None
    text: str


class OrderRead(Schema):
    id: uuid.UUID
    person: uuid.UUID
    person_name: str = Field(description="masked")
    household: uuid.UUID | None
    kind: str
    kind_name: str
    reason: ReasonCode
    reason_name: str
    reason_fact: uuid.UUID | None
    state: StateCode
    state_name: str
    site: uuid.UUID | None
    site_name: str | None
    room: uuid.UUID | None
    room_number: str | None
    policy: str = Field(description="the plan whose terms the order keeps, e.g. 2022-06-9th.v1")
    term_days: int
    test_days: list[int]
    started_at: datetime.datetime | None
    planned_end_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    previous: uuid.UUID | None = Field(description="the order this stage follows")
    created_at: datetime.datetime

    @staticmethod
    def resolve_person(order: Order) -> uuid.UUID:
        return order.person_id

    @staticmethod
    def resolve_person_name(order: Order) -> str:
        return order.person.masked_name

    @staticmethod
    def resolve_household(order: Order) -> uuid.UUID | None:
        return order.household_id

    @staticmethod
    def resolve_kind_name(order: Order) -> str:
        return str(order.get_kind_display())

    @staticmethod
    def resolve_reason_name(order: Order) -> str:
        return str(order.get_reason_display())

    @staticmethod
    def resolve_reason_fact(order: Order) -> uuid.UUID | None:
        return order.reason_fact_id

    @staticmethod
    def resolve_state_name(order: Order) -> str:
        return str(order.get_state_display())

    @staticmethod
    def resolve_site(order: Order) -> uuid.UUID | None:
        return order.site_id

    @staticmethod
    def resolve_site_name(order: Order) -> str | None:
        return order.site.name if order.site else None

    @staticmethod
    def resolve_room(order: Order) -> uuid.UUID | None:
        return order.room_id

    @staticmethod
    def resolve_room_number(order: Order) -> str | None:
        return order.room.number if order.room else None

    @staticmethod
    def resolve_policy(order: Order) -> str:
        return order.policy.label

    @staticmethod
    def resolve_previous(order: Order) -> uuid.UUID | None:
        return order.previous_id


class ReadinessRead(Schema):
    ready: bool
    problems: list[ProblemRead] = Field(description="why it is not ready")


class OrderDetail(OrderRead):
    events: list[EventRead]
    readiness: ReadinessRead | None = Field(
        description="for a running order past its planned end: ready for release, or why not"
    )

    @staticmethod
    def resolve_events(order: Order) -> list:
        return list(order.events.order_by("at", "id"))

    @staticmethod
    def resolve_readiness(order: Order) -> dict | None:
        verdict = readiness.assess(readiness.due(Order.objects.filter(pk=order.pk))).get(order.pk)
        if verdict is None:
            return None
        return {"ready": verdict.ready, "problems": _problems(verdict.problems)}


class OrderPage(Schema):
    items: list[OrderRead]
    next_cursor: str | None


class OrderParams(PageParams):
    state: StateCode | None = None
    reason: ReasonCode | None = None
    region: Text | None = Field(None, max_length=18, description="only under this region code")
    site: uuid.UUID | None = None


class DueItem(Schema):
    order: OrderRead
    ready: bool
    problems: list[ProblemRead]


class DuePage(Schema):
    ready: int = Field(description="due orders ready for release, in the caller's scope")
    overdue: int = Field(description="due orders not ready, each with its reasons")
    items: list[DueItem]
    next_cursor: str | None


class DueParams(PageParams):
    status: Literal["ready", "overdue"] | None = None
    region: Text | None = Field(None, max_length=18)


class Selection(Input):
    orders: list[uuid.UUID] = Field(
        default_factory=list, max_length=services.MAX_BATCH, description="order ids"
    )
    building: Text | None = Field(
        None, max_length=18, description="or: every order to place in this building (its code)"
    )


class Placement(Selection):
    site: uuid.UUID
    reason: Text = Field("", max_length=services.MAX_REASON)


class HomeStart(Selection):
    kind: HomeKind | None = None
    reason: Text = Field("", max_length=services.MAX_REASON)


class Release(Input):
    orders: list[uuid.UUID] = Field(min_length=1, max_length=services.MAX_BATCH)
    override: Text = Field(
        "", max_length=services.MAX_REASON, description="why orders not ready are released"
    )


class Extension(Input):
    until: Moment
    reason: Text = Field(max_length=services.MAX_REASON)


class Because(Input):
    reason: Text = Field(max_length=services.MAX_REASON)


class Replanning(Input):
    reason: Text = Field("", max_length=services.MAX_REASON)


class RoomChoice(Input):
    room: uuid.UUID
    reason: Text = Field("", max_length=services.MAX_REASON)


class SiteRead(Schema):
    id: uuid.UUID
    name: str
    address: str
    region: str = Field(description="the region's code")
    region_name: str
    phone: str
    active: bool
    notes: str
    rooms: int
    beds: int
    occupied: int
    free_beds: int
    free_rooms: int


class SitePage(Schema):
    items: list[SiteRead]
    next_cursor: str | None


class SiteWrite(Input):
    name: Text = Field(max_length=100)
    address: Text = Field(max_length=200)
    region: Text = Field(max_length=18, description="the region code the site belongs to")
    phone: Text = Field("", max_length=20)
    notes: Text = Field("", max_length=2000)
    active: bool = True


class RoomRead(Schema):
    id: uuid.UUID
    number: str
    capacity: int
    active: bool
    people: int
    free_beds: int

    @staticmethod
    def resolve_free_beds(room) -> int:
        return max(room.capacity - room.people, 0)


class RoomPage(Schema):
    items: list[RoomRead]
    next_cursor: str | None


class RoomsAdd(Input):
    numbers: Text = Field(max_length=500, description='e.g. "101-130" or "101,102,105"')
    capacity: int = Field(1, ge=1, le=sites.MAX_CAPACITY)


class RoomChange(Input):
    capacity: int = Field(ge=1, le=sites.MAX_CAPACITY)
    active: bool = True


def _orders(user, action: str = VIEW, within: str = ""):
    return Order.objects.restrict(user, action, within=within).select_related(
        "person", "site", "room", "policy"
    )


def _order(request, order_id: str, action: str = VIEW) -> Order:
    return get_by_id(_orders(request.auth, action), order_id)


def _region_path(user, code: str | None, field: str = "region") -> str:
    if not code:
        return ""
    region = Region.objects.restrict(user, VIEW).filter(code=code).first()
    if region is None:
        raise ValidationError({field: _("没有这个区域，或其不在您的辖区内。")})
    return region.path


def _problems(problems) -> list[dict]:
    return [
        {"code": p.code, "day": p.day, "at": p.at, "text": readiness.describe(p)} for p in problems
    ]


def _selected(user, payload: Selection) -> list[Order]:
    """The orders a bulk action names: by id, or every order to place in a building."""
    if bool(payload.orders) == bool(payload.building):
        raise ValidationError({"orders": _("请选择隔离令，或指定一栋楼。")})
    if payload.building:
        path = _region_path(user, payload.building, "building")
        if len(path) != 18:
            raise ValidationError({"building": _("请指定一栋楼。")})
        orders = list(_orders(user, CHANGE, within=path).filter(state=OrderState.TO_PLACE))
        if not orders:
            raise ValidationError({"building": _("这栋楼没有待安置的人员。")})
        return orders
    orders = list(_orders(user, CHANGE).filter(pk__in=payload.orders))
    if len(orders) != len(set(payload.orders)):
        raise ValidationError({"orders": _("有隔离令不存在，或不在您的辖区内。")})
    return orders


def _refetch(user, orders) -> list[Order]:
    return list(_orders(user).filter(pk__in=[order.pk for order in orders]).order_by(*ORDERING))


# Orders


@router.get("/orders", response={200: OrderPage, **ERROR_RESPONSES})
def list_orders(request, params: Query[OrderParams]):
    """Orders the caller may see, oldest first; filters by state, reason, region and site."""
    user = request.auth
    orders = _orders(user, within=_region_path(user, params.region))
    if params.state:
        orders = orders.filter(state=params.state)
    if params.reason:
        orders = orders.filter(reason=params.reason)
    if params.site:
        orders = orders.filter(site_id=params.site)
    items, next_cursor = page_of(orders, ordering=ORDERING, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/orders/place", response={200: list[OrderRead], **ERROR_RESPONSES})
def place_orders(request, payload: Placement):
    """Confirms orders to place in bulk (by id, or all of a building) at a site: households
    together in a room; refused with the shortfall when beds are short."""
    user = request.auth
    orders = _selected(user, payload)
    site = Site.objects.restrict(user, CHANGE).filter(pk=payload.site).first()
    if site is None:
        raise ValidationError({"site": _("没有这个隔离点，或其不在您的辖区内。")})
    services.place(actor=user, orders=orders, site=site, reason=payload.reason)
    return _refetch(user, orders)


@router.post("/orders/start-at-home", response={200: list[OrderRead], **ERROR_RESPONSES})
def start_orders_at_home(request, payload: HomeStart):
    """Orders to place start at the person's home (home quarantine or home monitoring)."""
    user = request.auth
    orders = _selected(user, payload)
    services.start_at_home(
        actor=user, orders=orders, kind=payload.kind or "", reason=payload.reason
    )
    return _refetch(user, orders)


@router.post("/orders/release", response={200: list[OrderRead], **ERROR_RESPONSES})
def release_orders(request, payload: Release):
    """Releases running orders in bulk: only ready ones, unless `override` says why."""
    user = request.auth
    orders = list(_orders(user, CHANGE).filter(pk__in=payload.orders))
    if len(orders) != len(set(payload.orders)):
        raise ValidationError({"orders": _("有隔离令不存在，或不在您的辖区内。")})
    services.release(actor=user, orders=orders, override=payload.override)
    return _refetch(user, orders)


@router.get("/orders/{order_id}", response={200: OrderDetail, **ERROR_RESPONSES})
def get_order(request, order_id: str):
    """An order with its timeline of events and, when due, its readiness."""
    return _order(request, order_id)


@router.post("/orders/{order_id}/extend", response={200: OrderRead, **ERROR_RESPONSES})
def extend_order(request, order_id: str, payload: Extension):
    order = _order(request, order_id, CHANGE)
    services.extend(actor=request.auth, order=order, until=payload.until, reason=payload.reason)
    return _order(request, order_id)


@router.post("/orders/{order_id}/replan", response={200: OrderRead, **ERROR_RESPONSES})
def replan_order(request, order_id: str, payload: Replanning):
    """Applies the policy now in force to the order's term and test days."""
    order = _order(request, order_id, CHANGE)
    services.replan(actor=request.auth, order=order, reason=payload.reason)
    return _order(request, order_id)


@router.post("/orders/{order_id}/hospital", response={200: OrderRead, **ERROR_RESPONSES})
def move_order_to_hospital(request, order_id: str, payload: Because):
    order = _order(request, order_id, CHANGE)
    services.move_to_hospital(actor=request.auth, order=order, reason=payload.reason)
    return _order(request, order_id)


@router.post("/orders/{order_id}/cancel", response={200: OrderRead, **ERROR_RESPONSES})
def cancel_order(request, order_id: str, payload: Because):
    order = _order(request, order_id, CHANGE)
    services.cancel(actor=request.auth, order=order, reason=payload.reason)
    return _order(request, order_id)


@router.post("/orders/{order_id}/move", response={200: OrderRead, **ERROR_RESPONSES})
def move_order(request, order_id: str, payload: RoomChoice):
    """Checks the person out of their room and into another."""
    user = request.auth
    order = _order(request, order_id, CHANGE)
    room = (
        Room.objects.filter(pk=payload.room, site__in=Site.objects.restrict(user, VIEW))
        .select_related("site")
        .first()
    )
    if room is None:
        raise ValidationError({"room": _("没有这个房间，或其不在您的辖区内。")})
    services.move(actor=user, order=order, room=room, reason=payload.reason)
    return _order(request, order_id)


# Due for release


@router.get("/due", response={200: DuePage, **ERROR_RESPONSES})
def due_orders(request, params: Query[DueParams]):
    """Running orders past their planned end: each ready, or overdue with its reasons,
    earliest planned end first. Readiness is computed for all of them at once."""
    user = request.auth
    due = readiness.due(
        Order.objects.restrict(user, VIEW, within=_region_path(user, params.region))
    )
    verdicts = readiness.assess(due)
    ids, next_cursor = readiness.page(
        due, verdicts, status=params.status or "", cursor=params.cursor, size=params.limit
    )
    orders = {order.pk: order for order in _orders(user).filter(pk__in=ids)}
    ready = sum(1 for verdict in verdicts.values() if verdict.ready)
    return {
        "ready": ready,
        "overdue": len(verdicts) - ready,
        "items": [
            {
                "order": orders[pk],
                "ready": verdicts[pk].ready,
                "problems": _problems(verdicts[pk].problems),
            }
            for pk in ids
        ],
        "next_cursor": next_cursor,
    }


# Sites and rooms


def _with_occupancy(items: list[Site]) -> list[dict]:
    counts = sites.occupancy([site.pk for site in items])
    return [
        {
            "id": site.pk,
            "name": site.name,
            "address": site.address,
            "region": site.region.code,
            "region_name": site.region.name,
            "phone": site.phone,
            "active": site.active,
            "notes": site.notes,
            "rooms": counts[site.pk].rooms,
            "beds": counts[site.pk].beds,
            "occupied": counts[site.pk].occupied,
            "free_beds": counts[site.pk].free_beds,
            "free_rooms": counts[site.pk].free_rooms,
        }
        for site in items
    ]


def _site(request, site_id: str, action: str = VIEW) -> Site:
    return get_by_id(Site.objects.restrict(request.auth, action).select_related("region"), site_id)


def _site_region(user, code: str, action: str) -> Region:
    """The region a site is put in: one where the user may add (or change) sites."""
    region = Region.objects.filter(code=code).first()
    if region is None or not can(user, SITE, action, region.path):
        raise ValidationError({"region": _("没有这个区域，或其不在您的辖区内。")})
    if region.level == Level.PROVINCE:
        raise ValidationError({"region": _("请选择市级或以下的区域。")})
    return region


@router.get("/sites", response={200: SitePage, **ERROR_RESPONSES})
def list_sites(request, params: Query[PageParams]):
    """Sites with their rooms, beds, people and free beds, by name."""
    items, next_cursor = page_of(
        Site.objects.restrict(request.auth, VIEW).select_related("region"),
        ordering=SITE_ORDERING,
        page=params,
    )
    return {"items": _with_occupancy(items), "next_cursor": next_cursor}


@router.post("/sites", response={201: SiteRead, **ERROR_RESPONSES})
def create_site(request, payload: SiteWrite):
    user = request.auth
    site = sites.create_site(
        actor=user,
        name=payload.name,
        address=payload.address,
        region=_site_region(user, payload.region, ADD),
        phone=payload.phone,
        notes=payload.notes,
    )
    return Status(201, _with_occupancy([_site(request, str(site.pk))])[0])


@router.get("/sites/{site_id}", response={200: SiteRead, **ERROR_RESPONSES})
def get_site(request, site_id: str):
    return _with_occupancy([_site(request, site_id)])[0]


@router.put("/sites/{site_id}", response={200: SiteRead, **ERROR_RESPONSES})
def update_site(request, site_id: str, payload: SiteWrite):
    user = request.auth
    site = _site(request, site_id, CHANGE)
    sites.update_site(
        actor=user,
        site=site,
        name=payload.name,
        address=payload.address,
        region=_site_region(user, payload.region, CHANGE),
        phone=payload.phone,
        notes=payload.notes,
        active=payload.active,
    )
    return _with_occupancy([_site(request, site_id)])[0]


@router.get("/sites/{site_id}/rooms", response={200: RoomPage, **ERROR_RESPONSES})
def list_rooms(request, site_id: str, params: Query[PageParams]):
    """The site's rooms by number, with the people in each and free beds."""
    site = _site(request, site_id)
    items, next_cursor = page_of(sites.rooms_with_people(site), ordering=ROOM_ORDERING, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/sites/{site_id}/rooms", response={201: list[RoomRead], **ERROR_RESPONSES})
def add_rooms(request, site_id: str, payload: RoomsAdd):
    """Adds rooms by number: "101-130", "A01-A20" or a list."""
    site = _site(request, site_id, CHANGE)
    rooms = sites.add_rooms(
        actor=request.auth, site=site, numbers=payload.numbers, capacity=payload.capacity
    )
    return Status(
        201, list(sites.rooms_with_people(site).filter(pk__in=[room.pk for room in rooms]))
    )


@router.put("/sites/{site_id}/rooms/{room_id}", response={200: RoomRead, **ERROR_RESPONSES})
def update_room(request, site_id: str, room_id: str, payload: RoomChange):
    site = _site(request, site_id, CHANGE)
    room = get_by_id(site.rooms.select_related("site"), room_id)
    sites.update_room(
        actor=request.auth, room=room, capacity=payload.capacity, active=payload.active
    )
    return sites.rooms_with_people(site).get(pk=room.pk)

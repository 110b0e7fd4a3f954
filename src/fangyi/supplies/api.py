"""Supplies' JSON API: the catalogue, the time limits, requests (list, board, detail, create,
change of state, cost) and the daily totals; and the residents' side under /me/supplies.

Requests are scoped by their household's building, catalogue items by the region they were
entered for. A request the caller cannot see answers 404; a household or item named in a body
that the caller cannot use is an error in that field (422).
"""

import base64
import binascii
import datetime
import uuid
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import ADD, CHANGE, VIEW, require
from fangyi.core.schemas import ERROR_RESPONSES, Input, Moment, PageParams, Text
from fangyi.people.models import Household, Person
from fangyi.portal.api import RESIDENT_ERRORS
from fangyi.portal.auth import resident_auth
from fangyi.portal.services import subject
from fangyi.regions.models import Region

from . import clocks, services
from .area import CATALOGUE, SUPPLY_REQUEST
from .models import (
    CatalogueItem,
    Confirmation,
    ItemKind,
    Payment,
    Request,
    RequestKind,
    RequestState,
    Urgency,
)

router = Router(tags=["supplies"])
resident_router = Router(tags=["portal"], auth=resident_auth)

KindCode = Literal[*RequestKind.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
StateCode = Literal[*RequestState.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
UrgencyCode = Literal[*Urgency.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
PaymentCode = Literal[*Payment.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ItemKindCode = Literal[*ItemKind.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ConfirmationCode = Literal[*Confirmation.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
NEWEST = ("-submitted_at", "-id")
# The board: priority households first, then the oldest.
BOARD = ("-priority", "submitted_at", "id")
CATALOGUE_ORDERING = ("name", "id")


class ItemRead(Schema):
    catalogue_item: uuid.UUID | None
    name: str
    unit: str
    quantity: int
    dose: str
    unit_price: Decimal | None

    @staticmethod
    def resolve_catalogue_item(item) -> uuid.UUID | None:
        return item.catalogue_item_id


class EventRead(Schema):
    from_state: str
    to_state: str
    at: datetime.datetime
    actor: str = Field(description="username at the time, or what acted (a resident, a task)")
    note: str

    @staticmethod
    def resolve_actor(event) -> str:
        return event.actor_name


class RequestRead(Schema):
    id: uuid.UUID
    household: uuid.UUID
    person: uuid.UUID | None
    person_name: str | None = Field(description="masked")
    kind: KindCode
    kind_name: str
    urgency: UrgencyCode
    priority: bool = Field(description="a dialysis, pregnant, infant or bedridden household")
    priority_tags: list[str]
    state: StateCode
    state_name: str
    channel: str
    hotline_ticket: str
    submitted_at: datetime.datetime
    due_at: datetime.datetime
    clock: Literal["green", "amber", "red"] | None = Field(
        description="for an open request: amber past 3/4 of its limit, red past the limit"
    )
    delivered_at: datetime.datetime | None
    confirmation: str
    left_at: datetime.datetime | None
    cancel_reason: str
    amount: Decimal
    payment: PaymentCode
    has_prescription: bool

    @staticmethod
    def resolve_household(request: Request) -> uuid.UUID:
        return request.household_id

    @staticmethod
    def resolve_person(request: Request) -> uuid.UUID | None:
        return request.person_id

    @staticmethod
    def resolve_person_name(request: Request) -> str | None:
        return request.person.masked_name if request.person else None

    @staticmethod
    def resolve_kind_name(request: Request) -> str:
        return str(request.get_kind_display())

    @staticmethod
    def resolve_state_name(request: Request) -> str:
        return str(request.get_state_display())

    @staticmethod
    def resolve_clock(request: Request) -> str | None:
        if not request.is_open:
            return None
        return clocks.clock(
            submitted_at=request.submitted_at, due_at=request.due_at, now=timezone.now()
        )

    @staticmethod
    def resolve_has_prescription(request: Request) -> bool:
        return hasattr(request, "prescription")


class RequestDetail(RequestRead):
    notes: str
    chronic_condition: str
    items: list[ItemRead]
    events: list[EventRead]

    @staticmethod
    def resolve_items(request: Request) -> list:
        return list(request.items.order_by("id"))

    @staticmethod
    def resolve_events(request: Request) -> list:
        return list(request.events.order_by("at", "id"))


class RequestPage(Schema):
    items: list[RequestRead]
    next_cursor: str | None


class RequestParams(PageParams):
    state: StateCode | None = None
    kind: KindCode | None = None
    open: bool | None = Field(None, description="only open (true) or ended (false) requests")
    priority: bool | None = None
    region: Text | None = Field(None, max_length=18, description="only under this region code")
    order: Literal["newest", "board"] = Field(
        "newest", description="board: priority households first, then the oldest"
    )


class LineInput(Input):
    catalogue_item: uuid.UUID | None = None
    name: Text = Field("", max_length=100, description="a drug or a good not in the catalogue")
    unit: Text = Field("", max_length=20)
    quantity: int = Field(ge=1, le=services.MAX_QUANTITY)
    dose: Text = Field("", max_length=100, description="medicines: the dose as prescribed")


class DraftInput(Input):
    kind: KindCode
    items: list[LineInput] = Field(default_factory=list, max_length=services.MAX_ITEMS)
    person: uuid.UUID | None = Field(None, description="the member it is for")
    urgency: UrgencyCode = Urgency.NORMAL
    notes: Text = Field("", max_length=services.MAX_NOTES)
    chronic_condition: Text = Field("", max_length=100)
    confirmed: bool = Field(False, description="quantities far above the usual are meant")
    prescription: str | None = Field(
        None, max_length=7_000_000, description="the prescription photo, base64 (JPEG/PNG/WebP)"
    )


class RequestCreate(DraftInput):
    household: uuid.UUID
    hotline_ticket: Text = Field("", max_length=40, description="made from a hotline ticket")
    amount: Decimal | None = Field(
        None, ge=0, max_digits=10, decimal_places=2, description="entered instead of items"
    )
    payment: PaymentCode = Payment.TO_PAY


class MyRequestCreate(DraftInput):
    pass


class TransitionInput(Input):
    to_state: StateCode
    reason: Text = Field("", max_length=services.MAX_NOTE, description="required to cancel")
    confirmation: ConfirmationCode | None = Field(None, description="required to deliver")
    code: str = Field("", max_length=2000, description="the resident's code, scanned")
    note: Text = Field("", max_length=services.MAX_NOTE)
    left_at: Moment | None = Field(None, description="contact-free: when it was left")


class CostInput(Input):
    payment: PaymentCode
    amount: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)


class CancelInput(Input):
    reason: Text = Field(max_length=services.MAX_NOTE)


class CatalogueRead(Schema):
    id: uuid.UUID
    region: str = Field(description="the region code it is offered under")
    kind: ItemKindCode
    name: str
    unit: str
    price: Decimal
    usual_max: int
    active: bool

    @staticmethod
    def resolve_region(item: CatalogueItem) -> str:
        return item.region.code


class CataloguePage(Schema):
    items: list[CatalogueRead]
    next_cursor: str | None


class CatalogueParams(PageParams):
    active: bool | None = None


class CatalogueCreate(Input):
    region: Text = Field(max_length=18, description="the region code it is offered under")
    kind: ItemKindCode
    name: Text = Field(max_length=100)
    unit: Text = Field(max_length=20)
    price: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    usual_max: int = Field(5, ge=1, le=services.MAX_QUANTITY)
    active: bool = True


class CatalogueUpdate(Input):
    name: Text | None = Field(None, max_length=100)
    unit: Text | None = Field(None, max_length=20)
    price: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    usual_max: int | None = Field(None, ge=1, le=services.MAX_QUANTITY)
    active: bool | None = None


class LimitRead(Schema):
    kind: KindCode
    kind_name: str
    minutes: int


class LimitInput(Input):
    minutes: int = Field(ge=1, le=7 * 24 * 60)


class TotalRead(Schema):
    community: str = Field(description="the community's region code")
    community_name: str
    day: datetime.date
    requests: int
    amount: Decimal
    paid: Decimal
    to_pay: Decimal
    subsidised: Decimal


class TotalParams(Schema):
    since: datetime.date | None = Field(None, description="first day; default 6 days ago")
    until: datetime.date | None = Field(None, description="last day, inclusive; default today")
    region: Text | None = Field(None, max_length=18)


def _requests(user, action: str = VIEW, within: str = ""):
    return (
        Request.objects.restrict(user, action, within=within)
        .select_related("person", "prescription")
        .defer("prescription__data")
    )


def _request(request, request_id: str, action: str = VIEW) -> Request:
    return get_by_id(_requests(request.auth, action), request_id)


def _region_path(user, code: str | None, field: str = "region") -> str:
    if not code:
        return ""
    region = Region.objects.restrict(user, VIEW).filter(code=code).first()
    if region is None:
        raise ValidationError({field: _("没有这个区域，或其不在您的辖区内。")})
    return region.path


def _photo(encoded: str | None) -> services.Photo | None:
    if not encoded:
        return None
    try:
        return services.Photo(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise ValidationError({"prescription": _("处方照片应为 base64 编码的图片。")}) from exc


def _lines(payload: DraftInput, path: str) -> list[services.ItemInput]:
    wanted = {line.catalogue_item for line in payload.items if line.catalogue_item}
    found = {item.pk: item for item in services.catalogue_for(path).filter(pk__in=wanted)}
    lines = []
    for index, line in enumerate(payload.items):
        listed = None
        if line.catalogue_item is not None:
            listed = found.get(line.catalogue_item)
            if listed is None:
                raise ValidationError(
                    {f"items.{index}.catalogue_item": _("该物资目前不供应本户。")}
                )
        lines.append(
            services.ItemInput(
                quantity=line.quantity,
                catalogue_item=listed,
                name=line.name,
                unit=line.unit,
                dose=line.dose,
            )
        )
    return lines


def _draft(payload: DraftInput, household: Household, person: Person | None, **extra):
    return services.Draft(
        kind=payload.kind,
        items=_lines(payload, household.region_path),
        person=person,
        urgency=payload.urgency,
        notes=payload.notes,
        chronic_condition=payload.chronic_condition,
        confirmed=payload.confirmed,
        prescription=_photo(payload.prescription),
        **extra,
    )


# Requests


@router.get("/requests", response={200: RequestPage, **ERROR_RESPONSES})
def list_requests(request, params: Query[RequestParams]):
    """Requests the caller may see: newest first, or as the board (open ones by priority, then
    age); filters by state, kind, open, priority and region."""
    user = request.auth
    rows = _requests(user, within=_region_path(user, params.region))
    if params.state:
        rows = rows.filter(state=params.state)
    if params.kind:
        rows = rows.filter(kind=params.kind)
    if params.open is not None:
        is_open = Q(state__in=[state.value for state in services.OPEN_STATES])
        rows = rows.filter(is_open if params.open else ~is_open)
    if params.priority is not None:
        rows = rows.filter(priority=params.priority)
    ordering = BOARD if params.order == "board" else NEWEST
    items, next_cursor = page_of(rows, ordering=ordering, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/requests", response={201: RequestDetail, **ERROR_RESPONSES})
def create_request(request, payload: RequestCreate):
    """A request on a household's behalf (a grid worker's, or from a hotline ticket)."""
    user = request.auth
    require(user, SUPPLY_REQUEST, ADD)
    household = Household.objects.restrict(user, VIEW).filter(pk=payload.household).first()
    if household is None:
        raise ValidationError({"household": _("没有这一户，或其不在您的辖区内。")})
    person = None
    if payload.person is not None:
        person = Person.objects.filter(pk=payload.person, household=household).first()
        if person is None:
            raise ValidationError({"person": _("需求人不是本户成员。")})
    draft = _draft(payload, household, person, amount=payload.amount, payment=payload.payment)
    made = services.submit(
        actor=user, household=household, draft=draft, hotline_ticket=payload.hotline_ticket
    )
    return Status(201, _requests(user).get(pk=made.pk))


@router.get("/requests/{request_id}", response={200: RequestDetail, **ERROR_RESPONSES})
def get_request(request, request_id: str):
    """A request with its items and its timeline of events."""
    return _request(request, request_id)


@router.post("/requests/{request_id}/transition", response={200: RequestDetail, **ERROR_RESPONSES})
def transition_request(request, request_id: str, payload: TransitionInput):
    """Moves a request on: accepted, sourcing, out for delivery, delivered (with how it was
    confirmed) or cancelled (with a reason). A delivered or cancelled request moves no more."""
    found = _request(request, request_id, CHANGE)
    delivery = None
    if payload.to_state == RequestState.DELIVERED:
        delivery = services.Delivery(
            confirmation=payload.confirmation or "",
            code=payload.code,
            note=payload.note,
            left_at=payload.left_at,
        )
    services.transition(
        actor=request.auth,
        request=found,
        to_state=payload.to_state,
        reason=payload.reason,
        delivery=delivery,
    )
    return _request(request, request_id)


@router.post("/requests/{request_id}/cost", response={200: RequestDetail, **ERROR_RESPONSES})
def set_request_cost(request, request_id: str, payload: CostInput):
    """Paid, to pay or subsidised (困难群众 relief), and an amount entered by hand."""
    found = _request(request, request_id, CHANGE)
    services.set_cost(
        actor=request.auth, request=found, payment=payload.payment, amount=payload.amount
    )
    return _request(request, request_id)


@router.get("/totals", response={200: list[TotalRead], **ERROR_RESPONSES})
def totals(request, params: Query[TotalParams]):
    """Cost per community per day, by how it is paid; cancelled requests excluded."""
    user = request.auth
    require(user, SUPPLY_REQUEST, VIEW)
    today = timezone.localdate()
    until = params.until or today
    since = params.since or until - datetime.timedelta(days=6)
    return services.daily_totals(
        user, since=since, until=until, within=_region_path(user, params.region)
    )


# The catalogue and the limits


@router.get("/catalogue", response={200: CataloguePage, **ERROR_RESPONSES})
def list_catalogue(request, params: Query[CatalogueParams]):
    rows = services.visible_catalogue(request.auth).select_related("region")
    if params.active is not None:
        rows = rows.filter(active=params.active)
    items, next_cursor = page_of(rows, ordering=CATALOGUE_ORDERING, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/catalogue", response={201: CatalogueRead, **ERROR_RESPONSES})
def create_catalogue_item(request, payload: CatalogueCreate):
    user = request.auth
    require(user, CATALOGUE, ADD)
    region = Region.objects.restrict(user, VIEW).filter(code=payload.region).first()
    if region is None:
        raise ValidationError({"region": _("没有这个区域，或其不在您的辖区内。")})
    item = services.add_item(
        actor=user,
        region=region,
        kind=payload.kind,
        name=payload.name,
        unit=payload.unit,
        price=payload.price,
        usual_max=payload.usual_max,
        active=payload.active,
    )
    return Status(201, item)


@router.patch("/catalogue/{item_id}", response={200: CatalogueRead, **ERROR_RESPONSES})
def update_catalogue_item(request, item_id: str, payload: CatalogueUpdate):
    user = request.auth
    item = get_by_id(CatalogueItem.objects.restrict(user, CHANGE).select_related("region"), item_id)
    changes = payload.model_dump(exclude_none=True)
    return services.update_item(actor=user, item=item, **changes)


@router.get("/limits", response={200: list[LimitRead], **ERROR_RESPONSES})
def list_limits(request):
    """Each kind's time limit in minutes (the defaults unless an administrator changed them)."""
    require(request.auth, SUPPLY_REQUEST, VIEW)
    return [
        {
            "kind": kind,
            "kind_name": str(RequestKind(kind).label),
            "minutes": int(limit.total_seconds() // 60),
        }
        for kind, limit in services.limits().items()
    ]


@router.put("/limits/{kind}", response={200: LimitRead, **ERROR_RESPONSES})
def set_limit(request, kind: str, payload: LimitInput):
    row = services.set_limit(actor=request.auth, kind=kind, minutes=payload.minutes)
    return {"kind": row.kind, "kind_name": str(row.get_kind_display()), "minutes": row.minutes}


# The residents' side


class MyRequestParams(PageParams):
    pass


def _mine(holder_id):
    return (
        services.resident_requests(holder_id)
        .select_related("person", "prescription")
        .defer("prescription__data")
    )


@resident_router.get("", response={200: RequestPage, **RESIDENT_ERRORS})
def my_requests(request, params: Query[MyRequestParams]):
    """My requests and my household's, newest first."""
    items, next_cursor = page_of(_mine(request.auth.person_id), ordering=NEWEST, page=params)
    return {"items": items, "next_cursor": next_cursor}


@resident_router.get("/catalogue", response={200: list[CatalogueRead], **RESIDENT_ERRORS})
def my_catalogue(request, person: str | None = None):
    """What may be asked for, for me or someone I look after (`person`)."""
    found = Person.objects.get(pk=subject(request.auth.person_id, person))
    return list(services.catalogue_for(found.region_path).select_related("region"))


@resident_router.post("", response={201: RequestDetail, **RESIDENT_ERRORS})
def make_request(request, payload: MyRequestCreate):
    """A request for me, or for someone in my confirmed care (`person`)."""
    holder = Person.objects.get(pk=request.auth.person_id)
    person = Person.objects.get(pk=subject(holder.pk, payload.person))
    made = services.submit_for_resident(
        holder=holder, draft=_draft(payload, person.household, person)
    )
    return Status(201, _mine(holder.pk).get(pk=made.pk))


@resident_router.get("/{request_id}", response={200: RequestDetail, **RESIDENT_ERRORS})
def my_request(request, request_id: str):
    return get_by_id(_mine(request.auth.person_id), request_id)


@resident_router.post("/{request_id}/cancel", response={200: RequestDetail, **RESIDENT_ERRORS})
def cancel_my_request(request, request_id: str, payload: CancelInput):
    """Withdraws a request I made, while it has not been accepted."""
    holder = Person.objects.get(pk=request.auth.person_id)
    found = get_by_id(_mine(holder.pk), request_id)
    services.cancel_own(holder=holder, request=found, reason=payload.reason)
    return get_by_id(_mine(holder.pk), request_id)

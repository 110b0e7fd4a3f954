"""Daily follow-up: check-ins of the people under running orders, the fever alerts they raise,
who is due a slot and who missed one.

Staff (`/isolation/check-ins`): site staff record for the people of their sites, grid teams
for the home-isolated of their grids, in one batch of up to 5,000; an order they may not record
for, or that is not running, is an error in that item's field (422), like a bad number.
Residents (`/me/check-ins`): today's slots for themselves and the people they look after, and
a report for one of them (`person`, confirmed by a grid worker; any other id is 404).
"""

import datetime
import decimal
import uuid
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import VIEW
from fangyi.core.schemas import ERROR_RESPONSES, Input, PageParams
from fangyi.people.models import Person
from fangyi.portal.api import RESIDENT_ERRORS
from fangyi.portal.auth import resident_auth
from fangyi.portal.services import confirmed_dependants, subject

from ..models import CheckIn, CheckInChannel, CheckInSlot, Order, Site
from . import services

router = Router(tags=["isolation"])
resident_router = Router(tags=["portal"], auth=resident_auth)

SymptomCode = Literal[*services.SYMPTOMS]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
SlotNumber = Literal[1, 2]
Temperature = Annotated[
    float, Field(allow_inf_nan=False, ge=0, le=100, description="℃, 34.0 to 43.0")
]
NEWEST_FIRST = ("-reported_at", "-id")
ORDERS = ("region_path", "id")


def _decimal(value: float | None) -> decimal.Decimal | None:
    if value is None:
        return None
    return decimal.Decimal(str(value)).quantize(decimal.Decimal("0.1"))


class CheckInRead(Schema):
    id: uuid.UUID
    order: uuid.UUID
    person: uuid.UUID
    person_name: str = Field(description="masked")
    day: datetime.date
    slot: SlotNumber
    temperature: float | None = Field(description="null when reported normal with one tap")
    symptoms: list[str]
    fever: bool = Field(description="37.3 ℃ or more, or a listed symptom")
    channel: str
    reported_at: datetime.datetime
    reported_by: str
    alert_handled_at: datetime.datetime | None

    @staticmethod
    def resolve_order(check_in: CheckIn) -> uuid.UUID:
        return check_in.order_id

    @staticmethod
    def resolve_person(check_in: CheckIn) -> uuid.UUID:
        return check_in.person_id

    @staticmethod
    def resolve_person_name(check_in: CheckIn) -> str:
        return check_in.person.masked_name

    @staticmethod
    def resolve_temperature(check_in: CheckIn) -> float | None:
        return None if check_in.temperature is None else float(check_in.temperature)

    @staticmethod
    def resolve_reported_by(check_in: CheckIn) -> str:
        return check_in.reported_by_name


class CheckInPage(Schema):
    items: list[CheckInRead]
    next_cursor: str | None


class DueRead(Schema):
    order: uuid.UUID
    person: uuid.UUID
    person_name: str = Field(description="masked")
    kind: str
    site: uuid.UUID | None
    room: str | None
    started_at: datetime.datetime | None

    @staticmethod
    def resolve_order(order: Order) -> uuid.UUID:
        return order.pk

    @staticmethod
    def resolve_person(order: Order) -> uuid.UUID:
        return order.person_id

    @staticmethod
    def resolve_person_name(order: Order) -> str:
        return order.person.masked_name

    @staticmethod
    def resolve_site(order: Order) -> uuid.UUID | None:
        return order.site_id

    @staticmethod
    def resolve_room(order: Order) -> str | None:
        return order.room.number if order.room is not None else None


class DuePage(Schema):
    day: datetime.date
    slot: SlotNumber
    items: list[DueRead]
    next_cursor: str | None


class MissedPage(Schema):
    day: datetime.date
    items: list[DueRead]
    next_cursor: str | None


class CheckInParams(PageParams):
    day: datetime.date | None = None
    slot: SlotNumber | None = None
    fever: bool | None = None
    order: uuid.UUID | None = None


class DueParams(PageParams):
    site: uuid.UUID | None = Field(None, description="a site's people; else the home-isolated")
    slot: SlotNumber | None = Field(None, description="today's slot; the current one if omitted")


class MissedParams(PageParams):
    day: datetime.date | None = Field(None, description="today if omitted")


class Item(Input):
    order: uuid.UUID
    temperature: Temperature | None = None
    symptoms: list[SymptomCode] = Field(default_factory=list, max_length=len(services.SYMPTOMS))


class Batch(Input):
    slot: SlotNumber | None = Field(None, description="today's slot; the current one if omitted")
    items: list[Item] = Field(min_length=1, max_length=services.MAX_BATCH)


class BatchResult(Schema):
    day: datetime.date
    slot: SlotNumber
    created: int
    corrected: int
    fevers: int = Field(description="of them, reports of fever or symptoms (alerts raised)")


def _check_ins(user) -> QuerySet[CheckIn]:
    return CheckIn.objects.restrict(user, VIEW).select_related("person")


def _site(user, site_id: uuid.UUID) -> Site:
    site = services.sites_for(user).filter(pk=site_id).first()
    if site is None:
        raise ValidationError({"site": [_("没有这个隔离点，或不在您的范围内。")]})
    return site


@router.get("", response={200: CheckInPage, **ERROR_RESPONSES})
def list_check_ins(request, params: Query[CheckInParams]):
    """Check-ins the caller may see, newest first."""
    rows = _check_ins(request.auth)
    if params.day:
        rows = rows.filter(day=params.day)
    if params.slot:
        rows = rows.filter(slot=params.slot)
    if params.fever is not None:
        rows = rows.filter(fever=params.fever)
    if params.order:
        rows = rows.filter(order_id=params.order)
    items, next_cursor = page_of(rows, ordering=NEWEST_FIRST, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", response={200: BatchResult, **ERROR_RESPONSES})
def record_check_ins(request, payload: Batch):
    """Records a slot of today for many people at once; a slot reported again is corrected."""
    items = [
        services.CheckInInput(
            order_id=item.order, temperature=_decimal(item.temperature), symptoms=item.symptoms
        )
        for item in payload.items
    ]
    recorded = services.record(
        actor=request.auth, items=items, slot=payload.slot, channel=CheckInChannel.API
    )
    day, current = services.current_slot()
    return {
        "day": day,
        "slot": payload.slot or current,
        "created": recorded.created,
        "corrected": recorded.corrected,
        "fevers": len(recorded.fevers),
    }


@router.get("/due", response={200: DuePage, **ERROR_RESPONSES})
def due(request, params: Query[DueParams]):
    """Who has not reported the slot yet: a site's people, or the home-isolated of the caller's
    regions."""
    user = request.auth
    day, current = services.current_slot()
    slot = params.slot or current
    if params.site:
        orders = services.site_orders(_site(user, params.site))
    else:
        orders = services.home_orders_for(user)
    orders = services.due(orders, day, slot).select_related("person", "room")
    items, next_cursor = page_of(orders, ordering=ORDERS, page=params)
    return {"day": day, "slot": slot, "items": items, "next_cursor": next_cursor}


@router.get("/missed", response={200: MissedPage, **ERROR_RESPONSES})
def missed(request, params: Query[MissedParams]):
    """Who missed a slot of the day, once its missed hour has passed (empty before)."""
    user = request.auth
    day = params.day or timezone.localdate()
    orders = services.missed(services.followed_orders(user), day).select_related("person", "room")
    items, next_cursor = page_of(orders, ordering=ORDERS, page=params)
    return {"day": day, "items": items, "next_cursor": next_cursor}


@router.get("/alerts", response={200: CheckInPage, **ERROR_RESPONSES})
def alerts(request, params: Query[PageParams]):
    """Open fever alerts: fever or symptoms reported and no officer has handled them yet."""
    rows = services.open_alerts(request.auth).select_related("person")
    items, next_cursor = page_of(rows, ordering=NEWEST_FIRST, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/alerts/{check_in_id}/handle", response={200: CheckInRead, **ERROR_RESPONSES})
def handle_alert(request, check_in_id: str):
    """The officer has acted on the fever; the alert leaves the open list."""
    check_in = get_by_id(_check_ins(request.auth), check_in_id)
    return services.handle_alert(actor=request.auth, check_in=check_in)


# Residents


class SlotRead(Schema):
    slot: SlotNumber
    done: bool
    temperature: float | None
    fever: bool


class TodayRead(Schema):
    person: uuid.UUID
    person_name: str = Field(description="masked")
    day: datetime.date
    current_slot: SlotNumber
    slots: list[SlotRead]


class Report(Input):
    temperature: Temperature | None = None
    symptoms: list[SymptomCode] = Field(default_factory=list, max_length=len(services.SYMPTOMS))
    person: uuid.UUID | None = Field(None, description="someone I look after")


def today_for(holder_id) -> list[dict]:
    """Today's slots of the resident and of the people they look after who are under a
    running order."""
    people = [holder_id, *(item.dependant_id for item in confirmed_dependants(holder_id))]
    orders = {
        order.person_id: order
        for order in Order.objects.running().filter(person_id__in=people).select_related("person")
    }
    day, current = services.current_slot()
    reported = {
        (check_in.order_id, check_in.slot): check_in
        for check_in in CheckIn.objects.filter(
            order_id__in=[order.pk for order in orders.values()], day=day
        )
    }
    today = []
    for person_id in people:
        order = orders.get(person_id)
        if order is None:
            continue
        slots = []
        for slot in CheckInSlot.values:
            check_in = reported.get((order.pk, slot))
            slots.append(
                {
                    "slot": slot,
                    "done": check_in is not None,
                    "temperature": None
                    if check_in is None or check_in.temperature is None
                    else float(check_in.temperature),
                    "fever": check_in is not None and check_in.fever,
                }
            )
        today.append(
            {
                "person": person_id,
                "person_name": order.person.masked_name,
                "day": day,
                "current_slot": current,
                "slots": slots,
            }
        )
    return today


@resident_router.get("", response={200: list[TodayRead], **RESIDENT_ERRORS})
def my_check_ins(request):
    """Today's slots, done or due, of me and the people I look after under isolation."""
    return today_for(request.auth.person_id)


@resident_router.post("", response={201: CheckInRead, **RESIDENT_ERRORS})
def report(request, payload: Report):
    """Reports the current slot for me or someone I look after; reporting it again corrects it."""
    holder_id = request.auth.person_id
    person = Person.objects.get(pk=subject(holder_id, payload.person))
    holder = None if person.pk == holder_id else Person.objects.get(pk=holder_id)
    check_in = services.report(
        person=person,
        holder=holder,
        temperature=_decimal(payload.temperature),
        symptoms=payload.symptoms,
    )
    check_in.person = person
    return Status(201, check_in)

"""Transfer batches' JSON API, under /api/v1/isolation/transfers: batches and their
passengers, the driver's actions, and the people waiting longest to be placed.

A batch the caller cannot see (another region, or for a driver another driver's batch)
answers 404; one they see but may not work, 403.
"""

import datetime
import uuid
from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.pagination import InvalidCursor, decode_cursor, keyset_page
from fangyi.core.permissions import ADD, CHANGE, VIEW, require
from fangyi.core.schemas import ERROR_RESPONSES, Input, Moment, PageParams, Text
from fangyi.regions.models import Level, Region

from ..area import TRANSFER
from ..models import (
    Order,
    OrderState,
    Passenger,
    PassengerState,
    Site,
    TransferBatch,
    TransferState,
)
from . import services

router = Router(tags=["isolation"])

BatchState = Literal[*TransferState.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
PassengerStateCode = Literal[*PassengerState.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ORDERING = ("planned_at", "id")


class PassengerRead(Schema):
    id: int
    order: uuid.UUID
    person: uuid.UUID
    person_name: str = Field(description="masked")
    household: uuid.UUID | None
    building: str | None = Field(description="the building's name: the pickup list's group")
    state: PassengerStateCode
    state_name: str
    picked_up_at: datetime.datetime | None
    arrived_at: datetime.datetime | None
    note: str
    found_at: datetime.datetime = Field(description="when the person was found (their fact)")
    waited_hours: float | None = Field(description="from being found to arriving")

    @staticmethod
    def resolve_order(passenger: Passenger) -> uuid.UUID:
        return passenger.order_id

    @staticmethod
    def resolve_person(passenger: Passenger) -> uuid.UUID:
        return passenger.order.person_id

    @staticmethod
    def resolve_person_name(passenger: Passenger) -> str:
        return passenger.order.person.masked_name

    @staticmethod
    def resolve_household(passenger: Passenger) -> uuid.UUID | None:
        return passenger.order.household_id

    @staticmethod
    def resolve_building(passenger: Passenger) -> str | None:
        household = passenger.order.household
        return household.building.name if household else None

    @staticmethod
    def resolve_state_name(passenger: Passenger) -> str:
        return str(passenger.get_state_display())

    @staticmethod
    def resolve_found_at(passenger: Passenger) -> datetime.datetime:
        return services.found_at(passenger.order)

    @staticmethod
    def resolve_waited_hours(passenger: Passenger) -> float | None:
        return services.waited_hours(passenger)


class BatchRead(Schema):
    id: uuid.UUID
    region: str = Field(description="the pickup region's code")
    region_name: str
    vehicle: str
    driver: uuid.UUID | None = Field(description="the driver's user id")
    driver_name: str | None = Field(description="the driver's username")
    site: uuid.UUID | None
    site_name: str | None
    hospital: str
    state: BatchState
    state_name: str
    planned_at: datetime.datetime
    departed_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_region(batch: TransferBatch) -> str:
        return batch.region.code

    @staticmethod
    def resolve_region_name(batch: TransferBatch) -> str:
        return batch.region.name

    @staticmethod
    def resolve_driver(batch: TransferBatch) -> uuid.UUID | None:
        return batch.driver_id

    @staticmethod
    def resolve_driver_name(batch: TransferBatch) -> str | None:
        return batch.driver.get_username() if batch.driver else None

    @staticmethod
    def resolve_site(batch: TransferBatch) -> uuid.UUID | None:
        return batch.site_id

    @staticmethod
    def resolve_site_name(batch: TransferBatch) -> str | None:
        return batch.site.name if batch.site else None

    @staticmethod
    def resolve_state_name(batch: TransferBatch) -> str:
        return str(batch.get_state_display())


class BatchDetail(BatchRead):
    passengers: list[PassengerRead] = Field(description="the pickup list, by building")

    @staticmethod
    def resolve_passengers(batch: TransferBatch) -> list[Passenger]:
        return [passenger for _name, group in services.pickup_list(batch) for passenger in group]


class BatchPage(Schema):
    items: list[BatchRead]
    next_cursor: str | None


class BatchParams(PageParams):
    state: BatchState | None = None
    driver: uuid.UUID | None = Field(None, description="the driver's user id")


class Selection(Input):
    orders: list[uuid.UUID] = Field(
        default_factory=list, max_length=services.MAX_PASSENGERS, description="order ids"
    )
    building: Text | None = Field(
        None, max_length=18, description="or: every order to place in this building (its code)"
    )


class BatchWrite(Selection):
    region: Text = Field(max_length=18, description="the pickup region's code")
    vehicle: Text = Field(max_length=services.MAX_VEHICLE)
    driver: uuid.UUID = Field(description="the driver's user id")
    site: uuid.UUID | None = Field(None, description="the destination site, or:")
    hospital: Text = Field("", max_length=services.MAX_HOSPITAL, description="the hospital")
    planned_at: Moment | None = Field(None, description="when it leaves; now by default")


class Because(Input):
    reason: Text = Field(max_length=services.MAX_NOTE)


class WaitingItem(Schema):
    order: uuid.UUID
    person: uuid.UUID
    person_name: str = Field(description="masked")
    building: str | None
    reason: str
    found_at: datetime.datetime
    hours_waited: float
    batch: uuid.UUID | None = Field(description="the planned batch that will fetch them")
    vehicle: str | None = Field(description="that batch's vehicle")


class WaitingPage(Schema):
    items: list[WaitingItem]
    next_cursor: str | None


def _batch(request, batch_id: str, action: str = VIEW) -> TransferBatch:
    return get_by_id(services.batches_for(request.auth, action), batch_id)


def _passenger(batch: TransferBatch, passenger_id: str) -> Passenger:
    if not passenger_id.isascii() or not passenger_id.isdigit() or len(passenger_id) > 18:
        raise Http404
    passenger = batch.passengers.select_related("order__person").filter(pk=int(passenger_id))
    found = passenger.first()
    if found is None:
        raise Http404
    return found


def _region(user, code: str) -> Region:
    region = Region.objects.restrict(user, VIEW).filter(code=code).first()
    if region is None:
        raise ValidationError({"region": _("没有这个区域，或其不在您的辖区内。")})
    if region.level == Level.PROVINCE:
        raise ValidationError({"region": _("请选择市级或以下的区域。")})
    return region


def _selected(user, payload: Selection, region: Region) -> list[Order]:
    """The orders named: by id, or every order to place in a building of the region."""
    if bool(payload.orders) == bool(payload.building):
        raise ValidationError({"orders": _("请选择隔离令，或指定一栋楼。")})
    orders = Order.objects.restrict(user, CHANGE).select_related("person")
    if payload.building:
        building = (
            Region.objects.restrict(user, VIEW)
            .filter(code=payload.building, level=Level.BUILDING)
            .first()
        )
        if building is None:
            raise ValidationError({"building": _("没有这栋楼，或其不在您的辖区内。")})
        chosen = list(
            orders.filter(region_path__startswith=building.path, state=OrderState.TO_PLACE)
        )
        if not chosen:
            raise ValidationError({"building": _("这栋楼没有待安置的人员。")})
        return chosen
    chosen = list(orders.filter(pk__in=payload.orders))
    if len(chosen) != len(set(payload.orders)):
        raise ValidationError({"orders": _("有隔离令不存在，或不在您的辖区内。")})
    return chosen


def _detail(request, batch: TransferBatch) -> TransferBatch:
    return services.batches_for(request.auth).get(pk=batch.pk)


@router.get("", response={200: BatchPage, **ERROR_RESPONSES})
def list_batches(request, params: Query[BatchParams]):
    """Batches the caller may see (a driver: the ones they drive), by planned time."""
    batches = services.batches_for(request.auth)
    if params.state:
        batches = batches.filter(state=params.state)
    if params.driver:
        batches = batches.filter(driver_id=params.driver)
    items, next_cursor = page_of(batches, ordering=ORDERING, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", response={201: BatchDetail, **ERROR_RESPONSES})
def create_batch(request, payload: BatchWrite):
    """A batch from orders waiting to be placed (by id, or all of a building), with vehicle,
    driver, destination (a site or a hospital) and planned time."""
    user = request.auth
    require(user, TRANSFER, ADD)
    region = _region(user, payload.region)
    site = None
    if payload.site is not None:
        site = Site.objects.restrict(user, VIEW).filter(pk=payload.site).first()
        if site is None:
            raise ValidationError({"site": _("没有这个隔离点，或其不在您的辖区内。")})
    driver = get_user_model().objects.filter(pk=payload.driver, is_active=True).first()
    if driver is None:
        raise ValidationError({"driver": _("没有这个司机。")})
    batch = services.create_batch(
        actor=user,
        region=region,
        vehicle=payload.vehicle,
        driver=driver,
        orders=_selected(user, payload, region),
        planned_at=payload.planned_at or timezone.now(),
        site=site,
        hospital=payload.hospital,
    )
    return Status(201, _detail(request, batch))


@router.get("/waiting", response={200: WaitingPage, **ERROR_RESPONSES})
def waiting(request, params: Query[PageParams]):
    """People waiting to be placed, longest first, with the hours since they were found."""
    user = request.auth
    require(user, TRANSFER, ADD)
    if params.cursor:
        found, pk = decode_cursor(params.cursor, 2)
        try:
            datetime.datetime.fromisoformat(str(found))
            uuid.UUID(str(pk))
        except ValueError as exc:
            raise InvalidCursor("cursor is not one this server issued") from exc
    rows, next_cursor = keyset_page(
        services.waiting(user),
        ordering=services.LONGEST_FIRST,
        cursor=params.cursor,
        size=params.limit,
    )
    now = timezone.now()
    return {
        "items": [
            {
                "order": order.pk,
                "person": order.person_id,
                "person_name": order.person.masked_name,
                "building": order.household.building.name if order.household else None,
                "reason": str(order.get_reason_display()),
                "found_at": services.found_of(order),
                "hours_waited": services.hours(services.found_of(order), now),
                # Annotations of services.waiting.
                "batch": getattr(order, "batch_id", None),
                "vehicle": getattr(order, "batch_vehicle", None),
            }
            for order in rows
        ],
        "next_cursor": next_cursor,
    }


@router.get("/{batch_id}", response={200: BatchDetail, **ERROR_RESPONSES})
def get_batch(request, batch_id: str):
    """A batch with its pickup list by building and each person's state and times."""
    return _batch(request, batch_id)


def _managed(request, batch_id: str) -> TransferBatch:
    """A batch the caller sees and arranges (officers): 403 before the body is looked at."""
    batch = _batch(request, batch_id)
    if not services.manages(request.auth, batch.region_path):
        raise PermissionDenied(_("只有街道或社区干部可以安排转运批次。"))
    return batch


@router.post("/{batch_id}/passengers", response={200: BatchDetail, **ERROR_RESPONSES})
def add_passengers(request, batch_id: str, payload: Selection):
    """More people for a batch that has not left (by id, or all of a building)."""
    batch = _managed(request, batch_id)
    services.add_passengers(
        actor=request.auth, batch=batch, orders=_selected(request.auth, payload, batch.region)
    )
    return _detail(request, batch)


@router.delete(
    "/{batch_id}/passengers/{passenger_id}", response={200: BatchDetail, **ERROR_RESPONSES}
)
def remove_passenger(request, batch_id: str, passenger_id: str):
    batch = _managed(request, batch_id)
    services.remove_passenger(
        actor=request.auth, batch=batch, passenger=_passenger(batch, passenger_id)
    )
    return _detail(request, batch)


@router.post("/{batch_id}/depart", response={200: BatchDetail, **ERROR_RESPONSES})
def depart(request, batch_id: str):
    """The vehicle leaves: every passenger's order is in transfer."""
    batch = _batch(request, batch_id)
    services.depart(actor=request.auth, batch=batch)
    return _detail(request, batch)


@router.post(
    "/{batch_id}/passengers/{passenger_id}/pick-up",
    response={200: BatchDetail, **ERROR_RESPONSES},
)
def pick_up(request, batch_id: str, passenger_id: str):
    batch = _batch(request, batch_id)
    services.pick_up(actor=request.auth, batch=batch, passenger=_passenger(batch, passenger_id))
    return _detail(request, batch)


@router.post(
    "/{batch_id}/passengers/{passenger_id}/not-found",
    response={200: BatchDetail, **ERROR_RESPONSES},
)
def not_found(request, batch_id: str, passenger_id: str, payload: Because):
    """The person was not at the pickup: their order waits to be placed again."""
    batch = _batch(request, batch_id)
    services.not_found(
        actor=request.auth,
        batch=batch,
        passenger=_passenger(batch, passenger_id),
        reason=payload.reason,
    )
    return _detail(request, batch)


@router.post("/{batch_id}/arrive", response={200: BatchDetail, **ERROR_RESPONSES})
def arrive(request, batch_id: str):
    """At the destination: at a site everyone picked up is checked in (households together),
    at a hospital their orders end; the batch is done."""
    batch = _batch(request, batch_id)
    services.arrive(actor=request.auth, batch=batch)
    return _detail(request, batch)


@router.post("/{batch_id}/cancel", response={200: BatchDetail, **ERROR_RESPONSES})
def cancel(request, batch_id: str, payload: Because):
    batch = _managed(request, batch_id)
    services.cancel(actor=request.auth, batch=batch, reason=payload.reason)
    return _detail(request, batch)

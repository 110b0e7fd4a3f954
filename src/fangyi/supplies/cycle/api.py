"""The daily cycle's API, under /api/v1/supplies/batches: cut-off times per community,
batches (formed by the periodic job at each cut-off, or by hand), a batch's pick list and
delivery lists, and recording a delivery from its field-work task.

A batch the caller cannot see is 404; a grid's staff see the batch of their community with
only their grid's part of the delivery lists, and no pick list.
"""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import CHANGE, VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES, Input, Moment, PageParams, Text
from fangyi.fieldwork.models import Task
from fangyi.regions.models import Level, Region

from .. import services as supplies
from ..area import SUPPLY_REQUEST
from ..models import Confirmation, Request, RequestState
from . import services
from .models import Batch, CutOff

router = Router(tags=["supplies"])

ConfirmationCode = Literal[*Confirmation.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
StateCode = Literal[*RequestState.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ORDERING = ("-cut_off_at", "id")


class CutOffRead(Schema):
    region: str = Field(description="the community's code")
    needs_by: datetime.time
    orders_by: datetime.time
    deliver_from: datetime.time = Field(description="the next morning")
    own: bool = Field(description="false: the defaults, the community has set none")


class CutOffInput(Input):
    needs_by: datetime.time
    orders_by: datetime.time
    deliver_from: datetime.time


class BatchRead(Schema):
    id: uuid.UUID
    region: str = Field(description="the community's code")
    region_name: str
    day: datetime.date
    cut_off_at: datetime.datetime
    orders_by: datetime.datetime
    deliver_from: datetime.datetime
    formed_at: datetime.datetime
    requests: int
    priority_requests: int

    @staticmethod
    def resolve_region(batch: Batch) -> str:
        return batch.region.code

    @staticmethod
    def resolve_region_name(batch: Batch) -> str:
        return batch.region.name


class BatchPage(Schema):
    items: list[BatchRead]
    next_cursor: str | None


class BatchParams(PageParams):
    day: datetime.date | None = None


class BatchCreate(Input):
    region: Text = Field(max_length=18, description="the community's code")


class PickLineRead(Schema):
    name: str
    unit: str
    quantity: int


class StopRead(Schema):
    request: uuid.UUID
    task: uuid.UUID | None
    unit: str
    room: str
    for_whom: str = Field(description="masked")
    kind: str
    priority: bool
    priority_tags: list[str]
    lines: list[str]


class BuildingRead(Schema):
    code: str
    name: str
    stops: list[StopRead]


class DeliveryInput(Input):
    confirmation: ConfirmationCode
    code: str = Field("", max_length=2000, description="the resident's code, scanned")
    note: Text = Field("", max_length=supplies.MAX_NOTE)
    left_at: Moment | None = Field(None, description="contact-free: when it was left")


class DeliveredRead(Schema):
    request: uuid.UUID
    state: StateCode
    delivered_at: datetime.datetime | None
    confirmation: str
    task: uuid.UUID
    task_status: str


def _community(user, code: str) -> Region:
    region = Region.objects.restrict(user, VIEW).filter(code=code, level=Level.COMMUNITY).first()
    if region is None:
        raise ValidationError({"region": _("没有这个社区，或其不在您的辖区内。")})
    return region


def _community_or_none(user, code: str) -> Region | None:
    # Region codes are digits: anything else (a NUL byte PostgreSQL refuses) is no region.
    if not code.isdigit():
        return None
    return Region.objects.restrict(user, VIEW).filter(code=code, level=Level.COMMUNITY).first()


def _batch(request, batch_id: str) -> Batch:
    return get_by_id(services.batches_for(request.auth), batch_id)


def _times(region: Region) -> dict:
    times = services.times_of([region.path])[region.path]
    own = CutOff.objects.filter(region=region).exists()
    return {
        "region": region.code,
        "needs_by": times.needs_by,
        "orders_by": times.orders_by,
        "deliver_from": times.deliver_from,
        "own": own,
    }


@router.get("/cut-offs/{code}", response={200: CutOffRead, **ERROR_RESPONSES})
def get_cut_off(request, code: str):
    """A community's times (its own, or the defaults 16:00, 18:00 and 08:00 the next day)."""
    found = _community_or_none(request.auth, code)
    if found is None or not can(request.auth, SUPPLY_REQUEST, VIEW, found.path):
        raise Http404
    return _times(found)


@router.put("/cut-offs/{code}", response={200: CutOffRead, **ERROR_RESPONSES})
def put_cut_off(request, code: str, payload: CutOffInput):
    found = _community_or_none(request.auth, code)
    if found is None:
        raise Http404
    services.set_cut_off(
        actor=request.auth,
        region=found,
        needs_by=payload.needs_by,
        orders_by=payload.orders_by,
        deliver_from=payload.deliver_from,
    )
    return _times(found)


@router.get("", response={200: BatchPage, **ERROR_RESPONSES})
def list_batches(request, params: Query[BatchParams]):
    """Batches the caller sees, the latest cut-off first."""
    batches = services.batches_for(request.auth)
    if params.day:
        batches = batches.filter(day=params.day)
    items, next_cursor = page_of(batches, ordering=ORDERING, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", response={201: BatchRead, **ERROR_RESPONSES})
def form_batch(request, payload: BatchCreate):
    """Forms the community's batch of today now, before its cut-off (or again after it, to
    add requests accepted since): requests join one batch only."""
    batch = services.form_batch(actor=request.auth, region=_community(request.auth, payload.region))
    return Status(201, services.batches_for(request.auth).get(pk=batch.pk))


@router.get("/{batch_id}", response={200: BatchRead, **ERROR_RESPONSES})
def get_batch(request, batch_id: str):
    return _batch(request, batch_id)


@router.get("/{batch_id}/pick-list", response={200: list[PickLineRead], **ERROR_RESPONSES})
def get_pick_list(request, batch_id: str):
    """Totals per item for the supplier: for those who see the whole community."""
    batch = _batch(request, batch_id)
    if services.list_scope(request.auth, batch) is not None:
        raise PermissionDenied(_("拣货单只给能查看整个社区的人员。"))
    return services.pick_list([batch])


@router.get("/{batch_id}/deliveries", response={200: list[BuildingRead], **ERROR_RESPONSES})
def get_deliveries(request, batch_id: str):
    """The delivery lists, building by building, priority households first; a grid's staff
    get their grid's buildings."""
    batch = _batch(request, batch_id)
    lists = services.delivery_lists(batch, within=services.list_scope(request.auth, batch))
    return [
        {
            "code": building.code,
            "name": building.name,
            "stops": [
                {
                    "request": stop.request_id,
                    "task": stop.task_id,
                    "unit": stop.unit,
                    "room": stop.room,
                    "for_whom": stop.for_whom,
                    "kind": stop.kind,
                    "priority": stop.priority,
                    "priority_tags": stop.priority_tags,
                    "lines": stop.lines,
                }
                for stop in building.stops
            ],
        }
        for building in lists
    ]


@router.post("/deliveries/{task_id}/deliver", response={200: DeliveredRead, **ERROR_RESPONSES})
def deliver(request, task_id: str, payload: DeliveryInput):
    """At the door: the delivery task's request is marked delivered with how it was confirmed
    (the resident's code scanned, a note, or left at the door at a time), and the task done."""
    task = get_by_id(Task.objects.restrict(request.auth, CHANGE), task_id)
    delivered = services.deliver(
        actor=request.auth,
        task=task,
        delivery=supplies.Delivery(
            confirmation=payload.confirmation,
            code=payload.code,
            note=payload.note,
            left_at=payload.left_at,
        ),
    )
    task.refresh_from_db()
    return {
        "request": delivered.pk,
        "state": delivered.state,
        "delivered_at": delivered.delivered_at,
        "confirmation": delivered.confirmation,
        "task": task.pk,
        "task_status": task.status,
    }


class DispatchedRead(Schema):
    request: uuid.UUID
    state: str
    dispatched_at: datetime.datetime
    task: uuid.UUID
    task_status: str


@router.post("/dispatch/{request_id}", response={200: DispatchedRead, **ERROR_RESPONSES})
def dispatch(request, request_id: str):
    """立即派送: the request goes to its grid's pool of deliveries now, due by its own time
    limit, instead of waiting for the community's cut-off. Sending it again answers the same
    task; a request in a batch, on its way or ended is refused (422)."""
    found = get_by_id(Request.objects.restrict(request.auth, CHANGE), request_id)
    task = services.dispatch_now(actor=request.auth, request=found)
    found.refresh_from_db()
    assert found.dispatched_at is not None
    return {
        "request": found.pk,
        "state": found.state,
        "dispatched_at": found.dispatched_at,
        "task": task.pk,
        "task_status": task.status,
    }

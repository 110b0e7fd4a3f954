"""The day's problem lists, under /api/v1/hotline/problem-lists: the lists the caller sees
(the latest day first; a region's history by `region`), making today's list on demand, a
list with its items, putting an item on it by hand, and an item's outcome.

A list the caller cannot see is 404; so is an item, unless it is given to the caller's unit.
"""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import ADD, VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES, Input, PageParams, Text

from ..models import HandlingUnit, ProblemItem, ProblemList
from . import services
from .area import PROBLEM_LIST

router = Router(tags=["hotline"])

ORDERING = ("-day", "region_path", "id")
OutcomeCode = Literal["fixed", "not_fixed"]


class ItemRead(Schema):
    id: uuid.UUID
    kind: str
    title: str
    count: int
    ticket: str | None = Field(description="the ticket's number")
    unit: uuid.UUID | None
    unit_name: str
    fix_today: bool
    outcome: str
    note: str
    outcome_at: datetime.datetime | None

    @staticmethod
    def resolve_ticket(item: ProblemItem) -> str | None:
        return item.ticket.number if item.ticket else None

    @staticmethod
    def resolve_unit(item: ProblemItem) -> uuid.UUID | None:
        return item.unit_id

    @staticmethod
    def resolve_unit_name(item: ProblemItem) -> str:
        return item.unit.name if item.unit else ""


class ListRead(Schema):
    id: uuid.UUID
    region: str = Field(description="the city's or district's code")
    region_name: str
    day: datetime.date
    made_at: datetime.datetime
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_region(problem_list: ProblemList) -> str:
        return problem_list.region.code

    @staticmethod
    def resolve_region_name(problem_list: ProblemList) -> str:
        return problem_list.region.name


class ListDetail(ListRead):
    items: list[ItemRead]


class ListPage(Schema):
    items: list[ListRead]
    next_cursor: str | None


class ListParams(PageParams):
    region: str | None = Field(None, max_length=18, description="a city's or district's code")
    day: datetime.date | None = None


class ListCreate(Input):
    region: Text = Field(max_length=18, description="a city's or district's code")


class ItemCreate(Input):
    title: Text = Field(max_length=services.MAX_TITLE)
    unit: uuid.UUID
    fix_today: bool = False


class OutcomeInput(Input):
    outcome: OutcomeCode
    note: Text = Field("", max_length=services.MAX_NOTE)


def _with_items(user):
    return services.lists_for(user).prefetch_related(
        Prefetch("items", queryset=ProblemItem.objects.select_related("ticket", "unit"))
    )


def _list(request, list_id: str) -> ProblemList:
    return get_by_id(_with_items(request.auth), list_id)


@router.get("", response={200: ListPage, **ERROR_RESPONSES})
def list_lists(request, params: Query[ListParams]):
    """The lists the caller sees, the latest day first."""
    if not can(request.auth, PROBLEM_LIST, VIEW):
        raise PermissionDenied
    lists = services.lists_for(request.auth)
    if params.region is not None:
        region = services.region_for(request.auth, params.region)
        if region is None:
            raise ValidationError({"region": _("没有这个市或区县，或其不在您的辖区内。")})
        lists = lists.filter(region=region)
    if params.day:
        lists = lists.filter(day=params.day)
    items, next_cursor = page_of(lists, ordering=ORDERING, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", response={201: ListDetail, **ERROR_RESPONSES})
def make_list(request, payload: ListCreate):
    """Makes today's list of a city or district now (again, if it exists: its items are
    brought up to date, those already answered are kept)."""
    if not can(request.auth, PROBLEM_LIST, ADD):
        raise PermissionDenied
    region = services.region_for(request.auth, payload.region)
    if region is None:
        raise ValidationError({"region": _("没有这个市或区县，或其不在您的辖区内。")})
    problem_list = services.make_list(actor=request.auth, region=region)
    return Status(201, _with_items(request.auth).get(pk=problem_list.pk))


@router.get("/{list_id}", response={200: ListDetail, **ERROR_RESPONSES})
def get_list(request, list_id: str):
    return _list(request, list_id)


@router.post("/{list_id}/items", response={201: ItemRead, **ERROR_RESPONSES})
def add_item(request, list_id: str, payload: ItemCreate):
    """Puts a problem on the list by hand, with the unit to fix it (today, if `fix_today`)."""
    problem_list = _list(request, list_id)
    unit = HandlingUnit.objects.filter(pk=payload.unit).first()
    item = services.add_item(
        actor=request.auth,
        problem_list=problem_list,
        title=payload.title,
        unit=unit,
        fix_today=payload.fix_today,
    )
    return Status(201, services.items_for(request.auth).get(pk=item.pk))


@router.post("/items/{item_id}/outcome", response={200: ItemRead, **ERROR_RESPONSES})
def set_outcome(request, item_id: str, payload: OutcomeInput):
    """The unit's answer: fixed or not fixed, with its note (required when not fixed)."""
    item = get_by_id(services.items_for(request.auth), item_id)
    if not services.may_set_outcome(request.auth, item):
        raise PermissionDenied
    services.set_outcome(actor=request.auth, item=item, outcome=payload.outcome, note=payload.note)
    return services.items_for(request.auth).get(pk=item.pk)

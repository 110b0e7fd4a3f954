"""The resident's requests to the 12345 hotline, under /api/v1/me/tickets (a resident token,
as every /api/v1/me route): the categories that may be asked for, filing a request, and my
own requests with their states.

A request is a ticket of channel "portal" with me as the caller, about my building; it goes
at once to the unit the routing rules give (or waits for the dispatchers). A category that
does not exist or is stopped is a 422 naming `category`; filing more than the
`resident-tickets` rate limit allows is a 429 with `Retry-After`.
"""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import page_of
from fangyi.core.schemas import Input, PageParams, Text
from fangyi.people.models import Person
from fangyi.portal.api import RESIDENT_ERRORS, RateLimitedDetail
from fangyi.portal.auth import resident_auth

from .. import queries, services
from ..api import TicketNames
from ..forms import category_choices
from ..models import Category, Kind, State

router = Router(tags=["portal"], auth=resident_auth)

StateCode = Literal[*State.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
KindCode = Literal[*Kind.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
NEWEST = ("-received_at", "-id")


class MyCategoryRead(Schema):
    code: str
    name: str
    parent: str | None = Field(description="the parent's code")
    kind: KindCode
    confidential: bool = Field(
        description="seen only by the hotline's operators and the unit handling it"
    )


@router.get("/categories", response={200: list[MyCategoryRead], **RESIDENT_ERRORS})
def my_ticket_categories(request):
    """The categories in use, parents before their children, as the portal's page offers them."""
    order = {code: index for index, (code, _label) in enumerate(category_choices())}
    found = Category.objects.filter(code__in=order).select_related("parent")
    return [
        {
            "code": category.code,
            "name": category.name,
            "parent": category.parent.code if category.parent is not None else None,
            "kind": category.kind,
            "confidential": category.confidential,
        }
        for category in sorted(found, key=lambda category: order[category.code])
    ]


class MyTicketRead(TicketNames):
    id: uuid.UUID
    number: str = Field(description="12345-YYYYMMDD-NNNNNN")
    category: str = Field(description="category code")
    category_name: str
    description: str
    address: str
    state: StateCode
    state_name: str
    received_at: datetime.datetime
    due_at: datetime.datetime = Field(description="the time limit")
    reply: str = Field(description="the handling unit's answer, once resolved")


class MyTicketPage(Schema):
    items: list[MyTicketRead]
    next_cursor: str | None


class MyTicketCreate(Input):
    category: Text = Field(max_length=40, description="a code of GET /me/tickets/categories")
    description: Text = Field(max_length=services.MAX_DESCRIPTION)
    address: Text = Field(
        "", max_length=services.MAX_ADDRESS, description="where, when not my own building"
    )


@router.get("", response={200: MyTicketPage, **RESIDENT_ERRORS})
def my_tickets(request, params: Query[PageParams]):
    """The requests I filed on the portal, newest first."""
    items, next_cursor = page_of(
        queries.resident_tickets(request.auth.person_id), ordering=NEWEST, page=params
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post("", response={201: MyTicketRead, 429: RateLimitedDetail, **RESIDENT_ERRORS})
def file_my_ticket(request, payload: MyTicketCreate):
    """A request to the 12345 hotline about my building (or the place given in `address`)."""
    category = Category.objects.filter(code=payload.category, active=True).first()
    if category is None:
        raise ValidationError({"category": _("没有这个类别，请从列表中选择。")})
    ticket = services.intake_for_resident(
        holder=Person.objects.get(pk=request.auth.person_id),
        category=category,
        description=payload.description,
        address=payload.address,
    )
    return Status(201, ticket)

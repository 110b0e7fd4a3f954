"""The documents through the API: `application/pdf` bodies; a refusal is JSON as elsewhere."""

import uuid

from django.http import HttpResponse
from ninja import Field, Router

from fangyi.core.api import get_by_id
from fangyi.core.schemas import ERROR_RESPONSES, Input

from . import services

router = Router(tags=["isolation"])

PDF = {
    "responses": {
        200: {
            "description": "the document, A4",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class ReleasesInput(Input):
    orders: list[uuid.UUID] = Field(
        min_length=1, max_length=services.MAX_BULK, description="released orders, a page each"
    )


def _pdf(printed: services.Printed) -> HttpResponse:
    response = HttpResponse(printed.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{printed.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@router.get("/orders/{order_id}/notice", response=ERROR_RESPONSES, openapi_extra=PDF)
def notice(request, order_id: str):
    """The isolation notice of an order to place, in transfer, active or extended (422 for
    others). Each print is logged."""
    order = get_by_id(services.orders_for(request.auth), order_id)
    return _pdf(services.print_notice(actor=request.auth, order=order))


@router.get("/orders/{order_id}/release", response=ERROR_RESPONSES, openapi_extra=PDF)
def release(request, order_id: str):
    """The release certificate of a released order (422 for others). Each print is logged."""
    order = get_by_id(services.orders_for(request.auth), order_id)
    return _pdf(services.print_release(actor=request.auth, order=order))


@router.post("/releases", response=ERROR_RESPONSES, openapi_extra=PDF)
def releases(request, body: ReleasesInput):
    """Release certificates of several released orders as one PDF, a page each, in the order
    given. An order that is unknown, outside the caller's regions or not released is a 422
    naming `orders`, and nothing is printed."""
    return _pdf(services.print_releases(actor=request.auth, order_ids=body.orders))

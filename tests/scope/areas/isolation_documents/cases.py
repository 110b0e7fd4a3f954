"""Isolation documents: whoever may view an order prints its documents; each print is an
access event, so every successful request leaves a record."""

from fangyi.core import permissions as p
from fangyi.isolation.area import ORDER
from tests.scope.cases import Case

UNKNOWN = "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"


def noticed(w, side, user):
    return {"order_id": str(side.noticed_order.pk)}


def released(w, side, user):
    return {"order_id": str(side.released_order.pk)}


def released_list(w, side, user):
    return {"orders": [str(side.released_order.pk)]}


API = {
    "GET /api/v1/isolation/documents/orders/{order_id}/notice": Case(
        need=(ORDER, p.VIEW), path=noticed, writes=True, refused=(403, 404)
    ),
    "GET /api/v1/isolation/documents/orders/{order_id}/release": Case(
        need=(ORDER, p.VIEW), path=released, writes=True, refused=(403, 404)
    ),
    "POST /api/v1/isolation/documents/releases": Case(
        need=(ORDER, p.VIEW),
        body=released_list,
        writes=True,
        outside=(422,),
        bad_bodies=[
            ({"orders": []}, "orders"),
            ({"orders": "all"}, "orders"),
            ({"orders": ["nope"]}, "orders.0"),
            ({"orders": [1]}, "orders.0"),
            ({"orders": [UNKNOWN] * 101}, "orders"),
            ({"orders": [UNKNOWN]}, "orders"),
            # An order that is not released: its notice is printable, its certificate not.
            (lambda w, side, user: {"orders": [str(side.noticed_order.pk)]}, "orders"),
        ],
    ),
}

PAGES = {
    "GET /isolation/documents/orders/<uuid:order_id>/notice.pdf": Case(
        need=(ORDER, p.VIEW), path=noticed, writes=True, refused=(403, 404)
    ),
    "GET /isolation/documents/orders/<uuid:order_id>/release.pdf": Case(
        need=(ORDER, p.VIEW), path=released, writes=True, refused=(403, 404)
    ),
    "GET /isolation/documents/releases.pdf": Case(
        need=(ORDER, p.VIEW),
        query=lambda w, side, user: {"orders": str(side.released_order.pk)},
        writes=True,
        outside=(422,),
        bad_queries=[{"orders": "nope"}, {"orders": UNKNOWN}, {"orders": "\x00"}],
    ),
}

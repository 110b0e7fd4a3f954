"""The documents through the API: PDF bodies, and JSON refusals that say why."""

import uuid

from fangyi.core.models import AccessEvent
from fangyi.isolation.models import OrderState
from tests.support import client_for, post

from . import documents_support as support
from .documents_support import read, verified

BASE = "/api/v1/isolation/documents"


def test_the_notice_and_the_certificate_are_pdfs(city, officer):
    active = support.order(city.person_a)
    released = support.order(city.person_b, state=OrderState.RELEASED)
    client = client_for(officer)

    notice = client.get(f"{BASE}/orders/{active.pk}/notice")
    assert notice.status_code == 200
    assert notice["Content-Type"] == "application/pdf"
    assert (
        notice["Content-Disposition"] == f'attachment; filename="isolation-notice-{active.pk}.pdf"'
    )
    assert notice["Cache-Control"] == "no-store"
    assert verified(read(notice.content)[1][0])["kind"] == "notice"

    release = client.get(f"{BASE}/orders/{released.pk}/release")
    assert release.status_code == 200
    assert verified(read(release.content)[1][0])["kind"] == "release"


def test_the_wrong_document_is_a_422_naming_the_order(city, officer):
    active = support.order(city.person_a)
    released = support.order(city.person_b, state=OrderState.RELEASED)
    client = client_for(officer)
    for url in (f"{BASE}/orders/{active.pk}/release", f"{BASE}/orders/{released.pk}/notice"):
        response = client.get(url)
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "order"
    assert not AccessEvent.objects.exists()


def test_orders_outside_the_region_or_unknown_are_404(city, worker_b):
    order = support.order(city.person_a, state=OrderState.RELEASED)
    client = client_for(worker_b)
    for order_id in (order.pk, uuid.uuid4(), "nope"):
        response = client.get(f"{BASE}/orders/{order_id}/release")
        assert response.status_code == 404
        assert response.json()["detail"]


def test_bulk_release_certificates(city, officer):
    orders = [
        support.order(city.person_a, state=OrderState.RELEASED),
        support.order(city.person_b, state=OrderState.RELEASED),
    ]
    client = client_for(officer)
    response = post(client, f"{BASE}/releases", {"orders": [str(o.pk) for o in orders]})
    assert response.status_code == 200
    pages, codes = read(response.content)
    assert len(pages) == len(codes) == 2

    refused = post(client, f"{BASE}/releases", {"orders": [str(uuid.uuid4())]})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "orders"
    empty = post(client, f"{BASE}/releases", {"orders": []})
    assert empty.status_code == 422


def test_without_a_token_nothing(city):
    order = support.order(city.person_a)
    from django.test import Client

    assert Client().get(f"{BASE}/orders/{order.pk}/notice").status_code == 401

"""The documents as pages: a logged-in officer opens the PDF; a refusal is a page that says
why; the include an order's page uses links to the documents its state allows."""

import uuid

from django.template.loader import render_to_string
from django.urls import reverse

from fangyi.isolation.models import OrderState

from . import documents_support as support
from .documents_support import read


def test_an_officer_opens_the_notice_and_the_certificate(client, city, officer):
    active = support.order(city.person_a)
    released = support.order(city.person_b, state=OrderState.RELEASED)
    client.force_login(officer)

    notice = client.get(reverse("isolation_documents:notice", args=[active.pk]))
    assert notice.status_code == 200
    assert notice["Content-Type"] == "application/pdf"
    assert notice["Content-Disposition"].startswith("inline;")
    assert "王*明" in read(notice.content)[0][0]

    release = client.get(reverse("isolation_documents:release", args=[released.pk]))
    assert release.status_code == 200


def test_the_wrong_document_is_a_page_saying_why(client, city, officer):
    active = support.order(city.person_a)
    client.force_login(officer)
    response = client.get(reverse("isolation_documents:release", args=[active.pk]))
    assert response.status_code == 422
    assert "只有已解除的隔离令才能打印解除隔离证明" in response.content.decode()


def test_bulk_from_an_officers_list(client, city, officer):
    orders = [
        support.order(city.person_a, state=OrderState.RELEASED),
        support.order(city.person_b, state=OrderState.RELEASED),
    ]
    client.force_login(officer)
    url = reverse("isolation_documents:releases")
    response = client.get(url, {"orders": [str(order.pk) for order in orders]})
    assert response.status_code == 200
    assert len(read(response.content)[0]) == 2
    unknown = client.get(url, {"orders": [str(uuid.uuid4())]})
    assert unknown.status_code == 422
    assert "不存在或不在您的辖区内" in unknown.content.decode()


def test_outside_the_region_404_and_anonymous_to_login(client, city, worker_b):
    order = support.order(city.person_a)
    url = reverse("isolation_documents:notice", args=[order.pk])
    assert client.get(url).status_code == 302
    client.force_login(worker_b)
    assert client.get(url).status_code == 404


def test_the_links_follow_the_orders_state(city):
    active = support.order(city.person_a)
    released = support.order(city.person_b, state=OrderState.RELEASED)
    links = render_to_string("isolation/documents/_links.html", {"order": active})
    assert reverse("isolation_documents:notice", args=[active.pk]) in links
    assert "release.pdf" not in links
    links = render_to_string("isolation/documents/_links.html", {"order": released})
    assert reverse("isolation_documents:release", args=[released.pk]) in links
    assert "notice.pdf" not in links

"""Looking after someone: the resident asks (by full ID number and name), a grid worker whose
scope covers the dependant confirms, then the dependant's code shows on the resident's phone.
Whether the named person exists is never revealed to the resident."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from fangyi.codes.format import verify
from fangyi.codes.keys import jwks
from fangyi.core.models import ObjectChange
from fangyi.portal import services
from fangyi.portal.models import Guardianship
from tests.factories import PersonFactory
from tests.support import as_resident, post


@pytest.fixture
def grandmother(city):
    return PersonFactory(
        household=city.household_a, name="王老太", phone="", birth_date=datetime.date(1940, 3, 2)
    )


def _ask(client, person, name=None):
    return post(
        client,
        "/api/v1/me/dependants",
        {"id_number": person.id_number, "name": name or person.name, "relation": "grandparent"},
    )


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_request_for_a_real_person_and_for_nobody_look_the_same(city, grandmother):
    client = as_resident(city.person_b)

    real = _ask(client, grandmother)
    nobody = post(
        client,
        "/api/v1/me/dependants",
        {"id_number": "350102199001011234", "name": "查无此人", "relation": "parent"},
    )

    assert real.status_code == nobody.status_code == 202
    assert real.json().keys() == nobody.json().keys()
    assert real.json()["state"] == nobody.json()["state"] == "pending"
    assert real.json()["person"] is None and nobody.json()["person"] is None
    assert real.json()["name"] == "王*太"
    listed = client.get("/api/v1/me/dependants").json()
    assert {item["state"] for item in listed} == {"pending"}


def test_a_wrong_name_is_stored_but_reaches_no_grid_worker(city, grandmother, worker_a):
    _ask(as_resident(city.person_b), grandmother, name="王老爷")

    item = Guardianship.objects.get()
    assert item.dependant is None
    page = _signed_in(worker_a).get("/me/staff/guardianships/")
    assert list(page.context["items"]) == []


def test_confirmed_by_the_dependant_s_grid_worker_the_code_shows_on_my_phone(
    city, grandmother, worker_a
):
    holder = as_resident(city.person_b)
    _ask(holder, grandmother)
    item = Guardianship.objects.get()
    assert holder.get(f"/api/v1/me/code?person={grandmother.pk}").status_code == 404

    queue = _signed_in(worker_a).get("/me/staff/guardianships/")
    assert [i.pk for i in queue.context["items"]] == [item.pk]
    response = _signed_in(worker_a).post(
        f"/me/staff/guardianships/{item.pk}/decide/", {"decision": "confirm", "note": ""}
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "confirmed" and item.decided_by == worker_a
    assert ObjectChange.objects.filter(object_id=str(item.pk), actor=worker_a).exists()
    code = holder.get(f"/api/v1/me/code?person={grandmother.pk}").json()
    assert code["masked_name"] == "王*太"
    assert verify(code["text"], jwks()).claims["id_tail"] == grandmother.id_tail
    listed = holder.get("/api/v1/me/dependants").json()
    assert listed[0]["person"] == str(grandmother.pk)


def test_a_grid_worker_of_another_grid_can_neither_see_nor_confirm(city, grandmother, worker_b):
    _ask(as_resident(city.person_b), grandmother)
    item = Guardianship.objects.get()

    queue = _signed_in(worker_b).get("/me/staff/guardianships/")
    decide = _signed_in(worker_b).post(
        f"/me/staff/guardianships/{item.pk}/decide/", {"decision": "confirm"}
    )

    assert list(queue.context["items"]) == []
    assert decide.status_code == 404
    with pytest.raises(PermissionDenied):
        services.decide_guardianship(actor=worker_b, guardianship=item, confirm=True)
    item.refresh_from_db()
    assert item.state == "pending"


def test_rejecting_needs_a_reason(city, grandmother, worker_a):
    _ask(as_resident(city.person_b), grandmother)
    item = Guardianship.objects.get()
    client = _signed_in(worker_a)

    client.post(f"/me/staff/guardianships/{item.pk}/decide/", {"decision": "reject"})
    item.refresh_from_db()
    assert item.state == "pending"
    client.post(
        f"/me/staff/guardianships/{item.pk}/decide/",
        {"decision": "reject", "note": "与登记信息不符"},
    )
    item.refresh_from_db()
    assert item.state == "rejected"


def test_asking_twice_is_refused_and_an_old_request_lapses(city, grandmother):
    client = as_resident(city.person_b)
    _ask(client, grandmother)

    assert _ask(client, grandmother).status_code == 422
    Guardianship.objects.update(requested_at=timezone.now() - datetime.timedelta(days=15))
    assert client.get("/api/v1/me/dependants").json()[0]["state"] == "expired"
    assert _ask(client, grandmother).status_code == 202


def test_ending_stops_the_code(city, grandmother, worker_a):
    holder = as_resident(city.person_b)
    _ask(holder, grandmother)
    item = Guardianship.objects.get()
    services.decide_guardianship(actor=worker_a, guardianship=item, confirm=True)

    assert holder.post(f"/api/v1/me/dependants/{item.pk}/end").status_code == 200
    assert holder.get(f"/api/v1/me/code?person={grandmother.pk}").status_code == 404


def test_a_resident_cannot_add_themselves(city):
    response = _ask(as_resident(city.person_a), city.person_a)

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "id_number"


@pytest.mark.parametrize("name", ["王\u202e明", "\u3000\u3000", "<b>王明</b>"])
def test_a_name_no_one_has_is_refused(city, grandmother, name):
    response = _ask(as_resident(city.person_a), grandmother, name=name)

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "name"
    assert not Guardianship.objects.exists()

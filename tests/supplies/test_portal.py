import pytest

from fangyi.portal.models import Guardianship
from fangyi.supplies.models import Request
from tests.factories import PersonFactory
from tests.support import as_resident, post, resident_client

from .support import vegetables

pytestmark = pytest.mark.django_db


def package(item, quantity=1, **extra):
    return {
        "kind": "package",
        "items": [{"catalogue_item": str(item.pk), "quantity": quantity}],
        **extra,
    }


def test_a_resident_asks_sees_it_and_withdraws_it_while_it_is_not_accepted(city, officer):
    item = vegetables(officer, city.community)
    client = as_resident(city.person_a)
    made = post(client, "/api/v1/me/supplies", package(item))
    assert made.status_code == 201, made.content
    request = Request.objects.get(pk=made.json()["id"])
    assert request.channel == "portal" and request.made_by_person == city.person_a
    assert request.household == city.household_a
    listed = client.get("/api/v1/me/supplies").json()["items"]
    assert [row["id"] for row in listed] == [str(request.pk)]
    cancelled = post(client, f"/api/v1/me/supplies/{request.pk}/cancel", {"reason": "已买到"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert as_resident(city.person_b).get(f"/api/v1/me/supplies/{request.pk}").status_code == 404


def test_a_large_quantity_asks_the_resident_to_confirm(city, officer):
    item = vegetables(officer, city.community, usual_max=2)
    client = as_resident(city.person_a)
    refused = post(client, "/api/v1/me/supplies", package(item, quantity=20))
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["detail"]} == {"confirmed"}
    assert post(client, "/api/v1/me/supplies", package(item, 20, confirmed=True)).status_code == 201


def test_for_someone_in_confirmed_care_only(city, officer):
    item = vegetables(officer, city.grid_b)
    mother = PersonFactory(household=city.household_b, is_bedridden=True)
    client = as_resident(city.person_a)
    assert (
        post(client, "/api/v1/me/supplies", package(item, person=str(mother.pk))).status_code == 404
    )
    Guardianship.objects.create(
        holder=city.person_a,
        dependant=mother,
        claimed_name=mother.name,
        claimed_id_tail=mother.id_tail,
        claimed_key="k",
        relation="parent",
        state=Guardianship.State.CONFIRMED,
        region_path=mother.region_path,
    )
    made = post(client, "/api/v1/me/supplies", package(item, person=str(mother.pk)))
    assert made.status_code == 201, made.content
    request = Request.objects.get(pk=made.json()["id"])
    assert request.household == city.household_b and request.priority
    assert request.made_by_person == city.person_a


def test_the_portal_page_shows_a_confirmation_step_for_a_large_quantity(city, officer):
    item = vegetables(officer, city.community, usual_max=2)
    browser = resident_client(city.person_a)
    form = {
        "kind": "package",
        "urgency": "normal",
        "item_0_catalogue": str(item.pk),
        "item_0_quantity": "9",
    }
    page = browser.post("/me/supplies/new/", form)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="confirm-step"' in html and 'type="checkbox" name="confirmed"' in html
    assert not Request.objects.exists()
    done = browser.post("/me/supplies/new/", form | {"confirmed": "on"})
    assert done.status_code == 302
    request = Request.objects.get()
    assert request.quantity_confirmed
    detail = browser.get(done["Location"]).content.decode()
    assert 'id="cancel"' in detail and "确认取消此需求" in detail
    assert browser.get("/me/supplies/").content.decode().count(str(request.pk)) >= 1

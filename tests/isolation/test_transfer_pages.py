"""The transfer pages on a phone: the driver's work screen is their batches, the batch page
lists people by building with one tap each, arrival asks for a confirmation, an officer makes
a batch from a building's people and sees who has waited longest, on the page and on a card."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from fangyi.isolation.models import OrderState, PassengerState, TransferState
from fangyi.isolation.transfer import home, services
from tests.isolation.support_orders import proposed, site_with_rooms
from tests.isolation.transfer_support import driver, planned

pytestmark = pytest.mark.django_db


def test_the_driver_starts_at_their_batches_and_taps_through_one(client, city, officer):
    chauffeur = driver(city.street)
    batch = planned(officer, city, [city.person_a], driven_by=chauffeur)
    client.force_login(chauffeur)
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == reverse("transfer:list")
    assert str(batch.pk) in home.content.decode()
    page = client.get(reverse("transfer:detail", args=[batch.pk]))
    assert city.building_a.name in page.content.decode()
    assert city.person_a.masked_name in page.content.decode()
    client.post(reverse("transfer:depart", args=[batch.pk]))
    passenger = batch.passengers.get()
    client.post(reverse("transfer:pick-up", args=[batch.pk, passenger.pk]))
    passenger.refresh_from_db()
    assert passenger.state == PassengerState.PICKED_UP
    client.post(reverse("transfer:arrive", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == TransferState.UNDER_WAY, "arrival without the tick is refused"
    client.post(reverse("transfer:arrive", args=[batch.pk]), {"confirm": "1"})
    batch.refresh_from_db()
    assert batch.state == TransferState.DONE


def test_an_officer_makes_a_batch_of_a_buildings_people(client, city, officer):
    chauffeur = driver(city.street)
    order = proposed(officer, city.person_a)
    site = site_with_rooms(officer, city.community)
    client.force_login(officer)
    url = reverse("transfer:create")
    assert city.building_a.name in client.get(url).content.decode()
    form = client.get(url, {"building": city.building_a.code})
    assert str(order.pk) in form.content.decode()
    response = client.post(
        url,
        {
            "building": city.building_a.code,
            "order": [str(order.pk)],
            "vehicle": "闽A12345",
            "driver": str(chauffeur.pk),
            "site": str(site.pk),
            "planned_at": "2030-01-01T08:00",
        },
    )
    assert response.status_code == 302
    batch = services.batches_for(officer).get()
    assert batch.passengers.get().order_id == order.pk


def test_the_waiting_list_shows_hours_and_is_empty_when_no_one_waits(client, city, officer):
    client.force_login(officer)
    assert "没有待安置的人员" in client.get(reverse("transfer:waiting")).content.decode()
    order = proposed(officer, city.person_a)
    page = client.get(reverse("transfer:waiting")).content.decode()
    assert str(order.pk) in page and "小时" in page
    assert order.state == OrderState.TO_PLACE


def test_the_home_cards_show_long_waits_and_the_drivers_batches(client, city, officer):

    assert home.waiting_long(officer).count == 0
    with freeze_time(timezone.now() - datetime.timedelta(hours=3)):
        proposed(officer, city.person_b)
    todo = home.waiting_long(officer)
    assert todo.count == 1 and "3.0" in todo.note
    chauffeur = driver(city.street)
    batch = planned(officer, city, [city.person_a], driven_by=chauffeur)
    assert [item.url for item in home.driving(chauffeur).items] == [
        reverse("transfer:detail", args=[batch.pk])
    ]


def test_the_batch_page_speaks_english(client, settings, city, officer):
    chauffeur = driver(city.street)
    batch = planned(officer, city, [city.person_a], driven_by=chauffeur)
    services.depart(actor=chauffeur, batch=batch)
    client.force_login(chauffeur)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("transfer:detail", args=[batch.pk])).content.decode()
    assert "Pickup list" in page and "Picked up" in page and "Not found" in page
    assert "接人名单" not in page


def test_the_waiting_list_links_the_planned_batch_that_will_fetch_someone(client, city, officer):
    batch = planned(officer, city, [city.person_a], driven_by=driver(city.street))
    client.force_login(officer)
    page = client.get(reverse("transfer:waiting")).content.decode()
    assert "已排入 闽A12345" in page and reverse("transfer:detail", args=[batch.pk]) in page

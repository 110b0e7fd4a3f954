"""Residents under isolation check in on the portal, for themselves or for someone they look
after (confirmed only): the page and the API under /me/check-ins."""

import pytest

from fangyi.core.models import ObjectChange
from fangyi.fieldwork.models import Task, TaskKind
from fangyi.isolation.models import CheckIn, CheckInChannel
from fangyi.portal.models import Guardianship
from tests.factories import PersonFactory
from tests.isolation.followup_support import look_after, running_order
from tests.support import as_resident, client_for, post, resident_client

API = "/api/v1/me/check-ins"
PAGE = "/me/check-in/"


@pytest.fixture
def child(city):
    return PersonFactory(household=city.household_a, name="王小宝")


def test_a_resident_checks_in_for_themselves(city):
    order = running_order(city.person_a)

    response = post(as_resident(city.person_a), API, {"temperature": 36.6})

    assert response.status_code == 201
    check_in = CheckIn.objects.get(order=order)
    assert check_in.channel == CheckInChannel.PORTAL and not check_in.fever
    assert check_in.reported_by is None and check_in.reported_by_name
    change = ObjectChange.objects.get(object_id=str(check_in.pk))
    assert change.via == "resident"


def test_a_fever_on_the_portal_raises_the_alert_and_the_referral(city, officer):
    running_order(city.person_a)

    response = post(as_resident(city.person_a), API, {"temperature": 38.4})

    assert response.status_code == 201 and response.json()["fever"]
    assert Task.objects.filter(kind=TaskKind.FEVER_REFERRAL, person=city.person_a).count() == 1
    alerts = client_for(officer).get("/api/v1/isolation/check-ins/alerts").json()["items"]
    assert [item["person_name"] for item in alerts] == ["王*明"]


def test_a_guardian_checks_in_for_a_confirmed_dependant(city, child):
    order = running_order(child)
    look_after(city.person_b, child)

    response = post(
        as_resident(city.person_b), API, {"person": str(child.pk), "symptoms": ["cough"]}
    )

    assert response.status_code == 201
    check_in = CheckIn.objects.get(order=order)
    assert check_in.person_id == child.pk and check_in.fever
    assert "李*英" in check_in.reported_by_name
    today = as_resident(city.person_b).get(API).json()
    assert [item["person_name"] for item in today] == ["王*宝"]


def test_someone_not_confirmed_is_not_found(city, child):
    running_order(child)
    pending = look_after(city.person_b, child)
    Guardianship.objects.filter(pk=pending.pk).update(state=Guardianship.State.PENDING)

    response = post(as_resident(city.person_b), API, {"person": str(child.pk)})

    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_a_resident_not_under_an_order_is_told_so(city):
    response = post(as_resident(city.person_a), API, {})

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "person"


def test_a_bad_temperature_is_refused(city):
    running_order(city.person_a)

    response = post(as_resident(city.person_a), API, {"temperature": 47})

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "temperature"


def test_the_page_shows_todays_slots_and_records_for_a_dependant(city, child):
    running_order(child)
    look_after(city.person_a, child)
    client = resident_client(city.person_a)

    page = client.get(PAGE, {"person": str(child.pk)})
    sent = client.post(PAGE, {"person": str(child.pk), "temperature": "36.7"})

    assert page.status_code == 200
    assert "王*宝" in page.content.decode()
    assert sent.status_code == 302 and sent["Location"] == f"{PAGE}?person={child.pk}"
    assert CheckIn.objects.get(person=child).temperature is not None
    assert "36.7℃" in client.get(PAGE).content.decode()


def test_the_page_says_when_nothing_is_due(city):
    page = resident_client(city.person_a).get(PAGE)

    assert page.status_code == 200
    assert "无需打卡" in page.content.decode()

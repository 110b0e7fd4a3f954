"""Staff record a slot for many people at once: validation, scope, idempotence, audit."""

import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.isolation.followup import services
from fangyi.isolation.followup.services import CheckInInput
from fangyi.isolation.models import CheckIn, OrderState
from tests.factories import PersonFactory, staff
from tests.support import client_for, post

from .followup_support import quarantine_site, room, running_order

URL = "/api/v1/isolation/check-ins"


@pytest.fixture
def site_a(city):
    return quarantine_site(city.grid_a, "一号隔离点")


@pytest.fixture
def site_b(city):
    return quarantine_site(city.grid_b, "二号隔离点")


@pytest.fixture
def site_staff_a(city):
    return staff("site_staff", city.grid_a, username="site_staff_a")


def test_site_staff_record_their_sites_people_in_one_batch(city, site_a, site_staff_a):
    rooms = [room(site_a, f"{n:03d}") for n in range(3)]
    orders = [
        running_order(PersonFactory(household=city.household_b), site=site_a, room=rooms[n])
        for n in range(3)
    ]
    items = [CheckInInput(order_id=order.pk) for order in orders]

    recorded = services.record(actor=site_staff_a, items=items, slot=1)

    assert (recorded.created, recorded.corrected, recorded.fevers) == (3, 0, [])
    stored = CheckIn.objects.filter(order__in=orders)
    assert stored.count() == 3
    # Where the person is isolated, not their home: the site's officers see the check-in.
    assert {check_in.region_path for check_in in stored} == {site_a.region_path}
    assert ObjectChange.objects.filter(object_type="isolation.checkin").count() == 3


def test_a_second_report_of_the_slot_corrects_it_and_is_audited(city, worker_a):
    order = running_order(city.person_a)
    services.record(actor=worker_a, items=[CheckInInput(order_id=order.pk)], slot=1)

    recorded = services.record(
        actor=worker_a,
        items=[CheckInInput(order_id=order.pk, temperature=decimal.Decimal("36.8"))],
        slot=1,
    )

    assert (recorded.created, recorded.corrected) == (0, 1)
    check_in = CheckIn.objects.get(order=order)
    assert check_in.temperature == decimal.Decimal("36.8")
    update = ObjectChange.objects.get(object_id=str(check_in.pk), action=ObjectChange.UPDATE)
    assert update.before["temperature"] is None
    assert update.after["temperature"] == "36.8"


def test_another_sites_people_are_refused_as_unknown(city, site_a, site_b, site_staff_a):
    theirs = running_order(city.person_b, site=site_b, room=room(site_b))

    with pytest.raises(ValidationError) as refused:
        services.record(actor=site_staff_a, items=[CheckInInput(order_id=theirs.pk)])

    assert "items.0.order" in refused.value.message_dict
    assert not CheckIn.objects.exists()


def test_a_grid_worker_records_only_the_home_isolated_of_their_grid(city, worker_a):
    mine = running_order(city.person_a)
    theirs = running_order(city.person_b)

    with pytest.raises(ValidationError) as refused:
        services.record(
            actor=worker_a,
            items=[CheckInInput(order_id=mine.pk), CheckInInput(order_id=theirs.pk)],
        )

    assert list(refused.value.message_dict) == ["items.1.order"]
    assert not CheckIn.objects.exists()


def test_an_order_not_running_is_refused(city, worker_a):
    waiting = running_order(city.person_a, state=OrderState.TO_PLACE)

    with pytest.raises(ValidationError) as refused:
        services.record(actor=worker_a, items=[CheckInInput(order_id=waiting.pk)])

    assert "items.0.order" in refused.value.message_dict


@pytest.mark.parametrize("temperature", ["33.9", "43.1", "120"])
def test_bad_numbers_are_refused_on_their_field(city, worker_a, temperature):
    order = running_order(city.person_a)

    response = post(
        client_for(worker_a),
        URL,
        {"items": [{"order": str(order.pk), "temperature": float(temperature)}]},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "items.0.temperature"
    assert not CheckIn.objects.exists()


def test_an_unknown_symptom_or_a_person_twice_is_refused(city, worker_a):
    order = running_order(city.person_a)
    client = client_for(worker_a)

    unknown = post(client, URL, {"items": [{"order": str(order.pk), "symptoms": ["sneezing"]}]})
    twice = post(client, URL, {"items": [{"order": str(order.pk)}, {"order": str(order.pk)}]})

    assert unknown.status_code == 422
    assert twice.status_code == 422
    assert twice.json()["detail"][0]["field"] == "items.1.order"
    assert not CheckIn.objects.exists()


def test_roles_without_the_right_are_refused(city, commander):
    order = running_order(city.person_a)

    with pytest.raises(PermissionDenied):
        services.record(actor=commander, items=[CheckInInput(order_id=order.pk)])

    response = post(client_for(commander), URL, {"items": [{"order": str(order.pk)}]})
    assert response.status_code == 403


def test_the_api_records_and_lists_a_batch(city, worker_a, officer):
    order = running_order(city.person_a)

    response = post(
        client_for(worker_a),
        URL,
        {"slot": 2, "items": [{"order": str(order.pk), "temperature": 36.5}]},
    )

    assert response.status_code == 200
    assert response.json() | {"day": None} == {
        "day": None,
        "slot": 2,
        "created": 1,
        "corrected": 0,
        "fevers": 0,
    }
    listed = client_for(officer).get(URL, {"order": str(order.pk)}).json()["items"]
    assert [(item["slot"], item["temperature"], item["person_name"]) for item in listed] == [
        (2, 36.5, "王*明")
    ]


def test_a_slot_inserted_meanwhile_by_another_phone_is_corrected(city, worker_a, monkeypatch):
    order = running_order(city.person_a)
    services.record(actor=worker_a, items=[CheckInInput(order_id=order.pk)], slot=1)
    real = CheckIn.objects.filter
    looked = []

    def as_if_not_yet_there(*args, **kwargs):
        # The first look misses the row another phone has just written.
        rows = real(*args, **kwargs)
        if not looked and "order_id__in" in kwargs:
            looked.append(True)
            return rows.none()
        return rows

    monkeypatch.setattr(CheckIn.objects, "filter", as_if_not_yet_there)

    recorded = services.record(
        actor=worker_a,
        items=[CheckInInput(order_id=order.pk, temperature=decimal.Decimal("36.9"))],
        slot=1,
    )

    assert (recorded.created, recorded.corrected) == (0, 1)
    assert real(order=order).get().temperature == decimal.Decimal("36.9")

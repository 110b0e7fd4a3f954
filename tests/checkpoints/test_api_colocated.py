"""GET /api/v1/checkpoints/colocated: who checked in at the person's venues around the same
times, for investigators only, within their scope, every query logged."""

import datetime

import pytest
from django.utils import timezone

from fangyi.core.models import AccessEvent
from tests.checkpoints.support import visit
from tests.factories import HouseholdFactory, PersonFactory, staff
from tests.support import client_for

URL = "/api/v1/checkpoints/colocated"


@pytest.fixture
def noon():
    return timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=1)


@pytest.fixture
def others(city):
    household = HouseholdFactory(building=city.building_a, room="303")
    return [PersonFactory(household=household, name=name) for name in ("张三丰", "赵敏", "周芷若")]


def _query(user, person, **params):
    return client_for(user).get(URL, {"person": str(person.pk)} | params)


def _range(noon, hours=6) -> dict:
    return {
        "from": (noon - datetime.timedelta(hours=hours)).isoformat(),
        "to": (noon + datetime.timedelta(hours=hours)).isoformat(),
    }


def test_people_within_the_window_are_found_at_its_edges_too(
    city, officer, venue_a, venue_b, others, noon
):
    visit(city.person_a, venue_a, noon)
    visit(others[0], venue_a, noon + datetime.timedelta(minutes=30))  # on the edge
    visit(others[1], venue_a, noon - datetime.timedelta(minutes=30, seconds=1))  # just outside
    visit(others[2], venue_b, noon)  # same time, another venue
    visit(city.person_b, venue_a, noon - datetime.timedelta(minutes=12))
    response = _query(officer, city.person_a, window_minutes=30, **_range(noon))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["window_minutes"] == 30 and body["truncated"] is False
    found = {item["person"]: item for item in body["items"]}
    assert set(found) == {str(others[0].pk), str(city.person_b.pk)}
    edge = found[str(others[0].pk)]
    assert edge["name"] == "张*丰" and edge["venue"] == str(venue_a.pk)
    assert edge["venue_name"] == "三坊超市" and edge["minutes_apart"] == 30.0
    assert datetime.datetime.fromisoformat(edge["person_at"]) == noon
    assert datetime.datetime.fromisoformat(edge["at"]) == noon + datetime.timedelta(minutes=30)
    assert found[str(city.person_b.pk)]["minutes_apart"] == 12.0


def test_only_the_persons_visits_inside_the_range_count(city, officer, venue_a, others, noon):
    visit(city.person_a, venue_a, noon - datetime.timedelta(days=3))
    visit(others[0], venue_a, noon - datetime.timedelta(days=3))
    response = _query(officer, city.person_a, **_range(noon))
    assert response.json()["items"] == []


def test_several_visits_each_find_their_own_company(city, officer, venue_a, venue_b, others, noon):
    visit(city.person_a, venue_a, noon - datetime.timedelta(hours=2))
    visit(city.person_a, venue_b, noon + datetime.timedelta(hours=2))
    visit(others[0], venue_a, noon - datetime.timedelta(hours=2, minutes=5))
    visit(others[1], venue_b, noon + datetime.timedelta(hours=2, minutes=5))
    items = _query(officer, city.person_a, window_minutes=10, **_range(noon)).json()["items"]
    assert [item["person"] for item in items] == [str(others[0].pk), str(others[1].pk)]


def test_each_query_is_logged_as_an_investigation(city, officer, venue_a, noon):
    visit(city.person_a, venue_a, noon)
    _query(officer, city.person_a, window_minutes=15, **_range(noon))
    event = AccessEvent.objects.get()
    assert event.kind == AccessEvent.INVESTIGATION and event.actor == officer
    assert (
        event.object_id == str(city.person_a.pk) and event.region_path == city.person_a.region_path
    )
    assert "15" in event.reason


def test_the_range_defaults_to_the_keeping_time_up_to_now(city, officer, venue_a, others):
    at = timezone.now() - datetime.timedelta(days=10)
    visit(city.person_a, venue_a, at)
    visit(others[0], venue_a, at + datetime.timedelta(minutes=1))
    body = _query(officer, city.person_a).json()
    assert [item["person"] for item in body["items"]] == [str(others[0].pk)]
    start = datetime.datetime.fromisoformat(body["from"])
    end = datetime.datetime.fromisoformat(body["to"])
    assert end - start == datetime.timedelta(days=21)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"window_minutes": 0}, "window_minutes"),
        ({"window_minutes": 241}, "window_minutes"),
        ({"window_minutes": "half an hour"}, "window_minutes"),
        ({"window_minutes": "9" * 40}, "window_minutes"),
        ({"from": "2022-03-01T00:00:00+08:00", "to": "2022-03-23T00:00:00+08:00"}, "to"),
        ({"from": "2022-03-02T00:00:00+08:00", "to": "2022-03-01T00:00:00+08:00"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"to": "0001-01-01T00:00:00"}, "to"),
        ({"person": "not-a-uuid"}, "person"),
    ],
)
def test_bad_parameters_are_422_and_nothing_is_logged(city, officer, params, field):
    response = client_for(officer).get(URL, {"person": str(city.person_a.pk)} | params)
    assert response.status_code == 422, response.content
    assert field in {error["field"] for error in response.json()["detail"]}
    assert not AccessEvent.objects.exists()


def test_a_grid_worker_is_refused(city, worker_a):
    response = _query(worker_a, city.person_a)
    assert response.status_code == 403
    assert not AccessEvent.objects.exists()


def test_a_person_outside_the_officers_scope_is_404(city):
    other_street = city.street.__class__(
        code="350102002", name="南街街道", level=city.street.level, parent=city.district
    )
    other_street.save()
    stranger = staff("officer", other_street, username="officer_south")
    response = _query(stranger, city.person_a)
    assert response.status_code == 404
    assert not AccessEvent.objects.exists()


def test_a_commander_may_ask(city, venue_a, others, noon):
    commander = staff("commander", city.city, username="commander")
    visit(city.person_a, venue_a, noon)
    visit(others[0], venue_a, noon)
    items = _query(commander, city.person_a, **_range(noon)).json()["items"]
    assert [item["minutes_apart"] for item in items] == [0.0]

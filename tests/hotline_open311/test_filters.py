"""requests.json's standard filters and its pages."""

import datetime

import pytest
from django.test import Client

from fangyi.hotline.models import State

from .support import NOON, now_is, phone_ticket

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def ids(**query) -> list[str]:
    response = Client().get(f"{BASE}/requests.json", query)
    assert response.status_code == 200, response.content
    return [request["service_request_id"] for request in response.json()]


@pytest.fixture
def week(city, monkeypatch):
    now_is(NOON, monkeypatch)
    return [
        phone_ticket(
            city.building_a,
            category="food" if day % 2 else "utilities",
            received=NOON - datetime.timedelta(days=day),
            state=State.CLOSED if day >= 4 else State.ACCEPTED,
        )
        for day in range(7)
    ]


def test_newest_first_and_by_service_code(week):
    numbers = [ticket.number for ticket in week]
    assert ids() == numbers
    assert ids(service_code="food") == numbers[1::2]
    assert ids(service_code="food,utilities") == numbers


def test_by_status(week):
    numbers = [ticket.number for ticket in week]
    assert ids(status="open") == numbers[:4]
    assert ids(status="closed") == numbers[4:]
    assert ids(status="open,closed") == numbers


def test_by_dates_in_w3c_format(week):
    numbers = [ticket.number for ticket in week]
    assert ids(start_date="2026-11-29T00:00:00+08:00") == numbers[:4]
    assert ids(start_date="2026-11-28T00:00:00Z", end_date="2026-11-30T02:00:00Z") == numbers[3:5]


def test_ids_override_the_other_filters(week):
    chosen = [week[5].number, week[0].number]
    assert ids(service_request_id=",".join(chosen), status="open") == [
        week[0].number,
        week[5].number,
    ]


def test_pages_of_at_most_a_hundred(week):
    numbers = [ticket.number for ticket in week]
    assert ids(page_size=3) == numbers[:3]
    assert ids(page_size=3, page=3) == numbers[6:]
    assert ids(page_size=3, page=4) == []
    for bad in ({"page_size": "0"}, {"page": "-1"}, {"page_size": "x"}, {"page": "1001"}):
        assert Client().get(f"{BASE}/requests.json", bad).status_code == 400


def test_tickets_older_than_ninety_days_need_dates(city, monkeypatch):
    now_is(NOON, monkeypatch)
    old = phone_ticket(city.building_a, received=NOON - datetime.timedelta(days=91))
    assert ids() == []
    assert ids(start_date="2026-08-01T00:00:00+08:00") == [old.number]


@pytest.mark.parametrize(
    "query",
    [{"service_code": "\x00"}, {"service_request_id": "a\x00"}, {"end_date": "\x00"}],
)
def test_hostile_input_is_a_400(db, query):
    response = Client().get(f"{BASE}/requests.json", query)
    assert response.status_code == 400
    assert Client().get(f"{BASE}/requests/a%00b.json").status_code == 400

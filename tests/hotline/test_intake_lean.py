"""The intake's statements written by hand (core/hotsql.py, finding 48) find what the ORM's
would: the same candidates in the same order, the same answer as the ticket read back, and
no more statements than the few they replaced."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangyi.hotline import services
from fangyi.hotline.models import Ticket
from tests.hotline.support import beijing, take
from tests.support import client_for, post

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hotline"
NOON = beijing("2026-12-05 12:00")
# The token with the user's roles, its rate counter, the region, the setup's version, the
# resident named, the day's number, the ticket with its events and audit rows (one statement
# on PostgreSQL, three elsewhere), the suggested duplicates.
MOST = {"postgresql": 8}


def test_the_candidates_of_a_new_ticket_are_the_duplicate_candidates(city, hotline):
    caller = services.CallerInput(person=city.person_a)
    phone = services.CallerInput(name="匿名", phone=city.person_a.phone)
    made = [
        take(hotline.operator, city.building_a, caller=caller, received_at=NOON),
        take(hotline.operator, city.street, "testing", caller=phone, received_at=NOON),
        take(hotline.operator, city.building_a, "food", received_at=NOON),
        take(hotline.operator, city.building_a, "utilities", received_at=NOON),
        take(
            hotline.operator,
            city.building_a,
            caller=caller,
            received_at=NOON - datetime.timedelta(hours=30),
        ),
    ]
    made += [
        take(
            hotline.operator,
            city.building_a,
            received_at=NOON + datetime.timedelta(minutes=minutes),
        )
        for minutes in range(1, 12)
    ]
    merged = take(hotline.operator, city.building_a, received_at=NOON)
    services.merge(actor=hotline.operator, ticket=merged, into=made[0])
    new = take(
        hotline.operator,
        city.building_a,
        caller=caller,
        received_at=NOON + datetime.timedelta(hours=1),
    )
    by_orm = list(services.duplicate_candidates(new))
    by_hand = services.candidates_of_new(new)
    assert [t.pk for t in by_hand] == [t.pk for t in by_orm]
    assert len(by_hand) == 10
    assert [t.category.name for t in by_hand] == [t.category.name for t in by_orm]
    anonymous = take(hotline.operator, city.city, received_at=NOON)
    assert (
        services.candidates_of_new(anonymous)
        == []
        == list(services.duplicate_candidates(anonymous))
    )


def _body(city, **extra) -> dict:
    return {
        "channel": "phone",
        "category": "food",
        "description": "封控楼栋，家里没有菜了",
        "region": city.building_a.code,
        "caller": {"person": str(city.person_a.pk)},
        "dispatch": True,
        **extra,
    }


def test_an_intake_with_several_suggestions_answers_as_the_ticket_read_back(city, hotline):
    operator = client_for(hotline.operator)
    earlier = [post(operator, f"{BASE}/tickets", _body(city)).json() for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        created = post(operator, f"{BASE}/tickets", _body(city, urgency="urgent"))
    assert created.status_code == 201, created.content
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    assert len(statements) <= MOST.get(connection.vendor, 10), "\n".join(statements)
    answer = created.json()
    assert answer == operator.get(f"{BASE}/tickets/{answer['id']}").json()
    assert [t["number"] for t in answer["suggested_duplicates"]] == [
        t["number"] for t in reversed(earlier)
    ]
    ticket = Ticket.objects.get(pk=answer["id"])
    assert [e.kind for e in ticket.events.order_by("id")] == ["intake", "dispatch"]


def test_a_grid_worker_does_not_see_the_confidential_ticket_they_take_in(city, hotline, worker_a):
    worker = client_for(worker_a)
    body = _body(city, category="psychological", dispatch=False)
    answered = post(worker, f"{BASE}/tickets", body)
    assert answered.status_code == 404, answered.content
    written = Ticket.objects.get(intake_by=worker_a)
    assert written.category.code == "psychological" and written.events.count() == 1
    # Their other tickets they see, and the confidential one is not suggested to them.
    shown = post(worker, f"{BASE}/tickets", _body(city, dispatch=False))
    assert shown.status_code == 201, shown.content
    assert shown.json()["suggested_duplicates"] == []

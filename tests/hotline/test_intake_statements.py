"""What one ticket through the API costs the database: the statements of an intake stay few
(benchmarks.md, the hotline's findings), and the answer is the same as a ticket read back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support import client_for, post

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hotline"
# The token, its rate counter, the user's roles, the region, the resident named, the setup's
# version, the day's number, the ticket, its two events, its two audit rows, the user's units
# and the suggested duplicates (24 before).
MOST = 12


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


def test_an_intake_through_the_api_takes_few_statements(city, hotline):
    operator = client_for(hotline.operator)
    # The first ticket loads the categories, rules, units and calendar days of the process.
    assert post(operator, f"{BASE}/tickets", _body(city)).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        created = post(operator, f"{BASE}/tickets", _body(city))
    assert created.status_code == 201, created.content
    # The ticket's transaction is a savepoint inside the test's: not a statement in production.
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    assert len(statements) <= MOST, "\n".join(statements)


def test_the_answer_to_an_intake_is_the_ticket_as_read_back(city, hotline):
    operator = client_for(hotline.operator)
    first = post(operator, f"{BASE}/tickets", _body(city)).json()
    created = post(operator, f"{BASE}/tickets", _body(city, urgency="urgent")).json()
    read = operator.get(f"{BASE}/tickets/{created['id']}").json()
    assert created == read
    assert [t["number"] for t in created["suggested_duplicates"]] == [first["number"]]
    assert [e["kind"] for e in created["events"]] == ["intake", "dispatch"]
    assert created["unit_name"] == "东街街道专班" and created["state"] == "dispatched"

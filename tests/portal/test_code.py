"""GET /me/code: a signed display code that verifies with the published keys, in the colour
of the resident's health status. It is the hot path: one query to authenticate, then the
issue, and no audit row."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangyi.codes.format import Result, verify
from fangyi.codes.keys import jwks
from fangyi.core.models import ObjectChange
from fangyi.health import services as health
from fangyi.health.models import FactKind
from tests.support import as_resident


def test_my_code_verifies_with_the_published_keys(city):
    body = as_resident(city.person_a).get("/api/v1/me/code").json()

    checked = verify(body["text"], jwks())
    assert checked.result == Result.VALID
    assert checked.claims["colour"] == body["colour"] == "green"
    assert checked.claims["kind"] == body["kind"] == "display"
    assert checked.claims["name"] == body["masked_name"] == "王*明"
    assert checked.claims["id_tail"] == body["id_tail"] == city.person_a.id_tail
    assert checked.claims["policy"] == body["policy_version"]
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert datetime.timedelta(minutes=4) < expires - timezone.now() <= datetime.timedelta(minutes=5)


def test_the_colour_follows_the_health_status(city, worker_a):
    health.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind=FactKind.CLOSE_CONTACT,
        occurred_at=timezone.now() - datetime.timedelta(hours=2),
    )

    body = as_resident(city.person_a).get("/api/v1/me/code").json()

    assert body["colour"] == health.current_status(city.person_a).colour == "red"
    assert verify(body["text"], jwks()).claims["colour"] == "red"


def test_the_hot_path_authenticates_in_one_query_and_writes_no_audit(city):
    client = as_resident(city.person_a)
    client.get("/api/v1/me/code")  # the first code creates the pseudonym and status
    changes = ObjectChange.objects.count()

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/me/code")

    assert response.status_code == 200
    sql = [q["sql"].lower() for q in queries.captured_queries]
    assert sum("portal_residenttoken" in q for q in sql) == 1
    assert not any("django_session" in q or "accounts_user" in q for q in sql)
    assert not any("portal_guardianship" in q for q in sql)
    assert ObjectChange.objects.count() == changes


def test_someone_else_s_code_is_not_found(city):
    response = as_resident(city.person_a).get(f"/api/v1/me/code?person={city.person_b.pk}")

    assert response.status_code == 404


def test_my_status_gives_reasons_in_both_languages(city, worker_a):
    fact = health.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind=FactKind.CLOSE_CONTACT,
        occurred_at=timezone.now() - datetime.timedelta(hours=2),
    )

    body = as_resident(city.person_a).get("/api/v1/me/status").json()

    assert body["colour"] == "red"
    [reason] = body["reasons"]
    assert reason["zh"].startswith("密切接触者") and reason["en"].startswith("Close contact")
    assert reason["facts"] == [str(fact.pk)]
    assert body["policy_name"] and body["policy_name_en"]
    assert body["valid_until"]

"""Recording facts through the API, one or a batch; reading a person's facts; retracting."""

import datetime

from django.utils import timezone

from fangyi.core.models import ObjectChange
from fangyi.health.models import Fact, Status
from tests.support import client_for, send

URL = "/api/v1/health/facts"


def _at(hours_ago: float) -> str:
    return (timezone.now() - datetime.timedelta(hours=hours_ago)).isoformat()


def test_one_fact_is_recorded_and_recomputes_the_colour(city, worker_a):
    body = {
        "person": str(city.person_a.pk),
        "kind": "fever_clinic_visit",
        "occurred_at": _at(3),
        "source_ref": "门诊-0001",
    }

    response = send(client_for(worker_a), "post", URL, body)

    assert response.status_code == 201, response.content
    [created] = response.json()
    fact = Fact.objects.get(pk=created["id"])
    assert fact.source == "api" and fact.actor == worker_a
    assert created["person"] == str(city.person_a.pk)
    assert created["kind"] == "fever_clinic_visit"
    assert created["source_ref"] == "门诊-0001"
    assert created["actor"] == "worker_a"
    assert created["retracted"] is False
    assert Status.objects.get(person=city.person_a).colour == "yellow"
    assert not ObjectChange.objects.filter(object_id=created["id"]).exists()


def test_a_time_without_an_offset_is_read_in_the_server_time_zone(city, worker_a):
    local = timezone.localtime() - datetime.timedelta(hours=2)
    body = {
        "person": str(city.person_a.pk),
        "kind": "test_result",
        "outcome": "negative",
        "variant": "single",
        "occurred_at": local.replace(tzinfo=None, microsecond=0).isoformat(),
    }

    response = send(client_for(worker_a), "post", URL, body)

    assert response.status_code == 201, response.content
    fact = Fact.objects.get(pk=response.json()[0]["id"])
    assert fact.occurred_at == local.replace(microsecond=0)


def test_a_batch_is_recorded_whole(city, officer):
    body = [
        {
            "person": str(person.pk),
            "kind": "test_result",
            "occurred_at": _at(1),
            "outcome": "negative",
            "variant": "pooled",
            "source_ref": f"TUBE-{n}",
        }
        for n, person in enumerate([city.person_a, city.person_b])
    ]

    response = send(client_for(officer), "post", URL, body)

    assert response.status_code == 201, response.content
    assert [fact["source_ref"] for fact in response.json()] == ["TUBE-0", "TUBE-1"]
    assert Fact.objects.filter(source="api").count() == 2


def test_a_person_s_facts_come_newest_first_a_page_at_a_time(city, worker_a):
    client = client_for(worker_a)
    for hours in (30, 20, 10):
        body = {"person": str(city.person_a.pk), "kind": "close_contact", "occurred_at": _at(hours)}
        assert send(client, "post", URL, body).status_code == 201
    url = f"/api/v1/persons/{city.person_a.pk}/facts"

    first = client.get(url, {"limit": 2}).json()
    second = client.get(url, {"limit": 2, "cursor": first["next_cursor"]}).json()

    times = [fact["occurred_at"] for fact in first["items"] + second["items"]]
    assert len(times) == 3
    parsed = [datetime.datetime.fromisoformat(t) for t in times]
    assert parsed == sorted(parsed, reverse=True)
    assert second["next_cursor"] is None


def test_a_retracted_fact_says_so_and_stops_colouring(city, worker_a):
    client = client_for(worker_a)
    body = {"person": str(city.person_a.pk), "kind": "fever_clinic_visit", "occurred_at": _at(2)}
    fact_id = send(client, "post", URL, body).json()[0]["id"]

    response = send(client, "post", f"{URL}/{fact_id}/retract", {"reason": "录入错误，非本人"})

    assert response.status_code == 201, response.content
    retraction = response.json()
    assert retraction["kind"] == "retraction"
    assert retraction["retracts"] == fact_id
    assert retraction["details"] == {"reason": "录入错误，非本人"}
    listed = client.get(f"/api/v1/persons/{city.person_a.pk}/facts").json()["items"]
    assert {fact["id"]: fact["retracted"] for fact in listed} == {
        fact_id: True,
        retraction["id"]: False,
    }
    assert Status.objects.get(person=city.person_a).colour == "green"


def test_retracting_twice_or_without_a_reason_is_422(city, worker_a):
    client = client_for(worker_a)
    body = {"person": str(city.person_a.pk), "kind": "fever_clinic_visit", "occurred_at": _at(2)}
    url = f"{URL}/{send(client, 'post', URL, body).json()[0]['id']}/retract"

    blank = send(client, "post", url, {"reason": "  "})
    assert blank.status_code == 422
    assert blank.json()["detail"][0]["field"] == "reason"
    assert send(client, "post", url, {"reason": "误录"}).status_code == 201
    again = send(client, "post", url, {"reason": "误录"})
    assert again.status_code == 422
    assert again.json()["detail"] == [{"field": None, "message": "该事实已被撤销。"}]

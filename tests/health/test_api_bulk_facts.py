"""A batch of facts is all or nothing, and every error names the item it is about."""

import datetime

from django.utils import timezone

from fangyi.core.models import ObjectChange
from fangyi.health.models import Fact
from tests.support import client_for, send

URL = "/api/v1/health/facts"


def _negative(person, n: int) -> dict:
    return {
        "person": str(person.pk),
        "kind": "test_result",
        "occurred_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "outcome": "negative",
        "variant": "pooled",
        "source_ref": f"TUBE-{n:05d}",
    }


def test_one_bad_item_refuses_the_whole_batch_naming_its_index(city, officer):
    body = [_negative(city.person_a, n) for n in range(5)]
    del body[3]["outcome"]
    body[4]["occurred_at"] = "2019-01-01T00:00:00+08:00"

    response = send(client_for(officer), "post", URL, body)

    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["detail"]}
    assert fields == {"3.outcome", "4.occurred_at"}
    assert not Fact.objects.exists()
    assert not ObjectChange.objects.filter(object_type="health.fact").exists()


def test_schema_errors_in_a_batch_name_the_index_too(city, officer):
    body = [_negative(city.person_a, n) for n in range(3)]
    body[2]["outcome"] = "maybe"
    body[1]["colour"] = "red"

    response = send(client_for(officer), "post", URL, body)

    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["detail"]}
    assert fields == {"2.outcome", "1.colour"}


def test_a_list_of_one_is_still_indexed(city, officer):
    body = [_negative(city.person_a, 0) | {"variant": "home"}]

    response = send(client_for(officer), "post", URL, body)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["0.variant"]


def test_ten_thousand_facts_are_accepted_in_one_batch(city, officer):
    body = [_negative(person, n) for n in range(5000) for person in (city.person_a, city.person_b)]

    response = send(client_for(officer), "post", URL, body)

    assert response.status_code == 201, response.content[:500]
    assert len(response.json()) == 10_000
    assert Fact.objects.count() == 10_000


def test_more_than_ten_thousand_are_refused(city, officer):
    body = [_negative(city.person_a, n) for n in range(10_001)]

    response = send(client_for(officer), "post", URL, body)

    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": None, "message": "最多 10000 项。"}]
    assert not Fact.objects.exists()


def test_an_empty_batch_is_422(city, officer):
    response = send(client_for(officer), "post", URL, [])

    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": None, "message": "至少 1 项。"}]

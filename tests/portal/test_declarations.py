"""Health and trip declarations become health facts (source "portal"), checked by the rules."""

import datetime

from django.utils import timezone

from fangyi.core.models import ObjectChange
from fangyi.health.models import Fact, FactKind
from fangyi.health.services import current_status, retract_fact
from tests.support import as_resident, post


def test_a_health_declaration_is_a_fact(city):
    response = post(
        as_resident(city.person_a),
        "/api/v1/me/declarations/health",
        {"temperature": 36.6, "symptoms": ["cough", "fatigue"]},
    )

    assert response.status_code == 201
    fact = Fact.objects.get(person=city.person_a)
    assert fact.kind == FactKind.HEALTH_DECLARATION
    assert fact.source == "portal"
    assert fact.actor is None and fact.actor_name
    assert fact.details == {"temperature": 36.6, "symptoms": ["咳嗽", "乏力"]}
    # The fact row is its own audit record: it names who declared it.
    assert not ObjectChange.objects.filter(object_id=str(fact.pk)).exists()
    assert response.json()["kind"] == "health_declaration"


def test_a_temperature_out_of_range_is_refused_on_its_field(city):
    response = post(
        as_resident(city.person_a), "/api/v1/me/declarations/health", {"temperature": 55}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "temperature"
    assert not Fact.objects.exists()


def test_arriving_from_a_risk_area_turns_the_code_yellow(city):
    arrived = timezone.now() - datetime.timedelta(hours=3)
    response = post(
        as_resident(city.person_a),
        "/api/v1/me/declarations/trip",
        {
            "from_area": "某市某区",
            "arrived_at": arrived.isoformat(),
            "risk_area": True,
            "transport": "G1234",
        },
    )

    assert response.status_code == 201
    fact = Fact.objects.get(person=city.person_a)
    assert fact.kind == FactKind.ARRIVAL_FROM_RISK_AREA
    assert fact.details["area"] == "某市某区"
    assert current_status(city.person_a).colour == "yellow"


def test_any_other_trip_is_kept_without_changing_the_colour(city):
    response = post(
        as_resident(city.person_a),
        "/api/v1/me/declarations/trip",
        {
            "from_area": "某县",
            "arrived_at": (timezone.now() - datetime.timedelta(days=1)).isoformat(),
            "risk_area": False,
        },
    )

    assert response.status_code == 201
    fact = Fact.objects.get(person=city.person_a)
    assert fact.kind == FactKind.HEALTH_DECLARATION
    assert fact.details["trip"]["from"] == "某县"
    assert current_status(city.person_a).colour == "green"


def test_a_trip_in_the_future_is_refused_on_its_field(city):
    response = post(
        as_resident(city.person_a),
        "/api/v1/me/declarations/trip",
        {
            "from_area": "某县",
            "arrived_at": (timezone.now() + datetime.timedelta(days=2)).isoformat(),
            "risk_area": True,
        },
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "arrived_at"


def test_my_facts_list_what_i_may_appeal(city):
    client = as_resident(city.person_a)
    post(client, "/api/v1/me/declarations/health", {"temperature": 36.5})

    items = client.get("/api/v1/me/facts").json()["items"]

    assert [item["kind"] for item in items] == ["health_declaration"]
    assert items[0]["appealable"] is True and items[0]["retracted"] is False


def test_my_facts_mark_a_retracted_fact_and_do_not_offer_it_for_appeal(city, officer):
    client = as_resident(city.person_a)
    post(client, "/api/v1/me/declarations/health", {"temperature": 36.5})
    declared = Fact.objects.get(person=city.person_a)
    retract_fact(actor=officer, fact=declared, reason="录入错误")

    items = client.get("/api/v1/me/facts").json()["items"]

    by_kind = {item["kind"]: item for item in items}
    assert by_kind["health_declaration"]["retracted"] is True
    assert by_kind["health_declaration"]["appealable"] is False
    assert by_kind["retraction"]["retracted"] is False

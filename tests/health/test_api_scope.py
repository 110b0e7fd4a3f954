"""A grid worker of grid A can neither read nor record anything health-related about grid B."""

import datetime

from django.utils import timezone

from fangyi.health import services
from fangyi.health.models import Appeal, Fact, FactKind
from tests.factories import staff
from tests.support import client_for, send


def _fact_body(person, **fields):
    occurred_at = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    return {"person": str(person.pk), "kind": "close_contact", "occurred_at": occurred_at} | fields


def test_another_grid_s_facts_and_status_are_404(city, worker_a):
    client = client_for(worker_a)

    for tail in ("facts", "status"):
        response = client.get(f"/api/v1/persons/{city.person_b.pk}/{tail}")
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。"}


def test_a_fact_for_another_grid_s_person_is_422_and_writes_nothing(city, worker_a):
    response = send(client_for(worker_a), "post", "/api/v1/health/facts", _fact_body(city.person_b))

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["person"]
    assert not Fact.objects.exists()


def test_in_a_batch_the_hidden_person_is_named_by_index(city, worker_a):
    body = [_fact_body(city.person_a), _fact_body(city.person_b)]

    response = send(client_for(worker_a), "post", "/api/v1/health/facts", body)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["1.person"]
    assert not Fact.objects.exists()


def test_another_grid_s_fact_can_be_neither_retracted_nor_named(city, worker_a, officer):
    fact = services.record_fact(
        actor=officer,
        source="manual",
        person=city.person_b,
        kind=FactKind.CLOSE_CONTACT,
        occurred_at=timezone.now() - datetime.timedelta(hours=2),
    )
    client = client_for(worker_a)

    url = f"/api/v1/health/facts/{fact.pk}/retract"
    assert send(client, "post", url, {"reason": "误录"}).status_code == 404
    body = _fact_body(city.person_a, kind="retraction", retracts=str(fact.pk))
    named = send(client, "post", "/api/v1/health/facts", body)
    assert named.status_code == 422
    assert [error["field"] for error in named.json()["detail"]] == ["retracts"]
    appeal = {"person": str(city.person_a.pk), "fact": str(fact.pk), "reason": "不认可"}
    assert send(client, "post", "/api/v1/health/appeals", appeal).status_code == 422
    assert not Appeal.objects.exists()
    assert Fact.objects.count() == 1


def test_another_grid_s_zones_appeals_and_decisions_are_hidden(city, worker_a, officer):
    zone = services.draw_zone(
        actor=officer, kind="high", regions=[city.building_b], reason="新增阳性病例"
    )
    services.file_appeal(actor=officer, person=city.person_b, zone=zone, reason="已搬离")
    client = client_for(worker_a)

    assert client.get("/api/v1/zones").json()["items"] == []
    assert client.get(f"/api/v1/zones/{zone.pk}").status_code == 404
    assert send(client, "post", f"/api/v1/zones/{zone.pk}/lift", {"reason": "x"}).status_code == 404
    assert client.get("/api/v1/health/appeals").json()["items"] == []
    assert client.get("/api/v1/health/decisions").json()["items"] == []
    body = {"kind": "high", "regions": [city.building_b.code], "reason": "x"}
    drawn = send(client, "post", "/api/v1/zones", body)
    assert drawn.status_code == 422
    assert drawn.json()["detail"][0]["field"] == "regions"


def test_a_grid_worker_may_not_draw_a_zone_even_in_their_grid(city, worker_a):
    body = {"kind": "high", "regions": [city.building_a.code], "reason": "新增阳性病例"}

    response = send(client_for(worker_a), "post", "/api/v1/zones", body)

    assert response.status_code == 403


def test_staff_who_see_persons_but_not_facts_get_404_and_may_not_record(city):
    volunteer = staff("volunteer", city.grid_a, username="volunteer")
    client = client_for(volunteer)

    assert client.get(f"/api/v1/persons/{city.person_a.pk}").status_code == 200
    assert client.get(f"/api/v1/persons/{city.person_a.pk}/facts").status_code == 404
    response = send(client, "post", "/api/v1/health/facts", _fact_body(city.person_a))
    assert response.status_code == 403
    assert not Fact.objects.exists()

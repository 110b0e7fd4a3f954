"""Appeals through the API: filed by a grid worker on a resident's behalf, decided by an officer."""

import datetime

from django.utils import timezone

from fangyi.health import services
from fangyi.health.models import Appeal, FactKind
from tests.support import client_for, send

URL = "/api/v1/health/appeals"


def _visit(city, actor):
    return services.record_fact(
        actor=actor,
        source="manual",
        person=city.person_a,
        kind=FactKind.FEVER_CLINIC_VISIT,
        occurred_at=timezone.now() - datetime.timedelta(hours=6),
    )


def test_a_worker_files_and_an_officer_accepts_which_retracts_the_fact(city, worker_a, officer):
    fact = _visit(city, worker_a)
    worker, boss = client_for(worker_a), client_for(officer)
    body = {"person": str(city.person_a.pk), "fact": str(fact.pk), "reason": "当天本人在外地出差"}

    filed = send(worker, "post", URL, body)

    assert filed.status_code == 201, filed.content
    appeal = filed.json()
    assert appeal["state"] == "open" and appeal["on_behalf"] is True
    assert appeal["filed_by"] == "worker_a" and appeal["age_hours"] == 0
    assert [item["id"] for item in boss.get(URL).json()["items"]] == [appeal["id"]]

    decided = send(
        boss, "post", f"{URL}/{appeal['id']}/decide", {"accept": True, "note": "核实误录"}
    )

    assert decided.status_code == 200, decided.content
    assert decided.json()["state"] == "accepted"
    assert decided.json()["decided_by"] == "officer"
    assert decided.json()["retraction"]
    status = boss.get(f"/api/v1/persons/{city.person_a.pk}/status").json()
    assert status["colour"] == "green"
    facts = boss.get(f"/api/v1/persons/{city.person_a.pk}/facts").json()["items"]
    assert {f["id"]: f["retracted"] for f in facts}[str(fact.pk)] is True
    assert boss.get(URL).json()["items"] == []
    assert [a["id"] for a in boss.get(URL, {"state": "accepted"}).json()["items"]] == [appeal["id"]]


def test_a_grid_worker_may_not_decide(city, worker_a, officer):
    appeal = services.file_appeal(
        actor=officer, person=city.person_a, fact=_visit(city, officer), reason="不认可"
    )

    response = send(
        client_for(worker_a), "post", f"{URL}/{appeal.pk}/decide", {"accept": True, "note": "同意"}
    )

    assert response.status_code == 403
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.OPEN


def test_an_appeal_against_a_zone_the_resident_lives_in(city, worker_a, officer):
    zone = services.draw_zone(
        actor=officer, kind="medium", regions=[city.community], reason="社区内出现病例"
    )
    body = {"person": str(city.person_a.pk), "zone": str(zone.pk), "reason": "上月已搬离该小区"}

    # The zone lies above the worker's grid, yet it colours their resident: they may name it.
    response = send(client_for(worker_a), "post", URL, body)

    assert response.status_code == 201, response.content
    assert response.json()["zone"] == str(zone.pk)


def test_an_appeal_names_exactly_one_fact_or_zone(city, worker_a):
    response = send(
        client_for(worker_a), "post", URL, {"person": str(city.person_a.pk), "reason": "x"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "fact"


def test_the_queue_is_oldest_first(city, worker_a, officer):
    first = services.file_appeal(
        actor=worker_a, person=city.person_a, fact=_visit(city, worker_a), reason="一"
    )
    second = services.file_appeal(
        actor=worker_a, person=city.person_a, fact=_visit(city, worker_a), reason="二"
    )
    Appeal.objects.filter(pk=first.pk).update(
        filed_at=timezone.now() - datetime.timedelta(hours=30)
    )

    items = client_for(officer).get(URL).json()["items"]

    assert [item["id"] for item in items] == [str(first.pk), str(second.pk)]
    assert [item["age_hours"] for item in items] == [30, 0]

"""Manual decisions through the API: proposed by one officer, approved by another, revocable."""

import datetime

from django.utils import timezone

from fangyi.health.models import ManualDecision
from tests.support import client_for, send

URL = "/api/v1/health/decisions"
REASON = "居民从境外返回，系统尚无入境记录，待补录"


def _propose(client, person, **fields):
    body = {
        "person": str(person.pk),
        "colour": "yellow",
        "reason": REASON,
        "expires_at": (timezone.now() + datetime.timedelta(hours=24)).isoformat(),
    }
    return send(client, "post", URL, body | fields)


def _status(client, person) -> dict:
    return client.get(f"/api/v1/persons/{person.pk}/status").json()


def test_proposed_by_one_officer_approved_by_another_shown_as_manual(city, officer, second_officer):
    proposer, approver = client_for(officer), client_for(second_officer)

    proposed = _propose(proposer, city.person_a)

    assert proposed.status_code == 201, proposed.content
    decision = proposed.json()
    assert decision["state"] == "pending" and decision["proposed_by"] == "officer"
    assert _status(proposer, city.person_a)["colour"] == "green"
    url = f"{URL}/{decision['id']}/approve"
    own = send(proposer, "post", url, {"approve": True})
    assert own.status_code == 403
    assert own.json()["detail"] == "人工判定须由另一名干部审批。"

    approved = send(approver, "post", url, {"approve": True, "note": "已电话核实"})

    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"
    assert approved.json()["approved_by"] == "second_officer"
    status = _status(approver, city.person_a)
    assert status["colour"] == "yellow" and status["manual"] is True
    assert status["reasons"][0]["code"] == "manual"
    assert status["reasons"][0]["decision"] == decision["id"]


def test_a_revoked_decision_stops_colouring(city, officer, second_officer):
    client = client_for(officer)
    decision = _propose(client, city.person_a, colour="red").json()
    send(client_for(second_officer), "post", f"{URL}/{decision['id']}/approve", {"approve": True})
    assert _status(client, city.person_a)["colour"] == "red"

    revoked = send(client, "post", f"{URL}/{decision['id']}/revoke", {"note": "入境记录已补录"})

    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["state"] == "revoked"
    status = _status(client, city.person_a)
    assert status["colour"] == "green" and status["manual"] is False


def test_the_list_is_newest_first_and_filters_by_state(city, officer, second_officer):
    client = client_for(officer)
    older = _propose(client, city.person_a).json()
    newer = _propose(client, city.person_b).json()
    send(client_for(second_officer), "post", f"{URL}/{newer['id']}/approve", {"approve": True})

    listed = client.get(URL).json()["items"]
    pending = client.get(URL, {"state": "pending"}).json()["items"]

    assert [d["id"] for d in listed] == [newer["id"], older["id"]]
    assert [d["id"] for d in pending] == [older["id"]]


def test_limits_are_422_and_grid_workers_are_403(city, officer, worker_a):
    too_long = (timezone.now() + datetime.timedelta(hours=73)).isoformat()

    response = _propose(client_for(officer), city.person_a, expires_at=too_long)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "expires_at"
    assert _propose(client_for(worker_a), city.person_a).status_code == 403
    assert _propose(client_for(worker_a), city.person_b).status_code == 422
    assert not ManualDecision.objects.exists()


def test_a_rejection_needs_a_note(city, officer, second_officer):
    decision = _propose(client_for(officer), city.person_a).json()
    url = f"{URL}/{decision['id']}/approve"
    approver = client_for(second_officer)

    assert send(approver, "post", url, {"approve": False}).status_code == 422
    rejected = send(approver, "post", url, {"approve": False, "note": "应走申诉流程"})

    assert rejected.json()["state"] == "rejected"
    assert rejected.json()["decision_note"] == "应走申诉流程"

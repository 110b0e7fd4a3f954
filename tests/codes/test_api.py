"""The codes API: keys and the revocation list for anyone, cards and revocation for staff in
scope, card lookups for checkpoints; bad input is a 4xx with a JSON reason."""

import pytest
from django.utils import timezone

from fangyi.codes import keys, services, verify
from fangyi.codes.format import b64url
from fangyi.codes.models import CardCode
from tests.factories import staff
from tests.support import client_for, send

from .independent import revocation_hash

pytestmark = pytest.mark.django_db


def test_keys_are_public_and_cacheable(client, city):
    keys.current_key()
    response = client.get("/api/v1/codes/keys")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    jwk = response.json()["keys"][0]
    assert jwk["kid"] == b64url(keys.current_key().kid)
    assert jwk["alg"] == "ES256" and jwk["crv"] == "P-256"
    issued = services.issue_display_code(person_id=city.person_a.pk)
    assert verify(issued.text, response.json()).valid


def test_the_revocation_list_is_public(client, city, officer):
    issued = services.issue_display_code(person_id=city.person_a.pk)
    assert client.get("/api/v1/codes/revoked").json()["revoked"] == []
    response = send(
        client_for(officer),
        "post",
        f"/api/v1/persons/{city.person_a.pk}/codes/revoke",
        {"reason": "截图外传"},
    )
    assert response.status_code == 200 and response.json() == {"revoked_cards": 0}
    listed = client.get("/api/v1/codes/revoked").json()["revoked"]
    assert b64url(revocation_hash(issued.text)) in listed


def test_a_grid_worker_prints_a_card_in_scope_only(city, worker_a):
    as_worker = client_for(worker_a)
    response = as_worker.post(f"/api/v1/persons/{city.person_a.pk}/card")
    assert response.status_code == 201
    body = response.json()
    assert body["text"].startswith("FY1:") and body["kind"] == "card" and body["colour"] is None
    assert body["print_url"].endswith(f"/codes/card/{city.person_a.pk}/")
    assert as_worker.post(f"/api/v1/persons/{city.person_b.pk}/card").status_code == 404
    assert as_worker.post("/api/v1/persons/not-a-uuid/card").status_code == 404


def test_a_checkpoint_looks_a_card_up(city, worker_a):
    guard = client_for(staff("checkpoint", city.community, username="guard"))
    card = services.issue_card_code(user=worker_a, person=city.person_a)
    response = send(guard, "post", "/api/v1/codes/lookup", {"text": card.text})
    assert response.status_code == 200
    assert response.json()["result"] == "valid" and response.json()["colour"] == "green"
    bad = send(guard, "post", "/api/v1/codes/lookup", {"text": card.text[:-6]})
    assert bad.json()["result"] == "malformed" and bad.json()["colour"] is None


@pytest.mark.parametrize(
    "body",
    [{}, {"text": 5}, {"text": "x" * 5000}, {"text": "FY1:\x00"}, {"text": "a", "extra": 1}],
)
def test_lookup_refuses_bad_bodies(city, body):
    guard = client_for(staff("checkpoint", city.community, username="guard"))
    response = send(guard, "post", "/api/v1/codes/lookup", body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def test_lookup_needs_a_login_and_the_right(client, city):
    assert send(client, "post", "/api/v1/codes/lookup", {"text": "FY1:"}).status_code == 401
    volunteer = client_for(staff("volunteer", city.grid_a, username="helper"))
    assert send(volunteer, "post", "/api/v1/codes/lookup", {"text": "FY1:"}).status_code == 403


def test_revoke_refuses_a_missing_reason_and_others_scope(city, worker_a, officer):
    as_officer = client_for(officer)
    url = f"/api/v1/persons/{city.person_a.pk}/codes/revoke"
    assert send(as_officer, "post", url, {"reason": ""}).status_code == 422
    assert send(as_officer, "post", url, {}).status_code == 422
    assert send(client_for(worker_a), "post", url, {"reason": "卡片遗失"}).status_code == 403


def test_printing_a_card_twice_in_the_same_second_answers_the_same_card(
    monkeypatch, city, worker_a
):
    # A double click on "print": both requests sign the same claims in the same second, and
    # deterministic signatures make them the same card.
    moment = timezone.now().replace(microsecond=0)
    monkeypatch.setattr(services.timezone, "now", lambda: moment)
    as_worker = client_for(worker_a)

    first = as_worker.post(f"/api/v1/persons/{city.person_a.pk}/card")
    second = as_worker.post(f"/api/v1/persons/{city.person_a.pk}/card")

    assert first.status_code == second.status_code == 201
    assert first.json()["text"] == second.json()["text"]
    assert CardCode.objects.filter(person=city.person_a).count() == 1


def test_a_gate_outside_the_holders_regions_gets_the_colour_but_not_the_details(city, worker_a):
    # A card is shown at whatever gate its holder passes: the gate of the next grid must be
    # able to let them through, but how long the colour holds stays within the holder's regions.
    card = services.issue_card_code(user=worker_a, person=city.person_a)
    own_gate = client_for(staff("checkpoint", city.grid_a, username="gate-a"))
    other_gate = client_for(staff("checkpoint", city.grid_b, username="gate-b"))

    inside = send(own_gate, "post", "/api/v1/codes/lookup", {"text": card.text}).json()
    outside = send(other_gate, "post", "/api/v1/codes/lookup", {"text": card.text}).json()

    assert inside["result"] == outside["result"] == "valid"
    assert inside["colour"] == outside["colour"] == "green"
    assert inside["in_scope"] is True and inside["policy_version"]
    assert outside["in_scope"] is False
    assert outside["valid_until"] is None and outside["policy_version"] is None
    assert outside["claims"]["name"] == inside["claims"]["name"] != city.person_a.name

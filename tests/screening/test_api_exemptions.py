"""Exemptions through the API: listed newest first and scoped, added with a reason for one
round or every round; bad input is 4xx."""

import pytest

from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import Exemption
from tests.support import client_for, send

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/api/v1/screening/campaigns"


def _url(campaign) -> str:
    return f"{CAMPAIGNS}/{campaign.pk}/exemptions"


def test_an_officer_exempts_and_lists(city, officer, campaign, round_now):
    client = client_for(officer)
    for_round = send(
        client,
        "post",
        _url(campaign),
        {"person": str(city.person_a.pk), "reason": "住院治疗", "round": str(round_now.pk)},
    )
    assert for_round.status_code == 201, for_round.content
    assert for_round.json() | {"id": None, "created_at": None} == {
        "id": None,
        "person": str(city.person_a.pk),
        "name": "王*明",
        "round": 1,
        "reason": "住院治疗",
        "created_at": None,
    }
    every = send(
        client, "post", _url(campaign), {"person": str(city.person_b.pk), "reason": "外出务工"}
    )
    assert every.status_code == 201 and every.json()["round"] is None
    listed = client.get(_url(campaign)).json()
    assert [item["reason"] for item in listed["items"]] == ["外出务工", "住院治疗"]
    assert listed["next_cursor"] is None
    first = client.get(_url(campaign), {"limit": 1}).json()
    rest = client.get(_url(campaign), {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [i["reason"] for i in first["items"] + rest["items"]] == ["外出务工", "住院治疗"]


def test_grid_staff_see_only_their_residents(city, officer, campaign, worker_a):
    campaign_services.exempt_person(
        actor=officer, campaign=campaign, person=city.person_a, reason="住院"
    )
    campaign_services.exempt_person(
        actor=officer, campaign=campaign, person=city.person_b, reason="外出"
    )
    listed = client_for(worker_a).get(_url(campaign)).json()["items"]
    assert [item["name"] for item in listed] == ["王*明"]


def test_refusals(city, officer, campaign, round_now, sampler, worker_a):
    client = client_for(officer)
    campaign_services.exempt_person(
        actor=officer, campaign=campaign, person=city.person_a, reason="住院"
    )
    twice = send(
        client, "post", _url(campaign), {"person": str(city.person_a.pk), "reason": "住院"}
    )
    assert twice.status_code == 422
    assert twice.json()["detail"] == [{"field": "person", "message": "该居民已经免检。"}]
    other = campaign_services.create_campaign(actor=officer, name="二网格", regions=[city.grid_b])
    foreign_round = send(
        client,
        "post",
        _url(other),
        {"person": str(city.person_b.pk), "reason": "住院", "round": str(round_now.pk)},
    )
    assert foreign_round.json()["detail"] == [
        {"field": "round", "message": "该轮次不属于此筛查任务。"}
    ]
    outside = send(client, "post", _url(other), {"person": str(city.person_a.pk), "reason": "住院"})
    assert outside.status_code == 422 and outside.json()["detail"][0]["field"] == "person"
    by_sampler = send(
        client_for(sampler),
        "post",
        _url(campaign),
        {"person": str(city.person_b.pk), "reason": "住院"},
    )
    assert by_sampler.status_code == 403
    assert client_for(worker_a).get(_url(other)).status_code == 404
    assert Exemption.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        {"person": "nope", "reason": "住院"},
        {"person": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f60", "reason": "住院"},
        {"person": "PERSON"},
        {"person": "PERSON", "reason": ""},
        {"person": "PERSON", "reason": " "},
        {"person": "PERSON", "reason": "x" * 201},
        {"person": "PERSON", "reason": "\x00"},
        {"person": "PERSON", "reason": "住院", "round": "first"},
        {"person": "PERSON", "reason": "住院", "round": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f60"},
        {"person": "PERSON", "reason": "住院", "extra": 1},
    ],
)
def test_malformed_exemptions_are_422(city, officer, campaign, body):
    if isinstance(body, dict) and body.get("person") == "PERSON":
        body = body | {"person": str(city.person_a.pk)}
    response = send(client_for(officer), "post", _url(campaign), body)
    assert response.status_code == 422, response.content[:300]
    assert not Exemption.objects.exists()


@pytest.mark.parametrize("path", ["not-a-uuid", "%00", "1" * 300])
def test_odd_campaign_ids_are_404(city, officer, path):
    client = client_for(officer)
    assert client.get(f"{CAMPAIGNS}/{path}/exemptions").status_code == 404
    response = send(client, "post", f"{CAMPAIGNS}/{path}/exemptions", {"person": "x"})
    assert 400 <= response.status_code < 500


def test_a_bad_cursor_is_422(city, officer, campaign):
    response = client_for(officer).get(_url(campaign), {"cursor": "%%%"})
    assert response.status_code == 422

"""Campaigns, rounds and sites through the API, scoped: outside the caller's regions is 404."""

import datetime

import pytest
from django.utils import timezone

from fangyi.screening.models import Campaign
from tests.factories import staff
from tests.support import client_for, send

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/api/v1/screening/campaigns"


def _create(client, city, **fields):
    body = {"name": "全员核酸", "regions": [city.grid_a.code, city.grid_b.code]} | fields
    return send(client, "post", CAMPAIGNS, body)


def test_an_officer_creates_a_campaign_and_adds_rounds(city, officer):
    client = client_for(officer)
    response = _create(client, city, default_pool_size=5)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["regions"] == [
        {"code": city.grid_a.code, "name": "第一网格"},
        {"code": city.grid_b.code, "name": "第二网格"},
    ]
    assert body["pool_sizes"] == [1, 5, 10, 20] and body["default_pool_size"] == 5
    start = timezone.now().replace(microsecond=0)
    round_body = {
        "starts_at": start.isoformat(),
        "deadline": (start + datetime.timedelta(hours=24)).isoformat(),
    }
    added = send(client, "post", f"{CAMPAIGNS}/{body['id']}/rounds", round_body)
    assert added.status_code == 201 and added.json()["number"] == 1
    clash = send(client, "post", f"{CAMPAIGNS}/{body['id']}/rounds", round_body)
    assert clash.status_code == 422
    assert clash.json()["detail"][0]["field"] == "starts_at"
    shown = client.get(f"{CAMPAIGNS}/{body['id']}").json()
    assert [r["number"] for r in shown["rounds"]] == [1]
    assert client.get(CAMPAIGNS).json()["items"][0]["id"] == body["id"]


def test_a_round_ending_before_it_starts(city, officer):
    client = client_for(officer)
    campaign = _create(client, city).json()
    response = send(
        client,
        "post",
        f"{CAMPAIGNS}/{campaign['id']}/rounds",
        {"starts_at": "2022-04-02T08:00:00+08:00", "deadline": "2022-04-01T08:00:00+08:00"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "deadline", "message": "截止时间须晚于开始时间。"}
    ]


def test_campaigns_are_seen_where_they_reach(city, officer, worker_a, worker_b):
    client = client_for(officer)
    whole = _create(client, city, name="全社区").json()
    only_a = _create(client, city, name="一网格", regions=[city.grid_a.code]).json()
    sampler_b = staff("sampler", city.grid_b, username="sampler_b")
    assert {c["name"] for c in client_for(worker_a).get(CAMPAIGNS).json()["items"]} == {
        "全社区",
        "一网格",
    }
    for user in (worker_b, sampler_b):
        listed = client_for(user).get(CAMPAIGNS).json()["items"]
        assert [c["name"] for c in listed] == ["全社区"]
        assert client_for(user).get(f"{CAMPAIGNS}/{only_a['id']}").status_code == 404
        assert client_for(user).get(f"{CAMPAIGNS}/{whole['id']}").status_code == 200
    lab = staff("lab", city.city, username="lab")
    assert client_for(lab).get(CAMPAIGNS).json()["items"] == []


def test_who_may_create(city, worker_a, officer):
    response = _create(client_for(worker_a), city, regions=[city.grid_a.code])
    assert response.status_code == 403
    outside = _create(client_for(staff("officer", city.grid_a, username="o_a")), city)
    assert outside.status_code == 422
    assert outside.json()["detail"][0]["field"] == "regions.1"
    assert not Campaign.objects.exists()


def test_round_changes_need_the_right_to_change(city, officer, worker_a):
    campaign = _create(client_for(officer), city).json()
    response = send(
        client_for(worker_a),
        "post",
        f"{CAMPAIGNS}/{campaign['id']}/rounds",
        {"starts_at": "2022-04-01T08:00:00+08:00", "deadline": "2022-04-02T08:00:00+08:00"},
    )
    assert response.status_code == 403


def test_sites_with_samplers(city, officer):
    client = client_for(officer)
    campaign = _create(client, city).json()
    staff("sampler", city.grid_a, username="sampler_a")
    url = f"{CAMPAIGNS}/{campaign['id']}/sites"
    body = {
        "region": city.grid_a.code,
        "name": "一网格采样点",
        "opening_hours": "07:00-22:00",
        "capacity_per_hour": 300,
        "samplers": ["sampler_a"],
    }
    response = send(client, "post", url, body)
    assert response.status_code == 201, response.content
    assert response.json()["samplers"] == ["sampler_a"]
    assert response.json()["region"] == city.grid_a.code
    assert [site["name"] for site in client.get(url).json()] == ["一网格采样点"]
    for samplers in (["nobody"], ["officer"]):
        refused = send(client, "post", url, body | {"samplers": samplers})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["message"] == f"{samplers[0]} 不是该区域的采样人员。"

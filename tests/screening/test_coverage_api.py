"""GET /screening/rounds/{id}/coverage and /missing, POST /home-tasks: counts per region, the
missing persons masked, tasks counted; 404 for rounds out of sight, 422 for bad input."""

import uuid

import pytest
from django.core.cache import cache

from fangyi.fieldwork.models import Task
from fangyi.screening.campaigns import services as campaign_services
from tests.factories import PersonFactory, staff
from tests.support import ago, client_for

from .coverage_support import record, result

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()


def _url(round, what: str) -> str:
    return f"/api/v1/screening/rounds/{round.pk}/{what}"


def test_the_tree_of_a_region(city, officer, sampler, site, round_now):
    record(sampler, site, "T0001", [city.person_a], pool_size=1)
    result("T0001", "negative")
    response = client_for(officer).get(_url(round_now, "coverage"), {"depth": 2})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == 1 and body["region"] is None
    rows = {row["code"]: row for row in body["rows"]}
    assert list(rows) == [
        city.community.code,
        city.grid_a.code,
        city.building_a.code,
        city.grid_b.code,
        city.building_b.code,
    ]
    assert rows[city.community.code] | {"name": ""} == {
        "code": city.community.code,
        "name": "",
        "level": 5,
        "parent": None,
        "expected": 2,
        "sampled": 1,
        "resulted": 1,
        "positive": 0,
        "missing": 1,
        "percent": 50.0,
    }
    assert rows[city.building_b.code]["parent"] == city.grid_b.code
    children = client_for(officer).get(_url(round_now, "coverage"), {"region": city.grid_b.code})
    assert [row["code"] for row in children.json()["rows"]] == [
        city.grid_b.code,
        city.building_b.code,
    ]


def test_the_missing_masked_and_paged(city, worker_a, round_now):
    for _ in range(2):
        PersonFactory(household=city.household_a)
    client = client_for(worker_a)
    first = client.get(_url(round_now, "missing"), {"region": city.grid_a.code, "limit": 2})
    assert first.status_code == 200, first.content
    page = first.json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = client.get(
        _url(round_now, "missing"),
        {"region": city.grid_a.code, "limit": 2, "cursor": page["next_cursor"]},
    ).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    items = page["items"] + rest["items"]
    item = next(item for item in items if item["id"] == str(city.person_a.pk))
    assert item["name"] == "王*明" and item["phone"] == "138****0001"
    assert item["building"] == city.building_a.code and item["address"] == "1号楼1单元101"
    assert item["id_tail"] == city.person_a.id_tail and item["tags"] == []


def test_home_tasks_for_a_leader(city, leader_a, worker_a, round_now):
    city.person_a.is_bedridden = True
    city.person_a.save()
    response = client_for(leader_a).post(_url(round_now, "home-tasks"))
    assert response.status_code == 200, response.content
    assert response.json() == {"eligible": 1, "created": 1, "existing": 0}
    again = client_for(leader_a).post(f"{_url(round_now, 'home-tasks')}?region={city.grid_a.code}")
    assert again.json() == {"eligible": 1, "created": 0, "existing": 1}
    refused = client_for(worker_a).post(_url(round_now, "home-tasks"))
    assert refused.status_code == 403
    assert Task.objects.count() == 1


def test_rounds_out_of_sight_are_not_found(city, officer, round_now):
    elsewhere = staff("grid_worker", city.grid_b, username="elsewhere")
    campaign = campaign_services.create_campaign(
        actor=officer, name="一网格", regions=[city.grid_a]
    )
    hidden = campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(hours=1), deadline=ago(hours=-1)
    )
    client = client_for(elsewhere)
    for url in (
        _url(hidden, "coverage"),
        f"{_url(hidden, 'missing')}?region={city.grid_b.code}",
        f"/api/v1/screening/rounds/{uuid.uuid4()}/coverage",
        "/api/v1/screening/rounds/not-a-uuid/coverage",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "未找到。"}
    assert client.post(_url(hidden, "home-tasks")).status_code == 404


@pytest.mark.parametrize(
    ("what", "query", "field"),
    [
        ("coverage", {"region": "350102001001002"}, "region"),
        ("coverage", {"region": "999999"}, "region"),
        ("coverage", {"depth": 9}, "depth"),
        ("coverage", {"depth": "deep"}, "depth"),
        ("missing", {}, "region"),
        ("missing", {"region": ""}, "region"),
        ("missing", {"region": "350102001001002"}, "region"),
        ("missing", {"region": "350102001001001", "cursor": "bad"}, "cursor"),
        ("missing", {"region": "350102001001001", "limit": 0}, "limit"),
    ],
    ids=[
        "another-grid",
        "unknown-region",
        "depth-too-deep",
        "depth-not-a-number",
        "missing-without-region",
        "missing-with-an-empty-region",
        "missing-of-another-grid",
        "bad-cursor",
        "limit-zero",
    ],
)
def test_bad_input_is_a_field_error(city, worker_a, round_now, what, query, field):
    response = client_for(worker_a).get(_url(round_now, what), query)
    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["detail"]] == [field]


def test_a_region_the_campaign_does_not_reach(city, officer):
    campaign = campaign_services.create_campaign(
        actor=officer, name="一网格", regions=[city.grid_a]
    )
    round_ = campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(hours=1), deadline=ago(hours=-1)
    )
    response = client_for(officer).get(_url(round_, "coverage"), {"region": city.grid_b.code})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "region", "message": "该区域不在本次筛查的范围内。"}
    ]
    posted = client_for(officer).post(f"{_url(round_, 'home-tasks')}?region={city.grid_b.code}")
    assert posted.status_code == 422


def test_an_empty_region_is_a_field_error(city, officer, round_now):
    client = client_for(officer)

    missing = client.get(_url(round_now, "missing"), {"region": ""})
    coverage = client.get(_url(round_now, "coverage"), {"region": ""})

    assert missing.status_code == 422, missing.content
    assert missing.json()["detail"][0]["field"] == "region"
    assert coverage.status_code == 200

"""The markets API: points, a report, lights with their series, actions and the rules."""

import datetime
from decimal import Decimal

import pytest

from fangyi.core.models import ObjectChange
from fangyi.markets.models import Light, LightAction, today
from tests.support import client_for, post, send

from .support import history, point, reporter

pytestmark = pytest.mark.django_db
BASE = "/api/v1/markets"


def test_an_officer_makes_a_point_and_its_reporter_reports(city, officer):
    rep = reporter(city.grid_a, "rep_a")
    made = post(
        client_for(officer),
        f"{BASE}/points",
        {
            "code": "fz-100",
            "name": "三坊菜市场",
            "kind": "market",
            "region": city.grid_a.code,
            "reporters": [str(rep.pk)],
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["code"], body["region"], body["reporters"]) == (
        "FZ-100",
        city.grid_a.code,
        [str(rep.pk)],
    )
    sent = post(
        client_for(rep),
        f"{BASE}/reports",
        {
            "point": body["id"],
            "items": [
                {"item": "rice", "price": "5.2", "stock": 3000, "sales": 100},
                {"item": "cabbage", "price": 2},
            ],
        },
    )
    assert sent.status_code == 201, sent.content
    assert {item["item"] for item in sent.json()["items"]} == {"rice", "cabbage"}
    listed = client_for(rep).get(f"{BASE}/reports").json()["items"]
    assert len(listed) == 2 and listed[0]["day"] == today().isoformat()
    lights = client_for(officer).get(f"{BASE}/lights", {"region": city.grid_a.code}).json()
    assert {light["item"] for light in lights["items"]} == {"rice", "cabbage"}


def test_bad_reports_answer_422_naming_the_field(city, officer):
    shop = point(officer, city.grid_a, "FZ-001")
    client = client_for(officer)
    for items, field in (
        ([{"item": "rice", "price": 0}], "items.0.price"),
        ([{"item": "rice", "price": "1.234"}], "items.0.price"),
        ([{"item": "caviar", "price": 3}], "items.0.item"),
        ([{"item": "rice", "price": 3, "stock": -1}], "items.0.stock"),
        ([], "items"),
    ):
        answer = post(client, f"{BASE}/reports", {"point": str(shop.pk), "items": items})
        assert answer.status_code == 422, (items, answer.content)
        assert field in [error["field"] for error in answer.json()["detail"]], answer.json()
    future = (today() + datetime.timedelta(days=1)).isoformat()
    answer = post(
        client,
        f"{BASE}/reports",
        {"point": str(shop.pk), "day": future, "items": [{"item": "rice", "price": 3}]},
    )
    assert [error["field"] for error in answer.json()["detail"]] == ["day"]


def test_a_reporter_cannot_name_a_point_not_theirs(city, officer):
    rep = reporter(city.grid_a, "rep_a")
    other = point(officer, city.grid_a, "FZ-002")
    answer = post(
        client_for(rep),
        f"{BASE}/reports",
        {"point": str(other.pk), "items": [{"item": "rice", "price": 3}]},
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "point"
    assert client_for(rep).get(f"{BASE}/points/{other.pk}").status_code == 404


def test_series_actions_and_rules(city, officer, commander):
    shop = point(officer, city.grid_a, "FZ-001")
    history(shop, "pork", ["20"] * 10 + ["22"] * 10)
    light = Light.objects.get(item__code="pork", region=city.community)
    series = client_for(commander).get(f"{BASE}/lights/{light.pk}/series", {"days": 365})
    assert series.status_code == 200
    data = series.json()
    assert len(data["points"]) == 365
    assert (data["price_yellow_percent"], data["price_red_percent"], data["cover_target"]) == (
        "5",
        "10",
        20,
    )
    last = data["points"][-1]
    assert [Decimal(last[key]) for key in ("average", "yellow", "red")] == [22, 21, 22]
    acted = post(
        client_for(commander),
        f"{BASE}/lights/{light.pk}/actions",
        {"kind": "reserve", "quantity": "储备猪肉 20 吨"},
    )
    assert acted.status_code == 201, acted.content
    assert acted.json()["colour"] == "red"
    action = LightAction.objects.get()
    assert ObjectChange.objects.filter(object_id=str(action.pk)).exists()
    assert client_for(officer).get(f"{BASE}/lights/{light.pk}").json()["actions"] == 1
    assert (
        post(
            client_for(officer), f"{BASE}/lights/{light.pk}/actions", {"kind": "other"}
        ).status_code
        == 422
    )
    rules = client_for(officer).get(f"{BASE}/rules").json()
    assert rules["price_bands"]["grain"] == ["2", "5"]
    assert rules["cover_targets"]["oil"] == 30
    lockdown = (today() - datetime.timedelta(days=3)).isoformat()
    assert (
        send(client_for(officer), "patch", f"{BASE}/rules", {"lockdown_date": lockdown}).status_code
        == 403
    )
    changed = send(client_for(commander), "patch", f"{BASE}/rules", {"lockdown_date": lockdown})
    assert changed.json()["lockdown_date"] == lockdown

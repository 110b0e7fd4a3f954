"""The pages: the grid of lights, a light with its chart data and actions, the reporter's
phone form with every basket item, and the points list where an officer adds one."""

import pytest

from fangyi.markets.models import Item, Light, LightAction, MonitoringPoint, PriceReport
from tests.support import signed_in

from .support import history, point, reporter

pytestmark = pytest.mark.django_db


def test_the_grid_and_a_lights_page(city, officer):
    shop = point(officer, city.grid_a, "FZ-001")
    history(shop, "pork", ["20"] * 10 + ["22"] * 10)
    history(shop, "rice", ["5"] * 20)
    client = signed_in(officer)
    page = client.get("/markets/", {"region": city.community.code})
    assert page.status_code == 200
    assert f'data-region="{city.grid_a.code}"' in page.text
    assert page.text.count('data-colour="red"') == 2  # pork: the community and its grid
    assert page.context["counts"]["green"] == 2
    light = Light.objects.get(item__code="pork", region=city.community)
    detail = client.get(f"/markets/lights/{light.pk}/")
    chart = detail.context["chart"]
    assert chart["band"] == ["5", "10"] and chart["price"][-1] == 22.0
    assert "light-data" in detail.text and "echarts" in detail.text
    done = client.post(
        f"/markets/lights/{light.pk}/actions/", {"kind": "fair_price", "note": "开设平价菜店 3 家"}
    )
    assert done.status_code == 302
    assert LightAction.objects.get().colour == "red"
    assert "开设平价菜店 3 家" in client.get(f"/markets/lights/{light.pk}/").text
    assert "✓" in client.get("/markets/", {"region": city.community.code}).text


def test_the_phone_form_takes_the_whole_basket(city, officer):
    rep = reporter(city.grid_a, "rep_a")
    shop = point(officer, city.grid_a, "FZ-001", reporters=[rep])
    client = signed_in(rep)
    # A reporter of one point lands on its form.
    assert client.get("/markets/report/")["Location"] == f"/markets/points/{shop.pk}/report/"
    form = client.get(f"/markets/points/{shop.pk}/report/")
    assert form.text.count('class="report-row"') == Item.objects.count()
    bad = client.post(
        f"/markets/points/{shop.pk}/report/", {"price-rice": "5.2", "price-pork": "-3"}
    )
    assert bad.status_code == 200 and "价格应大于 0" in bad.text
    assert not PriceReport.objects.exists()
    good = client.post(
        f"/markets/points/{shop.pk}/report/",
        {"price-rice": "5.2", "stock-rice": "3000", "sales-rice": "100", "price-pork": "26"},
    )
    assert good.status_code == 302
    assert PriceReport.objects.count() == 2
    # Shown again, the form holds today's figures.
    assert 'value="5.20"' in client.get(f"/markets/points/{shop.pk}/report/").text
    assert "今日已报" in client.get("/markets/report/").text


def test_a_reporter_cannot_open_another_points_form(city, officer):
    rep = reporter(city.grid_a, "rep_a")
    other = point(officer, city.grid_a, "FZ-002")
    assert signed_in(rep).get(f"/markets/points/{other.pk}/report/").status_code == 404
    assert signed_in(rep).get("/markets/").status_code == 403


def test_an_officer_adds_a_point_on_the_page(city, officer):
    rep = reporter(city.grid_a, "rep_a")
    client = signed_in(officer)
    answer = client.post(
        "/markets/points/",
        {
            "code": "FZ-200",
            "name": "永辉超市",
            "kind": "supermarket",
            "region": city.grid_a.code,
            "reporters": "rep_a",
        },
    )
    assert answer.status_code == 302
    made = MonitoringPoint.objects.get(code="FZ-200")
    assert list(made.reporters.all()) == [rep]
    again = client.post(
        "/markets/points/",
        {"code": "FZ-200", "name": "x", "kind": "supermarket", "region": city.grid_a.code},
    )
    assert again.status_code == 200 and "已有编号为 FZ-200" in again.text
    listed = client.get("/markets/points/")
    assert "永辉超市" in listed.text and "rep_a" in listed.text

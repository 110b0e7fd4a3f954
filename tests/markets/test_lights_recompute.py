"""Lights recomputed as reports arrive: the figures of every region above the point, only the
items reported, and a city's lights from scratch."""

import datetime
from decimal import Decimal

import pytest

from fangyi.markets import services
from fangyi.markets.models import DailyFigure, Light, RuleSet, today

from .support import history, point

pytestmark = pytest.mark.django_db


def light(item: str, region) -> Light:
    return Light.objects.get(item__code=item, region=region)


def test_a_report_lights_its_item_in_every_region_above(city, officer):
    shop = point(officer, city.grid_a, "FZ-001")
    # Four days of the current window priced, one short of the five the rule needs.
    yesterday = today() - datetime.timedelta(days=1)
    history(shop, "rice", ["5.00"] * 10 + [None] * 5 + ["5.30"] * 4, end=yesterday)
    assert light("rice", city.grid_a).colour == "none"
    services.submit_report(
        actor=officer, point=shop, day=today(), entries=[services.Entry(item="rice", price="5.30")]
    )
    for region in (city.grid_a, city.community, city.street, city.district, city.city):
        found = light("rice", region)
        assert found.colour == "red", region
        assert found.change_percent == Decimal("6.00")
        assert found.price == Decimal("5.30")
    # Nothing else was lit: pork was never reported, grid B has no point.
    assert not Light.objects.filter(item__code="pork").exists()
    assert not Light.objects.filter(region=city.grid_b).exists()


def test_a_regions_price_is_the_average_of_its_points(city, officer):
    first = point(officer, city.grid_a, "FZ-001")
    second = point(officer, city.grid_b, "FZ-002")
    history(first, "pork", ["20"] * 20)
    history(second, "pork", ["30"] * 10 + ["33"] * 10)
    # Grid B +10 %: red; grid A flat; the community: 25 → 26.5, +6 %: yellow.
    assert light("pork", city.grid_b).colour == "red"
    assert light("pork", city.grid_a).colour == "green"
    community = light("pork", city.community)
    assert community.change_percent == Decimal("6.00")
    assert community.colour == "yellow"
    figure = DailyFigure.objects.get(
        item__code="pork", region_path=city.community.path, day=today()
    )
    assert (figure.price_count, figure.price_sum) == (2, Decimal("53"))


def test_a_correction_recomputes_the_light(city, officer):
    shop = point(officer, city.grid_a, "FZ-001")
    history(shop, "eggs", ["10"] * 10 + ["10.60"] * 10)
    assert light("eggs", city.grid_a).colour == "red"
    for n in range(10):
        services.submit_report(
            actor=officer,
            point=shop,
            day=today() - datetime.timedelta(days=n),
            entries=[services.Entry(item="eggs", price="10.10")],
        )
    assert light("eggs", city.grid_a).colour == "green"


def test_stock_below_target_lights_red(city, officer):
    shop = point(officer, city.grid_a, "FZ-001")
    history(shop, "oil", ["15"] * 20, stock=Decimal(100), sales=Decimal(10))
    found = light("oil", city.grid_a)
    assert (found.cover_days, found.cover_colour, found.colour) == (Decimal("10.0"), "red", "red")


def test_the_baseline_method_joins_once_a_lockdown_date_is_set(city, officer, commander):
    shop = point(officer, city.grid_a, "FZ-001")
    # 28 days of 30 ± 1 before, then 34 since the lockdown 24 days ago: the 10-day rule
    # sees a flat price (green) while the baseline sees it 3.9 sd above the days before.
    prices = ["29", "31"] * 14 + ["34"] * 25
    history(shop, "pork", prices)
    assert light("pork", city.grid_a).colour == "green"
    services.set_lockdown(actor=commander, day=today() - datetime.timedelta(days=24))
    assert RuleSet.objects.get(in_force=True).lockdown_date is not None
    services.recompute_all()
    found = light("pork", city.grid_a)
    assert found.deviation_colour == "red"
    assert found.colour == "red"


def test_recompute_all_lights_the_whole_city(city, officer):
    shops = [point(officer, city.grid_a, "FZ-001"), point(officer, city.grid_b, "FZ-002")]
    for shop in shops:
        history(shop, "rice", ["5"] * 20)
        history(shop, "cabbage", ["2"] * 20)
    Light.objects.all().delete()
    written = services.recompute_all()
    # Two items in grid A, grid B, and the five regions above both.
    assert written == 2 * 7
    assert set(Light.objects.values_list("colour", flat=True)) == {"green"}

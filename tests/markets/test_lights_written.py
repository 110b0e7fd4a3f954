"""A recompute writes only what changed: a light judged as before keeps its row and only
moves to the new day; a changed verdict is written in full."""

import datetime
from decimal import Decimal

import pytest

from fangyi.markets import services
from fangyi.markets.models import Light, today

from .support import history, point

pytestmark = pytest.mark.django_db


def test_a_light_judged_as_before_is_left_alone(city, officer):
    shop = point(officer, city.grid_a, "FZ-001")
    history(shop, "rice", ["5"] * 20)
    before = Light.objects.get(item__code="rice", region=city.grid_a)
    # Grid A and the five regions above it.
    assert services.recompute_all() == 6
    after = Light.objects.get(pk=before.pk)
    assert (after.day, after.colour, after.computed_at) == (
        before.day,
        before.colour,
        before.computed_at,
    )


def test_a_light_judged_as_before_moves_to_the_new_day(city, officer):
    shop = point(officer, city.grid_a, "FZ-001")
    history(shop, "rice", ["5"] * 20)
    light = Light.objects.get(item__code="rice", region=city.grid_a)
    # As yesterday's recompute left it.
    Light.objects.filter(pk=light.pk).update(day=today() - datetime.timedelta(days=1))
    services.recompute_all()
    light.refresh_from_db()
    assert (light.day, light.colour, light.price) == (today(), "green", Decimal("5.00"))


def test_a_changed_verdict_is_written(city, officer):
    shop = point(officer, city.grid_a, "FZ-001")
    history(shop, "pork", ["20"] * 20)
    light = Light.objects.get(item__code="pork", region=city.grid_a)
    # Stored figures that the reports do not say: the recompute puts them right.
    Light.objects.filter(pk=light.pk).update(colour="red", change_percent=Decimal("9.99"))
    services.recompute_all()
    light.refresh_from_db()
    assert (light.colour, light.change_percent, light.price) == (
        "green",
        Decimal("0.00"),
        Decimal("20.00"),
    )

"""`fangyi seed --demo-staff` makes monitoring points, a month of reports and one red light
with an action recorded against it, once."""

import io
import json

import pytest
from django.core.management import call_command

from fangyi.markets.models import Light, LightAction, PriceReport
from fangyi.regions.models import Level


def seed() -> dict:
    out = io.StringIO()
    call_command("seed", "--residents", "600", "--seed", "5", "--demo-staff", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_demo_has_a_month_of_reports_and_one_red_light():
    summary = seed()["markets"]
    communities = summary["points"] // 2
    assert 1 <= communities <= 6
    assert summary["reports"] == summary["points"] * 20 * 30
    red = Light.objects.filter(colour="red")
    # Pork in the first community (and its grid, and whatever above it has no other
    # community to dilute it: a small demo city has one): nothing else is red.
    assert set(red.values_list("item__code", flat=True)) == {"pork"}
    first = red.get(region__level=Level.COMMUNITY)
    assert LightAction.objects.get().light == first
    assert PriceReport.objects.filter(reporter__username="price_reporter").exists()
    assert seed()["markets"] == summary | {"created": False}

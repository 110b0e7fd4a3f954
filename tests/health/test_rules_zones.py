"""9th edition, risk areas (风险区): living in a high-risk area is red, medium yellow, low
nothing. A zone drawn to start later does not colour yet but bounds valid_until."""

import pytest

from fangyi.health.rules import ZoneRef
from tests.health.strategies import DAY, HOUR, MINUTE, T, codes, fact, run


@pytest.mark.parametrize(("kind", "colour"), [("high", "red"), ("medium", "yellow")])
def test_a_risk_area_colours_its_residents_while_it_lasts(kind, colour):
    result = run(zones=[ZoneRef("z", kind, T - DAY, "1号楼")], now=T)
    assert result.colour == colour
    assert codes(result) == ["zone"]
    reason = result.reasons[0]
    assert (reason.colour, reason.zone, reason.facts, reason.until) == (colour, "z", (), None)
    assert result.valid_until is None


@pytest.mark.parametrize("kind", ["low", "sealed", "no_such_kind"])
def test_a_low_risk_area_or_a_kind_the_plan_lacks_does_not_colour(kind):
    assert run(zones=[ZoneRef("z", kind, T - DAY)], now=T) == ("green", (), None)


def test_a_zone_starting_later_bounds_the_result_and_colours_from_its_start():
    zone = ZoneRef("z", "high", T + HOUR)
    assert run(zones=[zone], now=T) == ("green", (), T + HOUR)
    assert run(zones=[zone], now=T + HOUR - MINUTE) == ("green", (), T + HOUR)
    assert run(zones=[zone], now=T + HOUR).colour == "red"


def test_a_future_zone_bounds_a_coloured_result_too():
    result = run([fact("a", "arrival_from_risk_area", T)], T, zones=[ZoneRef("z", "high", T + DAY)])
    assert result.colour == "yellow" and result.valid_until == T + DAY


def test_a_future_low_risk_area_does_not_bound_anything():
    assert run(zones=[ZoneRef("z", "low", T + HOUR)], now=T).valid_until is None


def test_two_zones_give_two_reasons_most_severe_first():
    zones = [ZoneRef("m", "medium", T - DAY), ZoneRef("h", "high", T - DAY)]
    result = run(zones=zones, now=T)
    assert result.colour == "red"
    assert [reason.zone for reason in result.reasons] == ["h", "m"]

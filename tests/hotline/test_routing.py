"""Routing: of the rules that match, the nearest category wins, then the smallest region;
a rule may send to the team of the place's street."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.hotline import services
from fangyi.hotline.models import State
from tests.hotline.support import category, take

pytestmark = pytest.mark.django_db


def test_the_place_team_takes_what_no_category_rule_claims(city, hotline):
    ticket = take(hotline.operator, city.building_a, "food")
    assert services.route(ticket) == hotline.team


def test_a_category_rule_beats_the_place_rule_and_covers_its_subcategories(city, hotline):
    assert services.route(take(hotline.operator, city.building_a, "medical")) == hotline.health
    assert services.route(take(hotline.operator, city.building_a, "medicines")) == hotline.health


def test_a_nearer_category_beats_a_smaller_region_and_a_smaller_region_breaks_ties(city, hotline):
    line_unit = services.create_unit(
        actor=hotline.admin, code="120", name="120 急救调度", kind="department", region=city.city
    )
    services.create_rule(
        actor=hotline.admin, region=city.city, category=category("hospital_line"), unit=line_unit
    )
    district_health = services.create_unit(
        actor=hotline.admin,
        code="gulou-health",
        name="鼓楼区卫健局",
        kind="department",
        region=city.district,
    )
    services.create_rule(
        actor=hotline.admin,
        region=city.district,
        category=category("medical"),
        unit=district_health,
    )
    line = take(hotline.operator, city.building_a, "hospital_line")
    assert services.route(line) == line_unit
    assert services.route(take(hotline.operator, city.building_a, "medicines")) == district_health


def test_no_team_for_a_place_above_the_street(city, hotline):
    ticket = take(hotline.operator, city.city, "food", address="说不清在哪")
    assert services.route(ticket) is None
    with pytest.raises(ValidationError) as error:
        services.dispatch(actor=hotline.operator, ticket=ticket)
    assert "unit" in error.value.message_dict
    services.dispatch(actor=hotline.operator, ticket=ticket, unit=hotline.team)
    assert ticket.state == State.DISPATCHED and ticket.unit == hotline.team


def test_the_operator_may_dispatch_at_intake_and_the_unit_staff_may_not_dispatch(city, hotline):
    ticket = take(hotline.operator, city.building_a, dispatch=True)
    assert ticket.state == State.DISPATCHED and ticket.unit == hotline.team
    assert [e.kind for e in ticket.events.order_by("at", "id")] == ["intake", "dispatch"]
    other = take(hotline.operator, city.building_b)
    with pytest.raises(PermissionDenied):
        services.dispatch(actor=hotline.street_officer, ticket=other, unit=hotline.team)


def test_a_rule_needs_one_target_and_is_unique(city, hotline):
    with pytest.raises(ValidationError):
        services.create_rule(actor=hotline.admin, region=city.street)
    with pytest.raises(ValidationError):
        services.create_rule(actor=hotline.admin, region=city.city, place_level="community")
    with pytest.raises(ValidationError):
        services.create_unit(
            actor=hotline.admin, code="bad", name="错绑", kind="street", region=city.community
        )

"""Editing a routing rule (setup.services.update_rule, the page rules/<id>/ and PATCH in the
API): its category and where it sends change, its region stays; the same checks as making
one; audited; and the next ticket is routed by it at once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.hotline import services
from fangyi.hotline.models import RoutingRule
from fangyi.hotline.setup import services as setup
from tests.support import client_for, send, signed_in

from .support import category, take

pytestmark = pytest.mark.django_db

ROOT = "/hotline/setup"


@pytest.fixture
def rule(city, hotline) -> RoutingRule:
    """Food asked for in the community goes to the city's health commission."""
    return services.create_rule(
        actor=hotline.admin, region=city.community, category=category("food"), unit=hotline.health
    )


def test_a_rule_is_edited_on_its_page_and_routing_follows(city, hotline, rule):
    page = signed_in(hotline.city_admin)
    assert f'href="{ROOT}/rules/{rule.pk}/"' in page.get(f"{ROOT}/rules/").content.decode()
    form = page.get(f"{ROOT}/rules/{rule.pk}/").content.decode()
    assert "三坊社区 的「食品和生活物资」派给 市卫健委" in form
    assert 'name="region"' not in form
    assert f'<option value="{hotline.health.pk}" selected>' in form
    url = f"{ROOT}/rules/{rule.pk}/"
    both = page.post(
        url, {"category": "food", "unit": str(hotline.health.pk), "place_level": "street"}
    )
    assert both.status_code == 400 and "二选一" in both.content.decode()
    saved = page.post(url, {"category": "testing", "unit": "", "place_level": "community"})
    assert saved.status_code == 302
    rule.refresh_from_db()
    assert (rule.category.code, rule.unit, rule.place_level) == ("testing", None, "community")
    assert rule.region_path == city.community.path
    change = ObjectChange.objects.get(object_id=str(rule.pk), action="update")
    assert change.before["unit"] == str(hotline.health.pk) and change.after["unit"] is None
    assert change.after["place_level"] == "community"
    assert services.route(take(hotline.operator, city.building_a, "food")) == hotline.team
    services.create_rule(
        actor=hotline.admin, region=city.community, category=category("food"), unit=hotline.health
    )
    clash = page.post(url, {"category": "food", "unit": "", "place_level": "community"})
    assert clash.status_code == 400 and "已有这个类别的派单规则" in clash.content.decode()
    page.cookies["django_language"] = "en"
    english = page.get(url).content.decode()
    assert "Edit routing rule" in english


def test_who_may_only_look_has_no_edit_form(city, hotline, rule):
    page = signed_in(hotline.operator)
    assert f"{ROOT}/rules/{rule.pk}/" not in page.get(f"{ROOT}/rules/").content.decode()
    assert page.get(f"{ROOT}/rules/{rule.pk}/").status_code == 403
    refused = page.post(f"{ROOT}/rules/{rule.pk}/", {"category": "*", "place_level": "street"})
    assert refused.status_code == 403
    rule.refresh_from_db()
    assert rule.unit == hotline.health


def test_a_rule_keeps_a_unit_stopped_since_but_none_is_pointed_at_one(city, hotline, rule):
    setup.update_unit(actor=hotline.admin, unit=hotline.health, name="市卫健委", active=False)
    kept = setup.update_rule(
        actor=hotline.admin, rule=rule, category=category("testing"), unit=hotline.health
    )
    assert kept.category.code == "testing" and kept.unit == hotline.health
    other = RoutingRule.objects.get(region_path=city.city.path, category=None)
    with pytest.raises(ValidationError) as refused:
        setup.update_rule(actor=hotline.admin, rule=other, category=None, unit=hotline.health)
    assert "unit" in refused.value.message_dict


def test_an_officer_may_not_edit_a_rule_even_of_their_street(city, hotline):
    street_rule = services.create_rule(
        actor=hotline.admin, region=city.street, category=category("food"), unit=hotline.team
    )
    with pytest.raises(PermissionDenied):
        setup.update_rule(
            actor=hotline.street_officer, rule=street_rule, category=None, place_level="street"
        )


def test_a_rule_is_edited_through_the_api(city, hotline, rule):
    api = client_for(hotline.commander)
    url = f"/api/v1/hotline/setup/rules/{rule.pk}"
    neither = api.patch(
        url, '{"unit": null}', content_type="application/json", headers={"Accept-Language": "en"}
    )
    assert neither.status_code == 422
    assert neither.json()["detail"] == [
        {
            "field": "unit",
            "message": "Choose a handling unit, or the team of the place's street or community "
            "(one of the two).",
        }
    ]
    changed = send(api, "patch", url, {"category": None})
    assert changed.status_code == 200 and changed.json()["category"] is None
    assert services.route(take(hotline.operator, city.building_a, "testing")) == hotline.health

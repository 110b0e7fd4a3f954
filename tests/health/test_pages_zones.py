"""The zones page: active zones with their lifting criteria, drawing, lifting with confirmation,
the lifted list and the tree of affected regions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fangyi.health import services
from fangyi.health.forms import local_minute
from fangyi.health.models import Status, Zone
from tests.support import signed_in

from ..factories import region


def _draw(client, **fields):
    data = {
        "kind": "high",
        "starts_at": local_minute(timezone.now()),
        "name": "",
        "reason": "确诊病例居住楼栋",
    } | fields
    return client.post(reverse("health:zone-create"), data)


def _colour(person) -> str:
    return Status.objects.get(person=person).colour


def test_the_draw_form_offers_the_kinds_of_the_plan_in_force(city, officer):
    html = signed_in(officer).get(reverse("health:zone-list")).content.decode()
    assert 'id="zone-form"' in html and "没有生效中的管控区域" in html
    for label in ("高风险区（红码）", "中风险区（黄码）", "低风险区（不赋码）"):
        assert label in html
    assert "封控区" not in html
    prefilled = signed_in(officer).get(reverse("health:zone-create"), {"region": "350102001"})
    assert ">\n350102001</textarea>" in prefilled.content.decode()


def test_drawing_a_zone_over_several_regions_colours_its_residents(city, officer):
    client = signed_in(officer)
    codes = f"{city.building_a.code}\n{city.building_b.code}"
    response = _draw(client, regions=codes, name="东街疫点")
    assert response.status_code == 302 and response.url == reverse("health:zone-list")
    zone = Zone.objects.get()
    assert zone.kind == "high" and zone.created_by == officer
    assert zone.region_path == city.community.path
    assert _colour(city.person_a) == "red" and _colour(city.person_b) == "red"
    html = client.get(reverse("health:zone-list")).content.decode()
    assert f'id="zone-{zone.pk}"' in html and "东街疫点" in html
    assert "居民 2 人" in html and "✗" in html and "连续 7 天无新增阳性（现 0 天）" in html
    assert "尚未满足解除条件" in html and "降为中风险区" in html
    assert reverse("health:zone-lift", args=[zone.pk]) in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"regions": "999999999999999999"}, "regions", "没有找到这些区域"),
        ({"regions": " \n "}, "regions", "这个字段是必填项"),
        ({"reason": ""}, "reason", "这个字段是必填项"),
        ({"kind": "sealed"}, "kind", "sealed"),
    ],
)
def test_a_bad_zone_is_refused_on_its_field(city, officer, fields, field, message):
    response = _draw(signed_in(officer), **({"regions": city.building_a.code} | fields))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Zone.objects.exists()


def test_regions_outside_the_officers_street_are_not_found(city, officer):
    other = region("350102002", "南街街道", 4, city.district)
    response = _draw(signed_in(officer), regions=f"{city.building_a.code}\n{other.code}")
    assert "350102002" in response.context["form"].errors["regions"][0]


def test_grid_staff_see_zones_but_cannot_draw_or_lift(city, officer, worker_a):
    zone = services.draw_zone(
        actor=officer, kind="high", regions=[city.building_a], reason="病例居住"
    )
    client = signed_in(worker_a)
    html = client.get(reverse("health:zone-list")).content.decode()
    assert f'id="zone-{zone.pk}"' in html
    assert 'id="zone-form"' not in html
    assert reverse("health:zone-lift", args=[zone.pk]) not in html
    assert client.get(reverse("health:zone-create")).status_code == 403
    assert client.get(reverse("health:zone-lift", args=[zone.pk])).status_code == 403


def test_zones_of_another_grid_are_not_shown(city, officer, worker_a):
    zone = services.draw_zone(
        actor=officer, kind="high", regions=[city.building_b], reason="病例居住"
    )
    client = signed_in(worker_a)
    assert f'id="zone-{zone.pk}"' not in client.get(reverse("health:zone-list")).content.decode()
    assert client.get(reverse("health:zone-lift", args=[zone.pk])).status_code == 404


def test_lifting_needs_a_confirmation_with_a_reason_and_lowers_high_to_medium(city, officer):
    zone = services.draw_zone(
        actor=officer, kind="high", regions=[city.building_a], reason="病例居住"
    )
    client = signed_in(officer)
    url = reverse("health:zone-lift", args=[zone.pk])
    confirm = client.get(url).content.decode()
    assert "将「1号楼」降为中风险区？" in confirm and "尚未满足解除条件" in confirm
    assert "确认降级" in confirm
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    assert Zone.objects.active().get() == zone
    response = client.post(url, {"reason": "连续 7 天无新增，全员核酸阴性"}, follow=True)
    assert "「1号楼」已由高风险区降为中风险区" in response.content.decode()
    medium = Zone.objects.active().get()
    assert medium.kind == "medium" and medium.predecessor == zone
    assert _colour(city.person_a) == "yellow"

    confirm = client.get(reverse("health:zone-lift", args=[medium.pk])).content.decode()
    assert "解除「1号楼」？" in confirm and "降级后已满 3 天（现 0 天）" in confirm
    response = client.post(
        reverse("health:zone-lift", args=[medium.pk]), {"reason": "达到解除条件"}, follow=True
    )
    assert "已解除「1号楼」" in response.content.decode()
    assert not Zone.objects.active().exists()
    assert _colour(city.person_a) == "green"

    lifted = client.get(reverse("health:zone-list"), {"tab": "lifted"}).content.decode()
    assert f'id="zone-{zone.pk}"' in lifted and f'id="zone-{medium.pk}"' in lifted
    assert "达到解除条件" in lifted and "已降级，见新区域" in lifted
    again = client.get(reverse("health:zone-lift", args=[zone.pk]), follow=True)
    assert "该区域已经解除" in again.content.decode()


def test_a_zone_meeting_its_criteria_says_so(city, officer, worker_a):
    starts = timezone.now() - datetime.timedelta(days=9)
    zone = services.draw_zone(
        actor=officer, kind="high", regions=[city.building_a], reason="病例居住", starts_at=starts
    )
    services.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind="test_result",
        occurred_at=timezone.now() - datetime.timedelta(hours=3),
        outcome="negative",
        variant="pooled",
    )
    html = signed_in(officer).get(reverse("health:zone-list")).content.decode()
    card = html.split(f'id="zone-{zone.pk}"', 1)[1].split("</article>", 1)[0]
    assert card.count('data-met="yes"') == 2 and "今日已满足解除条件" in card


def test_the_tree_tints_regions_inside_zones(city, officer):
    services.draw_zone(actor=officer, kind="medium", regions=[city.grid_b], reason="密接较多")
    services.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="病例居住")
    html = signed_in(officer).get(reverse("health:zone-list")).content.decode()
    tree = html.split('id="zone-tree"', 1)[1].split("</ul>\n    </div>", 1)[0]
    assert f'data-region="{city.street.code}">' in tree
    assert f'data-region="{city.grid_a.code}">' in tree
    assert f'data-region="{city.building_a.code}" data-tint="red"' in tree
    assert f'data-region="{city.grid_b.code}" data-tint="yellow"' in tree
    assert f'data-region="{city.building_b.code}" data-tint="yellow"' in tree
    assert f'data-region="{city.district.code}"' not in tree
    assert tree.index(city.street.code) < tree.index(city.grid_a.code)


def test_the_tree_stops_at_a_level_that_keeps_it_small(city, officer, monkeypatch):
    from fangyi.health.views import zones

    monkeypatch.setattr(zones, "TREE_LIMIT", 4)
    services.draw_zone(actor=officer, kind="high", regions=[city.street], reason="全街道")
    html = signed_in(officer).get(reverse("health:zone-list")).content.decode()
    assert f'data-region="{city.grid_a.code}"' in html
    assert f'data-region="{city.building_a.code}"' not in html
    assert "区域较多，只显示到上一层级" in html


def test_many_zones_show_only_the_levels_above_them(city, officer, monkeypatch):
    from fangyi.health.views import zones

    monkeypatch.setattr(zones, "TREE_LIMIT", 3)
    for building in (city.building_a, city.building_b):
        services.draw_zone(actor=officer, kind="high", regions=[building], reason="病例居住")
    html = signed_in(officer).get(reverse("health:zone-list")).content.decode()
    tree = html.split('id="zone-tree"', 1)[1].split("</ul>\n    </div>", 1)[0]
    assert f'data-region="{city.community.code}"' in tree
    assert f'data-region="{city.grid_a.code}"' not in tree
    assert "区域较多，只显示到上一层级" in html


def test_a_commander_can_lift_a_zone_an_officer_drew(city, officer, commander):
    zone = services.draw_zone(
        actor=officer, kind="high", regions=[city.building_a], reason="病例居住"
    )
    assert signed_in(commander).get(reverse("health:zone-lift", args=[zone.pk])).status_code == 200


def test_lowering_and_lifting_keep_each_reason_on_the_page_and_in_the_audit_log(
    city, officer, commander
):
    zone = services.draw_zone(
        actor=officer, kind="high", regions=[city.building_a], reason="确诊病例居住"
    )
    client = signed_in(officer)
    client.post(reverse("health:zone-lift", args=[zone.pk]), {"reason": "连续7天无新增阳性"})
    medium = Zone.objects.active().get()
    active = client.get(reverse("health:zone-list")).content.decode()
    card = active.split(f'id="zone-{medium.pk}"', 1)[1].split("</article>", 1)[0]
    assert "由高风险区降级（officer）" in card and "降级说明: 连续7天无新增阳性" in card

    confirm = client.get(reverse("health:zone-lift", args=[medium.pk])).content.decode()
    assert confirm.count('name="reason"') == 1
    client.post(reverse("health:zone-lift", args=[medium.pk]), {"reason": "降级后满3天"})
    lifted = client.get(reverse("health:zone-list"), {"tab": "lifted"}).content.decode()
    high_card = lifted.split(f'id="zone-{zone.pk}"', 1)[1].split("</article>", 1)[0]
    medium_card = lifted.split(f'id="zone-{medium.pk}"', 1)[1].split("</article>", 1)[0]
    assert "划定原因: 确诊病例居住" in high_card
    assert "降级人: officer · 降级说明: 连续7天无新增阳性" in high_card
    assert "降级说明: 连续7天无新增阳性" in medium_card
    assert "解除人: officer · 说明: 降级后满3天" in medium_card

    audit = signed_in(commander)
    for pk, words in (
        (zone.pk, ["连续7天无新增阳性"]),
        (medium.pk, ["连续7天无新增阳性", "降级后满3天"]),
    ):
        html = audit.get(reverse("core:audit-log"), {"object": str(pk)}).content.decode()
        assert all(word in html for word in words)


@pytest.mark.parametrize(
    ("days", "english", "chinese"),
    [
        (0, "0 days in a row without a new positive", "连续 0 天无新增阳性"),
        (1, "1 day in a row without a new positive", "连续 1 天无新增阳性"),
        (2, "2 days in a row without a new positive", "连续 2 天无新增阳性"),
    ],
)
def test_clean_days_are_counted_in_the_singular_and_plural(city, officer, days, english, chinese):
    started = timezone.now() - datetime.timedelta(days=days, hours=1)
    services.draw_zone(
        actor=officer, kind="high", regions=[city.building_a], reason="病例", starts_at=started
    )
    client = signed_in(officer)
    page = client.get(reverse("health:zone-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english in page and "1 resident ·" in page
    page = client.get(reverse("health:zone-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert chinese in page and "居民 1 人" in page

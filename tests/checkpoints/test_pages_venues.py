"""Venue pages: the scoped list with its filters and empty state, the form with a region
chooser limited to the user's reach, the detail page, in Chinese and English."""

import pytest
from django.urls import reverse

from fangyi.checkpoints.models import Venue
from tests.factories import UserFactory
from tests.support import signed_in


def test_the_list_shows_venues_in_scope_only(city, worker_a, venue_a, venue_b):
    html = signed_in(worker_a).get(reverse("checkpoints:venue-list")).content.decode()
    assert f'id="venue-{venue_a.pk}"' in html and "三坊超市" in html
    assert "七巷菜市场" not in html
    assert reverse("checkpoints:venue-create") not in html


def test_the_list_has_an_empty_state(city, worker_a):
    html = signed_in(worker_a).get(reverse("checkpoints:venue-list")).content.decode()
    assert "还没有登记场所" in html


def test_the_list_filters_by_kind_and_region(city, officer, venue_a, venue_b):
    client = signed_in(officer)
    url = reverse("checkpoints:venue-list")
    by_kind = client.get(url, {"kind": "market"}).content.decode()
    assert "七巷菜市场" in by_kind and "三坊超市" not in by_kind
    by_region = client.get(url, {"region": city.grid_a.code}).content.decode()
    assert "三坊超市" in by_region and "七巷菜市场" not in by_region
    nothing = client.get(url, {"kind": "hospital"}).content.decode()
    assert "没有符合条件的场所" in nothing
    unknown = client.get(url, {"region": "999"}).content.decode()
    assert "没有找到该区域" in unknown


def test_the_list_pages_with_a_cursor(city, officer, leader_a, settings):
    from fangyi.checkpoints import services

    settings.FANGYI_PAGE_SIZE = 2
    for name in ("甲", "乙", "丙"):
        services.create_venue(actor=leader_a, name=name, kind="other", region=city.grid_a)
    first = signed_in(officer).get(reverse("checkpoints:venue-list"))
    assert first.context["next_cursor"] and len(first.context["venues"]) == 2
    second = signed_in(officer).get(
        reverse("checkpoints:venue-list"), {"cursor": first.context["next_cursor"]}
    )
    assert len(second.context["venues"]) == 1 and not second.context["next_cursor"]


def test_a_stranger_without_venue_rights_is_refused(city):
    nobody = UserFactory(username="nobody")
    assert signed_in(nobody).get(reverse("checkpoints:venue-list")).status_code == 403


def test_the_form_offers_only_regions_in_reach(city, leader_a):
    response = signed_in(leader_a).get(reverse("checkpoints:venue-create"))
    choices = [code for code, _label in response.context["form"].fields["region"].choices]
    assert choices == ["", city.grid_a.code]


def test_a_leader_registers_a_venue_through_the_form(city, leader_a):
    data = {"name": "三坊小区北门", "kind": "compound_gate", "region": city.grid_a.code}
    response = signed_in(leader_a).post(reverse("checkpoints:venue-create"), data)
    venue = Venue.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("checkpoints:venue-detail", args=[venue.pk])
    assert venue.created_by == leader_a and venue.region == city.grid_a


def test_the_form_refuses_another_grid_on_the_field(city, leader_a):
    data = {"name": "药店", "kind": "other", "region": city.grid_b.code}
    response = signed_in(leader_a).post(reverse("checkpoints:venue-create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["region"]
    assert not Venue.objects.exists()


def test_a_grid_worker_may_not_open_the_form(city, worker_a):
    assert signed_in(worker_a).get(reverse("checkpoints:venue-create")).status_code == 403


def test_editing_and_stopping_a_venue(city, leader_a, venue_a):
    client = signed_in(leader_a)
    url = reverse("checkpoints:venue-edit", args=[venue_a.pk])
    form = client.get(url).context["form"]
    assert form.initial["name"] == "三坊超市" and form.initial["active"] is True
    data = {"name": "三坊超市", "kind": "supermarket", "region": city.grid_a.code, "address": ""}
    assert client.post(url, data).status_code == 302
    venue_a.refresh_from_db()
    assert not venue_a.active and venue_a.address == ""
    html = client.get(reverse("checkpoints:venue-detail", args=[venue_a.pk])).content.decode()
    assert "已停用" in html and reverse("checkpoints:place-code", args=[venue_a.pk]) not in html


def test_another_grids_leader_can_neither_open_nor_edit(city, leader_b, venue_a):
    client = signed_in(leader_b)
    assert client.get(reverse("checkpoints:venue-detail", args=[venue_a.pk])).status_code == 404
    data = {"name": "改", "kind": "other", "region": city.grid_b.code}
    response = client.post(reverse("checkpoints:venue-edit", args=[venue_a.pk]), data)
    assert response.status_code == 404


def test_a_worker_sees_the_detail_without_an_edit_button(city, worker_a, venue_a):
    html = signed_in(worker_a).get(reverse("checkpoints:venue-detail", args=[venue_a.pk]))
    html = html.content.decode()
    assert "东街1号" in html and "超市" in html
    assert reverse("checkpoints:venue-edit", args=[venue_a.pk]) not in html
    assert reverse("checkpoints:place-code", args=[venue_a.pk]) in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_render_in_both_languages(city, leader_a, venue_a, language):
    client = signed_in(leader_a)
    client.cookies["django_language"] = language
    for url in (
        reverse("checkpoints:venue-list"),
        reverse("checkpoints:venue-create"),
        reverse("checkpoints:venue-detail", args=[venue_a.pk]),
        reverse("checkpoints:venue-edit", args=[venue_a.pk]),
        reverse("checkpoints:place-code", args=[venue_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode()

"""The isolation pages: the queue placed by building, the order page and its actions, the due
page with reasons and a confirmed bulk release, sites with occupancy and the rooms grid."""

import datetime

import pytest
from django.utils import timezone

from fangyi.isolation.models import Order, OrderState
from tests.isolation.support_orders import members, proposed, results_on, site_with_rooms, started
from tests.support import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(officer):
    return signed_in(officer)


def test_the_queue_groups_by_building_and_places_a_whole_building(city, officer, browser):
    family = [city.person_a, *members(city.household_a, 1)]
    orders = [proposed(officer, person) for person in family]
    other = proposed(officer, city.person_b)
    site = site_with_rooms(officer, city.community, capacity=2)
    page = browser.get("/isolation/queue/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "全选本楼" in html and city.person_a.masked_name in html and "空床 6" in html
    response = browser.post(
        "/isolation/queue/confirm/",
        {"building": [city.building_a.code], "site": str(site.pk), "action": "place"},
    )
    assert response.status_code == 302
    assert set(Order.objects.filter(state="active").values_list("pk", flat=True)) == {
        order.pk for order in orders
    }
    other.refresh_from_db()
    assert other.state == OrderState.TO_PLACE
    followed = browser.get("/isolation/queue/")
    assert "已将 2 人安置到" in followed.content.decode()


def test_an_empty_queue_says_so(city, browser):
    assert "没有待安置的人员。" in browser.get("/isolation/queue/").content.decode()


def test_the_order_page_shows_the_timeline_and_why_it_is_not_ready(city, officer, browser):
    site = site_with_rooms(officer, city.community)
    order = started(officer, city.person_a, site, days_ago=7.2)
    results_on(officer, order, [1, 2, 3, 5])
    html = browser.get(f"/isolation/orders/{order.pk}/").content.decode()
    assert "第 7 天未检测" in html
    assert "待安置 → 隔离中" in html
    refused = browser.post(f"/isolation/orders/{order.pk}/release/", {"confirm": "on"})
    assert refused.status_code == 422
    assert "尚不满足解除条件" in refused.content.decode()
    unconfirmed = browser.post(f"/isolation/orders/{order.pk}/cancel/", {"reason": "错误"})
    assert unconfirmed.status_code == 422
    until = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
    extended = browser.post(
        f"/isolation/orders/{order.pk}/extend/",
        {"until": until.strftime("%Y-%m-%dT%H:%M"), "reason": "补测第 7 天"},
    )
    assert extended.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.EXTENDED


def test_the_due_page_lists_ready_and_overdue_and_releases_after_confirmation(
    city, officer, browser
):
    site = site_with_rooms(officer, city.community)
    ready = started(officer, city.person_a, site, days_ago=7.2)
    results_on(officer, ready, ready.test_days)
    overdue = started(officer, city.person_b, site, days_ago=7.2)
    html = browser.get("/isolation/due/").content.decode()
    assert "第 1 天未检测" in html and "可解除" in html
    unconfirmed = browser.post("/isolation/due/release/", {"order": [str(ready.pk)]})
    assert unconfirmed.status_code == 302
    ready.refresh_from_db()
    assert ready.state == OrderState.ACTIVE
    browser.post("/isolation/due/release/", {"order": [str(ready.pk)], "confirm": "on"})
    ready.refresh_from_db()
    assert ready.state == OrderState.RELEASED
    assert Order.objects.get(previous=ready).kind == "home_monitoring"
    overdue.refresh_from_db()
    assert overdue.state == OrderState.ACTIVE


def test_sites_are_created_with_rooms_and_show_occupancy(city, officer, browser):
    created = browser.post(
        "/isolation/sites/new/",
        {"name": "会展方舱", "address": "会展路 1 号", "region": city.community.code},
    )
    assert created.status_code == 302
    detail = created["Location"]
    browser.post(detail + "rooms/", {"numbers": "101-105", "capacity": "2"})
    html = browser.get(detail).content.decode()
    assert 'id="room-105"' in html and "空床 10" in html
    listing = browser.get("/isolation/sites/").content.decode()
    assert "会展方舱" in listing and "空房 5" in listing


def test_staff_without_the_right_are_refused(city, worker_a):
    browser = signed_in(worker_a)
    assert browser.get("/isolation/queue/").status_code == 403
    assert browser.get("/isolation/sites/").status_code == 403
    assert browser.get("/isolation/orders/").status_code == 200


def test_a_commander_sees_the_due_list_without_release_controls(city, officer, commander):
    site = site_with_rooms(officer, city.community)
    started(officer, city.person_a, site, days_ago=7.2)
    html = signed_in(commander).get("/isolation/due/").content.decode()
    assert "第 1 天未检测" in html
    assert "解除所选" not in html and 'name="order"' not in html


def test_the_order_page_links_the_document_its_state_allows(city, officer, browser):
    site = site_with_rooms(officer, city.community)
    order = started(officer, city.person_a, site, days_ago=1)
    html = browser.get(f"/isolation/orders/{order.pk}/").content.decode()
    assert f"/isolation/documents/orders/{order.pk}/notice.pdf" in html
    assert "release.pdf" not in html
    Order.objects.filter(pk=order.pk).update(state=OrderState.RELEASED)
    html = browser.get(f"/isolation/orders/{order.pk}/").content.decode()
    assert f"/isolation/documents/orders/{order.pk}/release.pdf" in html
    assert "notice.pdf" not in html

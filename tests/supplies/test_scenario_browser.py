"""Issue 16's scenario in Chromium, end to end: a resident of a sealed building asks for insulin
on the portal; it heads the grid's list; the officer sends it at once; two volunteers tap
我来送 and the second is told; the first delivers it with the resident's code scanned at the
door; the officer sees it delivered within its limit."""

import pytest

from fangyi.codes.services import issue_display_code
from fangyi.health import services as health
from fangyi.supplies.models import Request, RequestState
from tests.browser import resident_session_cookie, session_cookie
from tests.factories import PersonFactory, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}


def test_insulin_from_a_sealed_building_to_the_door_within_its_limit(
    city, officer, worker_a, volunteer_a, live_server, in_browser
):
    health.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="楼内出现病例")
    PersonFactory(household=city.household_a, on_dialysis=True)
    second = staff("volunteer", city.grid_a, username="volunteer_a2")
    cookies = {
        "resident": resident_session_cookie(city.person_a, live_server),
        "worker": session_cookie(worker_a, live_server),
        "officer": session_cookie(officer, live_server),
        "first": session_cookie(volunteer_a, live_server),
        "second": session_cookie(second, live_server),
    }
    seen: dict = {}

    def open_as(browser, who: str, viewport=PHONE):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.add_cookies([cookies[who]])
        return context, context.new_page()

    def ask(browser):
        context, page = open_as(browser, "resident")
        page.goto(f"{live_server.url}/me/supplies/new/")
        page.select_option("#id_kind", "medicine")
        page.select_option("#id_urgency", "urgent")
        page.fill("#id_chronic_condition", "糖尿病")
        page.fill("#id_item_0_name", "胰岛素")
        page.fill("#id_item_0_dose", "每日三次，餐前")
        page.fill("#id_item_0_quantity", "2")
        page.locator("#request-form button[type=submit]").click()
        page.wait_for_load_state()
        seen["asked"] = page.locator("#state").inner_text()
        context.close()
        context, page = open_as(browser, "worker")
        page.goto(f"{live_server.url}/supplies/grid/")
        seen["heads"] = page.locator("#requests > li").first.get_attribute("id")
        context.close()

    def send(browser, pk):
        context, page = open_as(browser, "officer", DESK)
        page.goto(f"{live_server.url}/supplies/{pk}/")
        page.locator("#dispatch-form button").click()
        page.wait_for_selector("#dispatched")
        context.close()

    def claim_twice(browser):
        first_context, first = open_as(browser, "first")
        late_context, late = open_as(browser, "second")
        for page in (first, late):
            page.goto(f"{live_server.url}/tasks/deliveries/")
        seen["pool"] = first.locator("#pool li").first.inner_text()
        first.get_by_role("button", name="我来送").first.click()
        first.wait_for_selector("#claimed li .btn-primary")
        late.get_by_role("button", name="我来送").first.click()
        seen["refused"] = late.locator(".alert").first.inner_text()
        late_context.close()
        first_context.close()

    def deliver(browser, code):
        context, page = open_as(browser, "first")
        page.goto(f"{live_server.url}/tasks/deliveries/")
        page.locator("#claimed li .btn-primary").first.click()
        page.check("input[name=confirmation][value=code]")
        page.fill("#id_code", code)
        page.get_by_role("button", name="已送达").click()
        page.wait_for_url("**/tasks/deliveries/")
        context.close()

    def officer_looks(browser, pk):
        context, page = open_as(browser, "officer", DESK)
        page.goto(f"{live_server.url}/supplies/{pk}/")
        seen["state"] = page.locator("#state").inner_text()
        seen["on_time"] = page.locator("#on-time").count()
        page.goto(f"{live_server.url}/supplies/")
        seen["board"] = page.content()
        context.close()

    in_browser(ask)
    asked = Request.objects.get(kind="medicine")
    assert seen["asked"] == "已提交" and asked.priority
    assert seen["heads"] == f"request-{asked.pk}"

    in_browser(send, asked.pk)
    in_browser(claim_twice)
    assert "【优先】" in seen["pool"] and "胰岛素" in seen["pool"]
    assert "手慢了" in seen["refused"]

    # The volunteer scans the code on the resident's phone.
    in_browser(deliver, issue_display_code(person_id=city.person_a.pk).text)
    in_browser(officer_looks, asked.pk)
    delivered = Request.objects.get(pk=asked.pk)
    assert delivered.state == RequestState.DELIVERED and delivered.confirmation == "code"
    assert delivered.delivered_at <= delivered.due_at
    assert seen["state"] == "已送达" and seen["on_time"] == 1
    assert f"request-{asked.pk}" not in seen["board"]

"""Issue 17's scenario in Chromium, end to end: an operator takes a call from a sealed
building asking for insulin; the community's team accepts the ticket and makes a supply
request from it; the request is delivered by the supplies flow and the ticket resolves; the
operator's callback hears "not satisfied" and the ticket goes back to the same team."""

import pytest

from fangyi.health import services as health
from fangyi.hotline.area import OPERATOR
from fangyi.hotline.models import LinkKind, State, Ticket
from fangyi.supplies.models import Request, RequestState
from tests.browser import session_cookie
from tests.factories import staff

from .pages_support import community_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1280, "height": 900}


def test_insulin_for_a_sealed_building_from_call_to_reopened_ticket(
    city, officer, live_server, in_browser
):
    health.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="楼内出现病例")
    operator = staff(OPERATOR, city.city, username="operator")
    team = community_team(city, officer, routed=("medicines",))
    cookies = {
        "operator": session_cookie(operator, live_server),
        "officer": session_cookie(officer, live_server),
    }
    seen: dict = {}

    def open_as(browser, who: str):
        context = browser.new_context(viewport=DESK, locale="zh-CN")
        context.set_default_timeout(30_000)
        context.add_cookies([cookies[who]])
        return context, context.new_page()

    def take_the_call(browser):
        context, page = open_as(browser, "operator")
        page.goto(f"{live_server.url}/hotline/intake/")
        seen["focused"] = page.evaluate("document.activeElement.id")
        page.keyboard.press("Tab")
        page.keyboard.type(city.person_a.phone)
        page.wait_for_selector(".caller-match")
        seen["caller"] = page.locator("#caller-history").inner_text()
        page.select_option("#id_category", "medicines")
        page.select_option("#id_urgency", "urgent")
        page.fill("#id_description", "封控楼栋，家里的胰岛素只够今天了，需要送药上门。")
        # From the description, the next stop is the save button: no mouse on the call.
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_selector("#saved")
        seen["saved"] = page.locator("#saved").inner_text()
        context.close()

    def accept_and_ask_for_insulin(browser, pk):
        context, page = open_as(browser, "officer")
        page.goto(f"{live_server.url}/hotline/")
        seen["inbox"] = page.locator("#tickets").inner_text()
        page.goto(f"{live_server.url}/hotline/{pk}/")
        page.locator("#accept").click()
        page.wait_for_selector("#start-supply")
        page.locator("#start-supply summary").click()
        page.select_option("#id_kind", "medicine")
        page.fill("#id_item", "胰岛素笔芯")
        page.fill("#id_quantity", "2")
        page.fill("#id_unit", "支")
        page.fill("#id_dose", "每日三次，餐前")
        page.fill("#id_chronic_condition", "糖尿病")
        page.locator("#start-supply-button").click()
        page.wait_for_selector("#links [data-kind=supply_request]")
        context.close()

    def deliver(browser, request_pk):
        context, page = open_as(browser, "officer")
        page.goto(f"{live_server.url}/supplies/{request_pk}/")
        for to in ("accepted", "out_for_delivery"):
            page.locator(f"button[data-to={to}]").click()
            page.wait_for_load_state()
        page.select_option("#confirmation", "note")
        page.fill("#note", "本人签收")
        page.locator("#deliver-form button[type=submit]").click()
        page.wait_for_load_state()
        seen["delivered"] = page.locator("#state").inner_text()
        context.close()

    def call_back(browser, pk):
        context, page = open_as(browser, "operator")
        page.goto(f"{live_server.url}/hotline/callbacks/")
        seen["queue"] = page.locator("#callbacks").inner_text()
        page.goto(f"{live_server.url}/hotline/{pk}/")
        seen["resolved"] = page.locator("#ticket-state").inner_text()
        page.check("#callback-form input[value=not_satisfied]")
        page.fill("#id_note", "只送来一支，不够用。")
        page.locator("#callback-form button[type=submit]").click()
        page.wait_for_selector("#ticket-state[data-state=dispatched]")
        seen["reopened"] = page.locator("#ticket-state").inner_text()
        seen["unit"] = page.locator("#ticket-unit").inner_text()
        context.close()

    in_browser(take_the_call)
    made = Ticket.objects.get()
    assert seen["focused"] == "id_channel"
    assert city.household_a.address in seen["caller"]
    assert made.number in seen["saved"] and "三坊社区专班" in seen["saved"]
    assert made.caller == city.person_a and made.region == city.building_a
    assert made.unit == team and made.state == State.DISPATCHED

    in_browser(accept_and_ask_for_insulin, made.pk)
    assert made.number in seen["inbox"]
    link = made.links.get()
    request = Request.objects.get(pk=link.target_id)
    assert link.kind == LinkKind.SUPPLY_REQUEST and request.hotline_ticket == made.number
    assert request.household == city.household_a

    in_browser(deliver, request.pk)
    assert seen["delivered"] == "已送达"
    assert Request.objects.get(pk=request.pk).state == RequestState.DELIVERED
    made.refresh_from_db()
    assert made.state == State.RESOLVED

    in_browser(call_back, made.pk)
    assert made.number in seen["queue"] and seen["resolved"] == "已办结待回访"
    made.refresh_from_db()
    assert made.state == State.DISPATCHED and made.unit == team and made.reopen_count == 1
    assert seen["reopened"].startswith("待签收") and seen["unit"] == "三坊社区专班"
    assert made.events.filter(kind="reopen", note="只送来一支，不够用。").exists()

"""On a 360-px phone: a resident of a priority household asks for insulin on the portal, with
a prescription photo; the request heads their grid worker's list, red-bordered and with a
green clock, and the page does not scroll sideways."""

import pytest

from fangyi.supplies.models import Request
from tests.browser import resident_session_cookie, session_cookie
from tests.factories import HouseholdFactory, PersonFactory

from .support import package_request, vegetables

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_insulin_asked_on_the_portal_heads_the_grid_workers_list(
    city, officer, worker_a, live_server, in_browser, tmp_path
):
    PersonFactory(household=city.household_a, on_dialysis=True)
    item = vegetables(officer, city.community)
    # An older request of a neighbour without priority: it comes second.
    earlier = package_request(
        worker_a, HouseholdFactory(building=city.building_a, room="102"), item
    )
    photo = tmp_path / "rx.png"
    photo.write_bytes(PNG)
    resident = resident_session_cookie(city.person_a, live_server)
    staff = session_cookie(worker_a, live_server)

    def ask_then_look(browser):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.add_cookies([resident])
        page = context.new_page()
        page.goto(f"{live_server.url}/me/supplies/new/")
        page.select_option("#id_kind", "medicine")
        page.select_option("#id_urgency", "urgent")
        page.fill("#id_chronic_condition", "糖尿病")
        page.fill("#id_item_0_name", "胰岛素")
        page.fill("#id_item_0_dose", "每日三次，餐前")
        page.fill("#id_item_0_quantity", "2")
        page.set_input_files("#id_prescription", str(photo))
        width = page.evaluate("document.documentElement.scrollWidth")
        page.locator("#request-form button[type=submit]").click()
        page.wait_for_load_state()
        state = page.locator("#state").inner_text()
        context.close()
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.add_cookies([staff])
        page = context.new_page()
        page.goto(f"{live_server.url}/supplies/grid/")
        rows = page.locator("#requests > li")
        order = [rows.nth(n).get_attribute("id") for n in range(rows.count())]
        first = rows.first
        listed = (
            first.get_attribute("id"),
            first.locator("[data-clock]").get_attribute("data-clock"),
        )
        priority = first.locator(".supplies-priority").count()
        context.close()
        return width, state, listed, priority, order

    width, state, listed, priority, order = in_browser(ask_then_look)
    asked = Request.objects.get(kind="medicine")
    assert width <= PHONE["width"]
    assert state == "已提交"
    assert asked.priority and asked.channel == "portal"
    assert asked.items.get().dose == "每日三次，餐前"
    assert listed == (f"request-{asked.pk}", "green") and priority == 1
    assert order == [f"request-{asked.pk}", f"request-{earlier.pk}"]

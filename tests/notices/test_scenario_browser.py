"""Issue 19's notices scenario in Chromium: an officer drafts a notice to grid A and publishes
it (ticking the confirmation); a resident of grid A sees it on the portal's first screen, opens
it and confirms; the notice's counts go up; a resident of grid B sees nothing; grid A's worker,
on a 360-px phone, marks the other household told in person."""

import pytest

from fangyi.notices.models import Notice, NoticeRead
from fangyi.regions.services import refresh_counts
from tests.browser import resident_session_cookie, session_cookie
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}


def test_a_notice_to_a_grid_reaches_its_resident_and_the_counts_go_up(
    city, officer, worker_a, live_server, in_browser
):
    neighbour = HouseholdFactory(building=city.building_a, room="102")
    PersonFactory(household=neighbour, phone="")
    refresh_counts()
    cookies = {
        "officer": session_cookie(officer, live_server),
        "resident": resident_session_cookie(city.person_a, live_server),
        "other": resident_session_cookie(city.person_b, live_server),
        "worker": session_cookie(worker_a, live_server),
    }
    seen: dict = {}

    def open_as(browser, who: str, viewport=PHONE):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.add_cookies([cookies[who]])
        return context, context.new_page()

    def publish(browser):
        context, page = open_as(browser, "officer", DESK)
        page.goto(f"{live_server.url}/notices/new/")
        page.fill("#id_title", "周六全员核酸")
        page.fill("#id_body", "周六 8:00 起在小区广场采样，请携带身份证。")
        page.fill("#id_regions", city.grid_a.code)
        page.check("#id_ask_confirm")
        page.locator("main form button[type=submit]").click()
        page.wait_for_selector("#publish-form")
        page.check("#publish-confirm")
        page.locator("#publish-form button[type=submit]").click()
        page.wait_for_selector("#withdraw-form")
        seen["state"] = page.locator("#notice-state").inner_text()
        seen["before"] = page.locator("#reach-total").inner_text()
        seen["url"] = page.url
        context.close()

    def resident_confirms(browser):
        context, page = open_as(browser, "resident")
        page.goto(f"{live_server.url}/me/")
        block = page.locator("#notices-block")
        seen["block"] = block.inner_text()
        block.get_by_text("周六全员核酸").click()
        page.wait_for_selector("#confirm-notice")
        page.locator("#confirm-notice").click()
        page.wait_for_selector("#confirmed")
        seen["width"] = page.evaluate("document.documentElement.scrollWidth")
        context.close()
        context, page = open_as(browser, "other")
        page.goto(f"{live_server.url}/me/")
        seen["other"] = page.locator("#notices-block").count()
        context.close()

    def counts(browser):
        context, page = open_as(browser, "officer", DESK)
        page.goto(seen["url"])
        seen["after"] = page.locator("#reach-total").inner_text()
        seen["confirmed"] = page.locator("#reach-confirmed").inner_text()
        context.close()

    def worker_tells(browser):
        context, page = open_as(browser, "worker")
        page.goto(seen["url"] + "unreached/")
        seen["unreached"] = page.locator("#unreached li").count()
        page.locator(f"#household-{neighbour.pk} button").click()
        page.wait_for_selector(".alert-success")
        seen["left"] = page.locator("#unreached").inner_text()
        seen["phone_width"] = page.evaluate("document.documentElement.scrollWidth")
        context.close()

    in_browser(publish)
    assert seen["state"] == "已发布"
    assert "0 / 2" in seen["before"]
    in_browser(resident_confirms)
    assert "周六全员核酸" in seen["block"] and "请确认" in seen["block"]
    assert seen["other"] == 0 and seen["width"] <= 360
    notice = Notice.objects.get()
    assert NoticeRead.objects.get(notice=notice).confirmed_at is not None
    in_browser(counts)
    assert "1 / 2" in seen["after"] and seen["confirmed"] == "1"
    in_browser(worker_tells)
    assert seen["unreached"] == 1
    assert "所有户都已触达" in seen["left"] and seen["phone_width"] <= 360

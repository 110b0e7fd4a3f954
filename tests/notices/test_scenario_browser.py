"""What issue 19's scenario (tests/sweeps/test_scenario_browser.py: publishing on the page, the
notice on a resident's portal, its count going up) does not cover, in Chromium: the resident
confirms; the confirmation is counted; a resident of grid B sees nothing; grid A's worker, on a
360-px phone, marks the other household told in person."""

import pytest
from django.urls import reverse

from fangyi.notices import services
from fangyi.notices.models import NoticeRead
from fangyi.regions.services import refresh_counts
from tests.browser import PHONE, resident_session_cookie, session_cookie
from tests.factories import HouseholdFactory, PersonFactory
from tests.notices.support import reach_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "周六全员核酸"


def test_a_resident_confirms_the_other_grid_sees_nothing_and_a_worker_tells_in_person(
    city, officer, worker_a, live_server, in_browser
):
    neighbour = HouseholdFactory(building=city.building_a, room="102")
    PersonFactory(household=neighbour, phone="")
    refresh_counts()
    notice = services.create_notice(
        actor=officer,
        title=TITLE,
        body="周六 8:00 起在小区广场采样，请携带身份证。",
        regions=[city.grid_a],
        ask_confirm=True,
    )
    services.publish_notice(actor=officer, notice=notice)
    url = live_server.url + reverse("notices:detail", args=[notice.pk])
    cookies = {
        "resident": resident_session_cookie(city.person_a, live_server),
        "other": resident_session_cookie(city.person_b, live_server),
        "worker": session_cookie(worker_a, live_server),
    }
    seen: dict = {}

    def open_as(browser, who: str):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(30_000)
        context.add_cookies([cookies[who]])
        return context, context.new_page()

    def resident_confirms(browser):
        context, page = open_as(browser, "resident")
        page.goto(f"{live_server.url}/me/")
        page.locator("#notices-block").get_by_text(TITLE).click()
        page.locator("#confirm-notice").click()
        page.wait_for_selector("#confirmed")
        seen["width"] = page.evaluate("document.documentElement.scrollWidth")
        context.close()
        context, page = open_as(browser, "other")
        page.goto(f"{live_server.url}/me/")
        seen["other"] = page.locator("#notices-block").count()
        context.close()

    def worker_tells(browser):
        context, page = open_as(browser, "worker")
        page.goto(url + "unreached/")
        seen["unreached"] = page.locator("#unreached li").count()
        page.locator(f"#household-{neighbour.pk} button").click()
        page.wait_for_selector(".alert-success")
        seen["left"] = page.locator("#unreached").inner_text()
        seen["phone_width"] = page.evaluate("document.documentElement.scrollWidth")
        context.close()

    in_browser(resident_confirms)
    assert seen["other"] == 0 and seen["width"] <= PHONE["width"]
    assert NoticeRead.objects.get(notice=notice).confirmed_at is not None
    reach = in_browser(reach_of, url, session_cookie(officer, live_server))
    assert "1 / 2" in reach["total"] and reach["confirmed"] == "1"
    in_browser(worker_tells)
    assert seen["unreached"] == 1
    assert "所有户都已触达" in seen["left"] and seen["phone_width"] <= PHONE["width"]

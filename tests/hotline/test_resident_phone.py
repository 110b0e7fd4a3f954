"""On a 360-px phone: a resident goes from the portal's first screen to the hotline page,
asks for psychological help, and sees the ticket's number and time limit; neither page
scrolls sideways."""

import pytest

from fangyi.hotline.models import Ticket
from tests.browser import resident_session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_a_resident_asks_for_psychological_help_on_a_phone(city, hotline, live_server, in_browser):
    cookie = resident_session_cookie(city.person_a, live_server)

    def ask(browser):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_server.url}/me/")
        widths = [page.evaluate("document.documentElement.scrollWidth")]
        page.locator("#hotline-link").click()
        page.wait_for_load_state()
        widths.append(page.evaluate("document.documentElement.scrollWidth"))
        page.select_option("#id_category", "psychological")
        page.fill("#id_description", "隔离在家第十天，整夜睡不着，心里很慌")
        page.locator("#ticket-form button[type=submit]").click()
        page.wait_for_load_state()
        shown = (
            page.locator("#filed-number").inner_text(),
            page.locator("#filed-due").inner_text(),
            page.locator("#my-tickets > li").count(),
        )
        widths.append(page.evaluate("document.documentElement.scrollWidth"))
        context.close()
        return widths, shown

    widths, (number, due, rows) = in_browser(ask)
    ticket = Ticket.objects.get()
    assert ticket.category.code == "psychological" and ticket.unit == hotline.health
    assert ticket.number in number and "办理时限" in due
    assert rows == 1
    assert widths == [PHONE["width"]] * 3

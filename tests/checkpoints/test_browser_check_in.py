"""A resident's phone (360 px) opens a printed place code's link: the colour fills the screen
and the clock ticks, so a guard can tell the page from a screenshot."""

from importlib import import_module
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from fangyi.checkpoints import services
from fangyi.checkpoints.models import CheckIn
from fangyi.portal.auth import SESSION_KEY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def _resident_session(person) -> str:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(person.pk)
    store.create()
    return store.session_key


def test_the_colour_fills_a_phone_screen_and_the_clock_ticks(
    city, venue_a, worker_a, live_server, in_browser
):
    code = services.place_code(user=worker_a, venue=venue_a)
    link = services.check_in_link(origin=live_server.url, text=code.text)
    session_key = _resident_session(city.person_a)

    def check_in(browser):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(10_000)
        host = urlsplit(live_server.url).hostname
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_key,
                    "domain": host,
                    "path": "/",
                }
            ]
        )
        page = context.new_page()
        page.goto(link)
        band = page.locator("main.checkin-band").bounding_box()
        colour = page.evaluate("getComputedStyle(document.body).backgroundColor")
        clock = page.locator("[data-clock]")
        first = clock.get_attribute("datetime")
        page.wait_for_function(
            "first => document.querySelector('[data-clock]').getAttribute('datetime') !== first",
            arg=first,
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        text = page.locator("body").inner_text()
        context.close()
        return band, colour, width, text

    band, colour, width, text = in_browser(check_in)
    assert band["width"] >= PHONE["width"] - 1 and band["height"] >= PHONE["height"] - 1
    assert colour == "rgb(25, 135, 84)"
    assert width <= PHONE["width"]
    assert "绿码" in text and "王*明" in text and "三坊超市" in text
    assert CheckIn.objects.filter(person=city.person_a, venue=venue_a).count() == 1

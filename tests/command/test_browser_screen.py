"""A commander opens the screen (on a wall at 1920 px and on a phone), sees the charts drawn,
clicks "found in the community" and reaches the two people behind it."""

import pytest

from fangyi.command import services
from tests.browser import session_cookie, wait_until

from .support import beijing, counted_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WALL = {"width": 1920, "height": 1080}
PHONE = {"width": 360, "height": 740}


def test_community_cases_open_the_two_people_behind_them(
    city, superuser, commander, live_server, in_browser
):
    day = counted_day(city, superuser)
    services.take_snapshot(day=day.day, now=beijing(day.day, 23))
    cookie = session_cookie(commander, live_server)
    screen = f"{live_server.url}/command/?region={city.community.code}&date={day.day.isoformat()}"

    def click_through(browser):
        found = {}
        for name, size in (("phone", PHONE), ("wall", WALL)):
            context = browser.new_context(viewport=size, locale="zh-CN")
            context.set_default_timeout(30_000)
            context.add_cookies([cookie])
            page = context.new_page()
            page.goto(screen)
            wait_until(
                page,
                """() => document.querySelector('.sparkline').dataset.drawn === 'true'
                    && document.getElementById('region-map').dataset.drawn === 'true'""",
                timeout=30,
            )
            found[name] = {
                "width": page.evaluate("document.documentElement.scrollWidth"),
                "community": page.locator("#figure-cases\\.community .figure-value").inner_text(),
            }
            if name == "wall":
                page.locator("#figure-cases\\.community").click()
                page.wait_for_url("**/investigations/**")
                found["people"] = page.locator("#found-cases a").evaluate_all(
                    "links => links.map(link => link.getAttribute('href'))"
                )
            context.close()
        return found

    found = in_browser(click_through)
    assert found["phone"]["width"] <= PHONE["width"], found
    assert found["wall"]["width"] <= WALL["width"], found
    assert found["wall"]["community"] == "2"
    assert sorted(found["people"]) == sorted(f"/people/{p.pk}/" for p in day.community_cases)

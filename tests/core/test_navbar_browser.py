"""The navigation bar of an administrator, who sees every link, fits one row of a 1280-px
screen in both languages, without the page scrolling sideways."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from ..browser import session_cookie
from ..factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every item of the bar (the brand, each link or dropdown, the language and logout controls)
# overlaps every other vertically: they stand in one row; and the bar is no taller than the
# brand and its padding, so no label wraps onto a second line either.
ONE_ROW = """() => {
  const items = [
    document.querySelector('.navbar-brand'),
    ...document.querySelectorAll('#main-nav > .navbar-nav > .nav-item'),
    document.querySelector('#main-nav > div'),
  ];
  const boxes = items.map((item) => item.getBoundingClientRect());
  const bar = document.querySelector('nav.navbar').getBoundingClientRect();
  return {
    barHeight: bar.height,
    brandHeight: boxes[0].height,
    items: items.length,
    oneRow: Math.max(...boxes.map((b) => b.top)) < Math.min(...boxes.map((b) => b.bottom)),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    toggler: getComputedStyle(document.querySelector('.navbar-toggler')).display,
  };
}"""


def _measure(browser, cookies, urls, language):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies(cookies)
    page = context.new_page()
    try:
        measured = {}
        for url in urls:
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == language
            measured[url] = page.evaluate(ONE_ROW)
        return measured
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_admins_navbar_is_one_row_at_1280_px(in_browser, live_server, city, language):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    session = session_cookie(admin, live_server)
    cookies = [
        session,
        {
            "name": settings.LANGUAGE_COOKIE_NAME,
            "value": language,
            "domain": urlsplit(live_server.url).hostname,
            "path": "/",
        },
    ]
    urls = [f"{live_server.url}{reverse(name)}" for name in ("core:home", "people:person-list")]
    for url, seen in in_browser(_measure, cookies, urls, language).items():
        assert seen["toggler"] == "none", url
        assert seen["items"] >= 9, (url, seen)
        assert seen["oneRow"], (url, seen)
        assert seen["barHeight"] <= seen["brandHeight"] + 2 * 8 + 4, (url, seen)
        assert seen["scrollWidth"] <= seen["innerWidth"], (url, seen)

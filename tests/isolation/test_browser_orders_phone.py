"""The isolation pages fit a 360-px phone: no sideways scrolling on the queue, an order, the
due list and a site's rooms grid; ticking a building ticks its people."""

import pytest

from tests.browser import PHONE, session_cookie
from tests.isolation.support_orders import members, proposed, results_on, site_with_rooms, started

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_pages_fit_a_phone(city, officer, live_server, in_browser):
    family = [city.person_a, *members(city.household_a, 2)]
    for person in family:
        proposed(officer, person)
    site = site_with_rooms(officer, city.community, "101-130", capacity=2)
    order = started(officer, city.person_b, site, days_ago=7.2)
    results_on(officer, order, [1, 2])
    cookie = session_cookie(officer, live_server)
    paths = [
        "/isolation/queue/",
        f"/isolation/orders/{order.pk}/",
        "/isolation/due/",
        f"/isolation/sites/{site.pk}/",
        "/isolation/sites/",
    ]

    def visit(browser):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.add_cookies([cookie])
        page = context.new_page()
        widths = {}
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
        page.goto(f"{live_server.url}/isolation/queue/")
        page.check(f"#building-{city.building_a.code}-all")
        ticked = page.locator(".order-select:checked").count()
        context.close()
        return widths, ticked

    widths, ticked = in_browser(visit)
    assert all(width <= PHONE["width"] for width in widths.values()), widths
    assert ticked == 3

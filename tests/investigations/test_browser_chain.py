"""On a 360-px phone: the investigation pages fit, the chain graph is drawn, and tapping a
contact's node opens their page."""

import pytest

from tests.browser import session_cookie

from .support import contact_of, investigator, opened

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_a_node_of_the_chain_opens_the_persons_page(city, live_server, in_browser):
    tracer = investigator(city.street)
    case = opened(city.person_a, actor=tracer)
    contact_of(case, city.person_b, actor=tracer)
    cookie = session_cookie(tracer, live_server)

    def tap_the_contact(browser):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.add_cookies([cookie])
        page = context.new_page()
        widths = {}
        for path in ("/investigations/", f"/investigations/{case.pk}/", "/investigations/chains/"):
            page.goto(f"{live_server.url}{path}")
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
        page.goto(f"{live_server.url}/investigations/chains/{case.pk}/")
        page.wait_for_function("document.getElementById('chain-graph').dataset.drawn === 'true'")
        widths["chain"] = page.evaluate("document.documentElement.scrollWidth")
        # The contact is the first node of generation 1: laid out at (200, 0).
        x, y = page.evaluate(
            """() => echarts.getInstanceByDom(document.getElementById('chain-graph'))
                .convertToPixel({seriesIndex: 0}, [200, 0])"""
        )
        box = page.locator("#chain-graph").bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_url(f"{live_server.url}/people/**")
        url = page.url
        context.close()
        return widths, url

    widths, url = in_browser(tap_the_contact)
    assert all(width <= PHONE["width"] for width in widths.values()), widths
    assert str(city.person_b.pk) in url

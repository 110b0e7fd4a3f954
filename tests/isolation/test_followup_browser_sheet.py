"""On a 360-px phone: site staff tap 正常 for one person, 异常 with a number and a symptom for
another, confirm "the rest are normal", and the batch is recorded in one submission."""

import pytest

from fangyi.isolation.models import CheckIn
from tests.browser import session_cookie
from tests.factories import PersonFactory, staff

from .followup_support import quarantine_site, room, running_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_the_phone_sheet_in_one_submission(city, live_server, in_browser):
    site = quarantine_site(city.grid_a, "一号隔离点")
    orders = [
        running_order(
            PersonFactory(household=city.household_a, name=f"测试{n}"),
            site=site,
            room=room(site, f"{n:03d}"),
        )
        for n in range(4)
    ]
    cookie = session_cookie(staff("site_staff", city.grid_a), live_server)
    unwell, tapped = orders[0], orders[1]

    def fill(browser):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_server.url}/isolation/check-ins/?slot=1")
        hidden_before = page.locator("input[type=number]").count()
        page.locator(f"label:has(input[name=s-{tapped.pk.hex}][value=ok])").click()
        page.locator(f"label:has(input[name=s-{unwell.pk.hex}][value=unwell])").click()
        page.locator(f"input[name=t-{unwell.pk.hex}]").fill("38.3")
        page.locator(f"input[name=y-{unwell.pk.hex}][value=cough]").check()
        width = page.evaluate("document.documentElement.scrollWidth")
        asked = []
        page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        page.locator("#rest-normal").click()
        page.wait_for_load_state()
        message = page.locator(".alert").first.inner_text()
        context.close()
        return hidden_before, width, asked, message

    hidden_before, width, asked, message = in_browser(fill)

    assert hidden_before == 0 and width <= PHONE["width"]
    assert asked and "正常" in asked[0]
    assert "4" in message and "1" in message
    stored = {check_in.order_id: check_in for check_in in CheckIn.objects.all()}
    assert set(stored) == {order.pk for order in orders}
    assert stored[unwell.pk].fever and stored[unwell.pk].symptoms == ["cough"]
    assert str(stored[unwell.pk].temperature) == "38.3"

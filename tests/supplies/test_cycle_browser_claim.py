"""On two volunteers' phones: a priority household's medicine is in the morning's batch; its
delivery heads the grid's pool; both volunteers tap 我来送, the second is told someone was
quicker; the first confirms the delivery at the door and the request is delivered."""

import datetime

import pytest

from fangyi.supplies import services as supplies
from fangyi.supplies.cycle import services
from fangyi.supplies.models import Request, RequestState
from tests.browser import session_cookie
from tests.factories import PersonFactory, staff
from tests.supplies.cycle_support import accepted, cut_off_yesterday

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_one_volunteer_gets_the_insulin_the_other_is_told(
    city, officer, volunteer_a, live_server, in_browser
):
    PersonFactory(household=city.household_a, on_dialysis=True)
    insulin = accepted(
        officer,
        city.household_a,
        supplies.Draft(
            kind="medicine",
            items=[supplies.ItemInput(quantity=2, name="胰岛素笔芯", unit="支", dose="每日两次")],
            chronic_condition="糖尿病",
        ),
        at=cut_off_yesterday() - datetime.timedelta(hours=1),
    )
    services.form_due_batches()
    second = staff("volunteer", city.grid_a, username="volunteer_a2")
    cookies = [session_cookie(volunteer_a, live_server), session_cookie(second, live_server)]

    def two_phones(browser):
        pages = []
        for cookie in cookies:
            context = browser.new_context(viewport=PHONE, locale="zh-CN")
            context.set_default_timeout(10_000)
            context.add_cookies([cookie])
            page = context.new_page()
            page.goto(f"{live_server.url}/tasks/deliveries/")
            pages.append(page)
        first, late = pages
        heading = first.locator("#pool li").first.inner_text()
        first.get_by_role("button", name="我来送").first.click()
        first.wait_for_selector("#claimed li .btn-primary")
        late.get_by_role("button", name="我来送").first.click()
        refused = late.locator(".alert").first.inner_text()
        first.locator("#claimed li .btn-primary").first.click()
        first.check("input[name=confirmation][value=note]")
        first.fill("#id_note", "本人签收")
        first.get_by_role("button", name="已送达").click()
        first.wait_for_url("**/tasks/deliveries/")
        width = first.evaluate("document.documentElement.scrollWidth")
        return heading, refused, width

    heading, refused, width = in_browser(two_phones)
    assert "【优先】" in heading and "胰岛素笔芯" in heading
    assert "手慢了" in refused
    assert width <= PHONE["width"]
    request = Request.objects.get(pk=insulin.pk)
    assert request.state == RequestState.DELIVERED and request.confirmation_note == "本人签收"

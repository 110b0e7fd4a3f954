"""The driver's pages fit a 360-px phone: no sideways scrolling on their batches, a batch's
pickup list under way, or the officer's new-batch form; "接到" is one tap, and "到达" waits for
the confirmation tick."""

import pytest

from fangyi.isolation.models import PassengerState, TransferState
from fangyi.isolation.transfer import services
from tests.browser import PHONE, session_cookie
from tests.isolation.support_orders import members
from tests.isolation.transfer_support import driver, planned

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_driver_works_a_batch_on_a_phone(city, officer, live_server, in_browser):
    chauffeur = driver(city.street)
    family = [city.person_a, *members(city.household_a, 2)]
    batch = planned(officer, city, family, driven_by=chauffeur)
    services.depart(actor=chauffeur, batch=batch)
    first = batch.passengers.order_by("pk").first()
    driving, planning = session_cookie(chauffeur, live_server), session_cookie(officer, live_server)

    def visit(browser):
        widths = {}
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.add_cookies([driving])
        page = context.new_page()
        for path in ["/isolation/transfers/", f"/isolation/transfers/{batch.pk}/"]:
            page.goto(f"{live_server.url}{path}")
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
        page.locator(f"#passenger-{first.pk} button.btn-success").click()
        page.wait_for_load_state()
        page.locator("#arrive-form button[type=submit]").click()
        context.close()
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.add_cookies([planning])
        page = context.new_page()
        path = f"/isolation/transfers/new/?building={city.building_b.code}"
        page.goto(f"{live_server.url}{path}")
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
        context.close()
        return widths

    widths = in_browser(visit)
    assert all(width <= PHONE["width"] for width in widths.values()), widths
    first.refresh_from_db()
    batch.refresh_from_db()
    assert first.state == PassengerState.PICKED_UP
    assert batch.state == TransferState.UNDER_WAY, "the unticked confirmation held the arrival"

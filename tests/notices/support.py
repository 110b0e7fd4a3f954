"""What the notices tests share: an SMS backend that records what it is given and fails for
the numbers it is told to, the hand-counted neighbourhood of test_counts and others, and the
steps of the browser scenarios."""

from types import SimpleNamespace

from fangyi.notices import services
from fangyi.notices.models import PortalResident
from fangyi.regions.services import refresh_counts
from tests.browser import PHONE
from tests.factories import HouseholdFactory, PersonFactory


class RecordingSms:
    """Keeps (phone, message) of each send; raises for the numbers in `failing`."""

    sent: list[tuple[str, str]] = []
    failing: set[str] = set()

    def send(self, phone: str, message: str) -> None:
        if phone in self.failing:
            raise ConnectionError("gateway refused")
        self.sent.append((phone, message))


def reset_sms() -> None:
    RecordingSms.sent = []
    RecordingSms.failing = set()


def neighbourhood(city) -> SimpleNamespace:
    """Four households in the city's two grids, counted by hand:

    grid A, building A: household A (person A, 13800000001; a child without a phone),
                        household C (C1, 13800000003; C2, 13800000004, away)
    grid B, building B: household B (person B, 13900000002),
                        household D (D1, 13900000005, who has logged in to the portal)
    """
    child = PersonFactory(household=city.household_a, name="王小宝", phone="")
    household_c = HouseholdFactory(building=city.building_a, room="102")
    c1 = PersonFactory(household=household_c, name="陈一", phone="13800000003")
    c2 = PersonFactory(
        household=household_c, name="陈二", phone="13800000004", residence_status="away"
    )
    household_d = HouseholdFactory(building=city.building_b, room="203")
    d1 = PersonFactory(household=household_d, name="邓一", phone="13900000005")
    services.remember_portal_resident(d1)
    refresh_counts()
    for region in (city.community, city.grid_a, city.grid_b, city.building_a, city.building_b):
        region.refresh_from_db()
    assert PortalResident.objects.count() == 1
    return SimpleNamespace(
        child=child, household_c=household_c, c1=c1, c2=c2, household_d=household_d, d1=d1
    )


# Steps of the browser scenarios, each run by `in_browser(step, ...)` in Chromium's thread.

DESK = {"width": 1280, "height": 900}


def _context(browser, cookie, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(30_000)
    context.add_cookies([cookie])
    return context, context.new_page()


def publish_on_page(browser, url, cookie, title: str, body: str, region_code: str) -> dict:
    """The officer drafts a notice asking for a confirmation and publishes it, ticking the
    confirmation; answers the notice's page URL, its state and its reach then."""
    context, page = _context(browser, cookie, DESK)
    page.goto(f"{url}/notices/new/")
    page.fill("#id_title", title)
    page.fill("#id_body", body)
    page.fill("#id_regions", region_code)
    page.check("#id_ask_confirm")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#publish-form")
    page.check("#publish-confirm")
    page.locator("#publish-form button[type=submit]").click()
    page.wait_for_selector("#withdraw-form")
    shown = {
        "url": page.url,
        "state": page.locator("#notice-state").inner_text(),
        "reach": page.locator("#reach-total").inner_text(),
    }
    context.close()
    return shown


def resident_opens(browser, url, cookie, title: str) -> dict:
    """A resident's first screen on the portal at 360 px, and the notice `title` opened from it."""
    context, page = _context(browser, cookie, PHONE)
    page.goto(f"{url}/me/")
    block = page.locator("#notices-block")
    shown = {"block": block.inner_text()}
    block.get_by_text(title).click()
    page.wait_for_selector("#confirm-notice")
    shown["width"] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    return shown


def reach_of(browser, notice_url, cookie) -> dict:
    """The notice's reach on its staff page: the totals row and the confirmations."""
    context, page = _context(browser, cookie, DESK)
    page.goto(notice_url)
    shown = {"total": page.locator("#reach-total").inner_text()}
    confirmed = page.locator("#reach-confirmed")
    shown["confirmed"] = confirmed.inner_text() if confirmed.count() else ""
    context.close()
    return shown

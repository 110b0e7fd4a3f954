"""Issue 19's sweep story in Chromium at 360 px: an officer starts a sweep of a grid; the grid
leader gives its building to a worker; the worker opens the sheet, the network is cut, three
households are recorded (one confirmed, one with a newcomer back from a high-risk area, one
door not answered); the network returns and the visits upload; the newcomer is in the registry,
yellow or red by the plan, and proposed for an order; coverage shows 2 of 4 visited."""

import datetime

import pytest
from django.utils import timezone

from fangyi.health.models import Status
from fangyi.isolation.models import Order, OrderState
from fangyi.people.models import Person
from fangyi.sweeps import services
from fangyi.sweeps.models import Sweep, Visit
from tests.browser import PHONE, session_cookie, wait_until
from tests.factories import HouseholdFactory, PersonFactory, resident_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEWCOMER_ID = resident_id(datetime.date(1992, 8, 9))
BEIJING = "Asia/Shanghai"


def _local(delta: datetime.timedelta) -> str:
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def start_sweep(browser, url, cookie, grid) -> dict:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id=BEIJING)
    context.set_default_timeout(60_000)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(f"{url}/sweeps/new/")
    page.fill("input[name=title]", "第一网格入户排查")
    page.fill("input[name=regions]", grid.code)
    page.fill("input[name=deadline]", _local(datetime.timedelta(days=2)))
    page.click("main button[type=submit]")
    page.wait_for_selector("#coverage-total")
    shown = {"url": page.url, "width": page.evaluate("document.documentElement.scrollWidth")}
    context.close()
    return shown


def record_offline(browser, url, cookie, sweep_id, person, newcomer_household, absent) -> dict:
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, timezone_id=BEIJING
    )
    context.set_default_timeout(60_000)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(f"{url}/sweeps/{sweep_id}/sheet/")
    page.wait_for_selector("#sheet-app[data-ready='1']")
    page.wait_for_selector("#households li")
    stored = page.locator("#stored-households").inner_text()
    context.set_offline(True)

    # The household whose resident is here: confirmed as the ledger has them.
    page.click(f"#households li[data-household='{person.household_id}']")
    page.wait_for_selector(f"#members .member[data-person='{person.pk}']")
    page.click("#save-visit")
    page.wait_for_selector("#visit-form", state="hidden")

    # A newcomer back from a high-risk area yesterday.
    page.click(f"#households li[data-household='{newcomer_household.pk}']")
    page.click("#add-newcomer")
    page.fill("#newcomers .newcomer-name", "赵新来")
    page.fill("#newcomers .newcomer-id", NEWCOMER_ID)
    page.click("#add-arrival")
    page.select_option("#arrivals select.who", "new:0")
    page.fill("#arrivals .arrival-from", "上海市浦东新区")
    page.select_option("#arrivals .arrival-risk", "high")
    page.fill("#arrivals .arrival-at", _local(-datetime.timedelta(days=1)))
    width_in_form = page.evaluate("document.documentElement.scrollWidth")
    page.click("#save-visit")
    page.wait_for_selector("#visit-form", state="hidden")

    # Nobody answers the third door.
    page.click(f"#households li[data-household='{absent.pk}']")
    page.click("#not-answered")
    page.wait_for_selector("#visit-form", state="hidden")
    offline = {
        "queued": page.locator("#queue-count").inner_text(),
        "status": page.locator("#network-status").inner_text(),
    }
    context.set_offline(False)
    page.click("#upload-now")
    wait_until(page, "() => document.getElementById('queue-count').textContent === '0'")
    shown = {
        "stored": stored,
        "offline": offline,
        "width": max(width_in_form, page.evaluate("document.documentElement.scrollWidth")),
        "note": page.locator("#upload-note").inner_text(),
    }
    context.close()
    return shown


def read_coverage(browser, detail_url, cookie) -> str:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(detail_url)
    shown = page.locator("#visited-of").inner_text()
    context.close()
    return shown


def test_a_sweep_from_start_to_coverage_with_the_network_cut(
    in_browser, live_server, city, officer, leader_a, worker_a
):
    newcomer_household = HouseholdFactory(building=city.building_a, room="102")
    PersonFactory(household=newcomer_household)
    absent = HouseholdFactory(building=city.building_a, room="103")
    HouseholdFactory(building=city.building_a, room="104")

    started = in_browser(
        start_sweep, live_server.url, session_cookie(officer, live_server), city.grid_a
    )
    assert started["width"] <= PHONE["width"]
    sweep = Sweep.objects.get()
    assert sweep.household_count == 4
    services.assign_building(
        actor=leader_a, sweep=sweep, building=city.building_a, assignee=worker_a
    )

    shown = in_browser(
        record_offline,
        live_server.url,
        session_cookie(worker_a, live_server),
        sweep.pk,
        city.person_a,
        newcomer_household,
        absent,
    )
    assert shown["stored"] == "4"
    assert shown["offline"]["queued"] == "3"
    assert "离线" in shown["offline"]["status"]
    assert shown["width"] <= PHONE["width"]
    assert Visit.objects.filter(sweep=sweep).count() == 3

    newcomer = Person.objects.get(id_number=NEWCOMER_ID)
    assert newcomer.household_id == newcomer_household.pk
    assert Status.objects.get(person=newcomer).colour in ("yellow", "red")
    assert Order.objects.get(person=newcomer).state == OrderState.TO_PLACE

    assert in_browser(
        read_coverage, started["url"], session_cookie(officer, live_server)
    ).startswith("2 / 4")

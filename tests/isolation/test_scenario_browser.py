"""The whole of issue 15 in one story, in Chromium, each step on the page its user works on:
a positive case is investigated, one registered contact is linked and one unregistered contact
is located; both turn red and wait to be placed; the officer places them in a site's rooms;
one reports a fever on the resident portal and the officer sees the alert; on the seventh day
the order is ready and released, home monitoring starts by itself, and the printed release
certificate verifies on the checkpoint page with the network cut."""

import datetime

import pytest
from django.utils import timezone

from fangyi.fieldwork.models import Task, TaskKind
from fangyi.health import services as health
from fangyi.health.models import Status
from fangyi.investigations.models import Contact
from fangyi.isolation.models import CheckIn, Order, OrderState
from fangyi.people.models import Person
from tests.browser import (
    PHONE,
    ask_for_code,
    go_offline_and_reload,
    open_scan_page,
    scan,
    session_cookie,
)
from tests.factories import HouseholdFactory, PersonFactory, staff
from tests.portal.support import last_code

from .documents_support import read
from .support_orders import age, results_on, site_with_rooms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCATED_ID = "350102199001011234"


def _moment(hours_ago: float) -> str:
    at = timezone.localtime(timezone.now() - datetime.timedelta(hours=hours_ago))
    return at.strftime("%Y-%m-%dT%H:%M")


def investigate(browser, url, cookie, case, person_a, grid_b) -> str:
    """The officer opens the case's investigation and records the two contacts."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(15_000)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(f"{url}/investigations/")
    page.fill("#open-form input[name=id_number]", case.id_number)
    page.click("#open-form button[type=submit]")
    page.wait_for_selector("#contact-form")
    detail = page.url
    page.fill("#contact-form input[name=id_number]", person_a.id_number)
    page.select_option("#contact-form select[name=category]", "close")
    page.fill("#contact-form input[name=exposure_at]", _moment(20))
    page.click("#contact-form button[type=submit]")
    page.wait_for_selector("#contacts li[data-state=linked]")
    page.fill("#contact-form input[name=name]", "陈某某")
    page.fill("#contact-form input[name=phone]", "13700000003")
    page.fill("#contact-form input[name=address]", "2号楼 3 单元 301")
    page.fill("#contact-form input[name=region]", grid_b.code)
    page.select_option("#contact-form select[name=category]", "close")
    page.fill("#contact-form input[name=exposure_at]", _moment(20))
    page.click("#contact-form button[type=submit]")
    page.wait_for_selector("#contacts li[data-state=to_locate]")
    listed = page.locator("#contacts").inner_text()
    context.close()
    return detail, listed


def found(browser, detail, cookie) -> str:
    """The grid worker has registered the contact; the officer links them."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(15_000)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(detail)
    page.fill("#contacts li[data-state=to_locate] input[name=id_number]", LOCATED_ID)
    page.click("#contacts li[data-state=to_locate] button[type=submit]")
    page.wait_for_selector("#contacts li[data-state=to_locate]", state="detached")
    listed = page.locator("#contacts").inner_text()
    context.close()
    return listed


def place(browser, url, cookie, buildings, site) -> tuple[str, str]:
    """The officer ticks both buildings in the queue and places everyone at the site."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(15_000)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(f"{url}/isolation/queue/")
    queue = page.locator("#queue-form").inner_text()
    for building in buildings:
        page.check(f"#building-{building.code}-all")
    page.select_option("#queue-form select[name=site]", str(site.pk))
    page.click("#queue-form button[value=place]")
    page.wait_for_url(f"{url}/isolation/queue/")
    after = page.locator("main").inner_text()
    context.close()
    return queue, after


def report_fever(browser, url, sms_file) -> str:
    """王小明 logs in on the portal with a one-time code and reports 38.5 °C."""
    page = ask_for_code(browser, url)
    page.fill("input[name=code]", last_code(sms_file, "13800000001"))
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#my-code[data-colour]")
    page.goto(f"{url}/me/check-in/")
    page.fill("input[name=temperature]", "38.5")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#check-in-today")
    shown = page.locator("main").inner_text()
    page.context.close()
    return shown


def alerts(browser, url, cookie) -> str:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(f"{url}/isolation/check-ins/alerts/")
    shown = page.locator("#alerts").inner_text()
    context.close()
    return shown


def release(browser, url, cookie, order) -> tuple[str, bytes]:
    """On the due list the ready order is ticked; the officer confirms, then prints."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(15_000)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(f"{url}/isolation/due/")
    due = page.locator(f"#order-{order.pk}").inner_text()
    assert page.is_checked(f"#order-{order.pk} input[name=order]")
    page.check("#release-form input[name=confirm]")
    page.click("#release-form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{url}/isolation/orders/{order.pk}/")
    page.wait_for_selector("#documents a")
    href = page.locator("#documents a").get_attribute("href")
    pdf = page.request.get(f"{url}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    context.close()
    return due, body


def test_from_a_positive_case_to_a_release_certificate_checked_offline(
    in_browser, live_server, city, officer, settings, tmp_path
):
    settings.FANGYI_SMS_BACKEND = "file"
    settings.FANGYI_SMS_FILE = str(tmp_path / "sms.jsonl")
    case = PersonFactory(household=HouseholdFactory(building=city.building_a, room="909"))
    health.record_fact(
        actor=officer,
        source="lab",
        person=case,
        kind="test_result",
        outcome="positive",
        variant="single",
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
    )
    site = site_with_rooms(officer, city.community)
    cookie = session_cookie(officer, live_server)

    # The investigation lists two contacts: one linked, one to locate by the grid.
    detail, listed = in_browser(
        investigate, live_server.url, cookie, case, city.person_a, city.grid_b
    )
    assert "王*明" in listed and "陈*某" in listed
    assert Task.objects.filter(kind=TaskKind.LOCATE_CONTACT, region=city.grid_b).count() == 1

    # Found: the grid worker registers them, the officer links them on the investigation.
    located = PersonFactory(
        household=HouseholdFactory(building=city.building_b, room="301"),
        name="陈某某",
        id_number=LOCATED_ID,
        phone="13700000003",
    )
    assert "陈*某" in in_browser(found, detail, cookie)
    assert Contact.objects.filter(person=located).exists()

    # Both turn red and wait to be placed.
    for person in (city.person_a, located):
        assert Status.objects.get(person=person).colour == "red"
    waiting = Order.objects.filter(state=OrderState.TO_PLACE)
    assert set(waiting.values_list("person", flat=True)) == {city.person_a.pk, located.pk}

    queue, after = in_browser(
        place, live_server.url, cookie, [city.building_a, city.building_b], site
    )
    assert "王*明" in queue and "陈*某" in queue
    assert "已将 2 人安置到" in after
    placed = {order.person_id: order for order in Order.objects.filter(state=OrderState.ACTIVE)}
    assert set(placed) == {city.person_a.pk, located.pk}
    assert placed[city.person_a.pk].room != placed[located.pk].room
    assert {order.room.site for order in placed.values()} == {site}

    # A fever on the portal; the officer sees the alert.
    shown = in_browser(report_fever, live_server.url, tmp_path / "sms.jsonl")
    assert "38.5" in shown
    assert "王*明" in in_browser(alerts, live_server.url, cookie)

    # The seventh day: every test day negative, the fever three days behind.
    order = age(placed[city.person_a.pk], days_ago=7.1)
    results_on(officer, order, order.test_days)
    fever = CheckIn.objects.get(order=order)
    CheckIn.objects.filter(pk=fever.pk).update(
        reported_at=timezone.now() - datetime.timedelta(days=3),
        day=timezone.localdate() - datetime.timedelta(days=3),
    )
    due, pdf = in_browser(release, live_server.url, cookie, order)
    assert "可解除" in due
    order.refresh_from_db()
    assert order.state == OrderState.RELEASED
    (monitoring,) = order.next_stages.all()
    assert monitoring.kind == "home_monitoring" and monitoring.state == OrderState.ACTIVE

    # The certificate, checked at a checkpoint with the network cut.
    pages, codes = read(pdf)
    assert "王*明" in pages[0]
    guard = staff("checkpoint", city.grid_a, username="guard_a")
    page = in_browser(open_scan_page, live_server.url, guard.username)
    assert in_browser(go_offline_and_reload, page)["from_service_worker"]
    verdict = in_browser(scan, page, codes[0])
    assert verdict["result"] == "valid"
    assert "解除隔离证明 有效" in verdict["text"] and "王*明" in verdict["text"]
    assert Person.objects.get(pk=city.person_a.pk).isolation_orders.count() == 2

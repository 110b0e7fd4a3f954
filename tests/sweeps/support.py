"""What the sweeps tests share: starting a sweep over regions, visits as a phone sends them, and
the steps of issue 19's browser scenario."""

import datetime
import uuid

from django.utils import timezone

from fangyi.sweeps import services
from tests.browser import PHONE, wait_until
from tests.support import later


def start(actor, *regions, title: str = "全员排查", sections=None):
    return services.start_sweep(
        actor=actor, title=title, regions=list(regions), deadline=later(days=2), sections=sections
    )


def visit(household, *, outcome: str = "answered", answers=None, at=None, pk=None):
    return services.VisitInput(
        id=pk or uuid.uuid4(),
        household_id=household.pk,
        visited_at=at or timezone.now() - datetime.timedelta(minutes=1),
        outcome=outcome,
        answers=answers or {},
    )


def upload(actor, sweep, *visits):
    return services.upload_visits(actor=actor, sweep=sweep, items=list(visits))


# Steps of the browser scenario, each run by `in_browser(step, ...)` in Chromium's thread.

BEIJING = "Asia/Shanghai"


def local_time(delta: datetime.timedelta) -> str:
    """A datetime-local input's value, `delta` from now."""
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def start_on_page(browser, url, cookie, grid) -> dict:
    """The officer starts a sweep of `grid` from the form, on a phone; answers the sweep's
    page URL and the page's width."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id=BEIJING)
    context.set_default_timeout(60_000)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(f"{url}/sweeps/new/")
    page.fill("input[name=title]", "第一网格入户排查")
    page.fill("input[name=regions]", grid.code)
    page.fill("input[name=deadline]", local_time(datetime.timedelta(days=2)))
    page.click("main button[type=submit]")
    page.wait_for_selector("#coverage-total")
    shown = {"url": page.url, "width": page.evaluate("document.documentElement.scrollWidth")}
    context.close()
    return shown


def sheet_on_phone(browser, url, cookie, sweep_id):
    """The worker's sheet opened at 360 px in Beijing time, its households listed."""
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, timezone_id=BEIJING
    )
    context.set_default_timeout(60_000)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(f"{url}/sweeps/{sweep_id}/sheet/")
    page.wait_for_selector("#sheet-app[data-ready='1']")
    page.wait_for_selector("#households li")
    return page


def record_offline(
    browser, url, cookie, sweep_id, person, newcomer_household, newcomer_id, absent
) -> dict:
    """The worker opens the sheet at 360 px, the network is cut, three households are
    recorded (`person` confirmed, a newcomer back from a high-risk area, a door not answered),
    the network returns and the queue uploads."""
    page = sheet_on_phone(browser, url, cookie, sweep_id)
    context = page.context
    stored = page.locator("#stored-households").inner_text()
    context.set_offline(True)

    page.click(f"#households li[data-household='{person.household_id}']")
    page.wait_for_selector(f"#members .member[data-person='{person.pk}']")
    page.click("#save-visit")
    page.wait_for_selector("#visit-form", state="hidden")

    page.click(f"#households li[data-household='{newcomer_household.pk}']")
    page.click("#add-newcomer")
    page.fill("#newcomers .newcomer-name", "赵新来")
    page.fill("#newcomers .newcomer-id", newcomer_id)
    page.click("#add-arrival")
    page.select_option("#arrivals select.who", "new:0")
    page.fill("#arrivals .arrival-from", "上海市浦东新区")
    page.select_option("#arrivals .arrival-risk", "high")
    page.fill("#arrivals .arrival-at", local_time(-datetime.timedelta(days=1)))
    width_in_form = page.evaluate("document.documentElement.scrollWidth")
    page.click("#save-visit")
    page.wait_for_selector("#visit-form", state="hidden")

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
    """What the sweep's page says of households visited / to visit."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(detail_url)
    shown = page.locator("#visited-of").inner_text()
    context.close()
    return shown


def queue_two_offline(browser, url, cookie, sweep_id, person, absent):
    """The worker opens the sheet at 360 px, the network is cut, and two visits wait on the
    phone: `person` confirmed at home, and `absent`'s door not answered. Answers the page,
    left open for `upload_with_one_refused`."""
    page = sheet_on_phone(browser, url, cookie, sweep_id)
    page.context.set_offline(True)
    page.click(f"#households li[data-household='{person.household_id}']")
    page.wait_for_selector(f"#members .member[data-person='{person.pk}']")
    page.click("#save-visit")
    page.wait_for_selector("#visit-form", state="hidden")
    page.click(f"#households li[data-household='{absent.pk}']")
    page.click("#not-answered")
    page.wait_for_selector("#visit-form", state="hidden")
    return page


def upload_with_one_refused(_browser, page, household) -> dict:
    """The network returns and the queue uploads: one visit is set aside with the server's
    reason. The page is opened again (it is still on the phone), then the worker removes it."""
    page.context.set_offline(False)
    page.click("#upload-now")
    wait_until(
        page,
        """() => document.getElementById('queue-count').textContent === '0'
            && document.getElementById('set-aside-count').textContent === '1'""",
    )
    page.reload()
    page.wait_for_selector("#sheet-app[data-ready='1']")
    item = page.locator("#set-aside-list .set-aside-visit")
    item.wait_for()
    shown = {
        "counts": [
            page.locator(f"#{name}").inner_text() for name in ("queue-count", "set-aside-count")
        ],
        "address": item.locator(".set-aside-address").inner_text(),
        "reasons": item.locator(".set-aside-reasons li").all_inner_texts(),
        "household": page.locator(f"#households li[data-household='{household.pk}']").inner_text(),
        "width": page.evaluate("document.documentElement.scrollWidth"),
    }
    page.once("dialog", lambda dialog: dialog.accept())
    item.locator(".set-aside-remove").click()
    page.wait_for_selector("#set-aside", state="hidden")
    page.reload()
    page.wait_for_selector("#sheet-app[data-ready='1']")
    shown["after"] = {
        "set_aside": page.locator("#set-aside-count").inner_text(),
        "listed": page.locator("#set-aside-list li").count(),
        "stored": page.evaluate(
            """() => new Promise((resolve) => {
                const request = indexedDB.open("fangyi-sweeps");
                request.onsuccess = () => {
                    const all = request.result.transaction("visits").objectStore("visits").count();
                    all.onsuccess = () => resolve(all.result);
                };
            })"""
        ),
    }
    page.context.close()
    return shown

"""What browser tests share besides the `in_browser` fixture."""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

from tests.support import resident_client


def session_cookie(user, live_server) -> dict:
    """A signed-in session for `user`, as a cookie for a Playwright context."""
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "domain": urlsplit(live_server.url).hostname,
        "path": "/",
    }


def wait_until(page, expression: str, timeout: float = 10.0, every: float = 0.05):
    """Waits until `expression` (a function, async or not) answers something truthy in the
    page, and answers it. Playwright's wait_for_function does not await a promise: an async
    predicate counts as true at once, whatever it resolves to."""
    deadline = time.monotonic() + timeout
    while True:
        answer = page.evaluate(expression)
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout} s: {expression}")
        time.sleep(every)


PHONE = {"width": 360, "height": 740}
PASSWORD = "correct horse battery"


def ask_for_code(browser, url):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{url}/me/")
    page.fill("input[name=phone]", "13800000001")
    page.click("#phone-form button[type=submit]")
    page.wait_for_selector("#code-form")
    return page


def log_in(browser, page, code):
    page.fill("input[name=code]", code)
    page.click("#code-form button[type=submit]")
    card = page.locator("#my-code[data-colour]")
    card.wait_for()
    first = card.get_attribute("data-code")
    page.wait_for_function(
        "() => document.getElementById('code-countdown').textContent.trim() !== ''"
    )
    return {
        "colour": card.get_attribute("data-colour"),
        "code": first,
        "countdown": page.locator("#code-countdown").inner_text(),
        "width": page.evaluate("document.documentElement.scrollWidth"),
        "band": page.locator("#my-code .code-band").inner_text(),
    }


def open_scan_page(browser, url: str, username: str):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda address: "/login/" not in address)
    # Checkpoint staff start at the scan page; going there again would cut short the page
    # putting its files into the cache.
    if not page.url.endswith("/checkpoints/scan/"):
        page.goto(f"{url}/checkpoints/scan/")
    page.wait_for_selector("#network-status[data-state=online]")
    # The service worker is running and the page's files are in its cache.
    wait_until(
        page,
        """async () => {
            await navigator.serviceWorker.ready;
            // Activated and in charge of this page (clients.claim() has run), not only installed.
            if (!navigator.serviceWorker.controller) return false;
            const cache = await caches.open("fangyi-scan-v1");
            return (await cache.keys()).length >= 7;
        }""",
    )
    return page


def scan(_browser, page, text: str) -> dict:
    page.fill("#code-text", text)
    page.click("#verify-button")
    overlay = page.locator("#scan-result:not([hidden])")
    overlay.wait_for()
    box = overlay.bounding_box()
    found = {
        "result": overlay.get_attribute("data-result"),
        "colour": overlay.get_attribute("data-colour"),
        "text": overlay.inner_text(),
        "covers": box["width"] >= PHONE["width"] and box["height"] >= PHONE["height"] - 1,
        "fits": page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"],
    }
    overlay.click()
    page.locator("#scan-result").wait_for(state="hidden")
    found["queued"] = int(page.locator("#queue-count").inner_text())
    return found


def go_offline_and_reload(_browser, page) -> dict:
    page.context.set_offline(True)
    page.wait_for_selector("#network-status[data-state=offline]")
    response = page.reload()
    status = page.locator("#network-status[data-state=offline]")
    status.wait_for()
    return {
        "from_service_worker": response.from_service_worker,
        "status": status.inner_text(),
        "venue": page.locator("#venue").input_value(),
    }


def back_online(_browser, page) -> str:
    page.context.set_offline(False)
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'")
    return page.locator("#network-status").get_attribute("data-state")


def resident_session_cookie(person, live_server) -> dict:
    """A resident's portal session for `person`, as a cookie for a Playwright context."""
    client = resident_client(person)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "domain": urlsplit(live_server.url).hostname,
        "path": "/",
    }

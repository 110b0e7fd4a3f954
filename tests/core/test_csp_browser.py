"""The pages work under the Content-Security-Policy in real Chromium: staff pages with htmx
fragments, the checkpoint scan page with its service worker and camera, the resident's code
page. Any refusal would show as a `securitypolicyviolation` event or a console error."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.browser import PHONE, session_cookie
from tests.factories import staff
from tests.support import resident_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""

# What the camera does with each frame, without a camera: qr-scanner's decoder runs in a worker
# it makes from a blob: URL (this Chromium has no BarcodeDetector to use instead).
DECODE = """async () => {
  const app = document.getElementById("scan-app");
  const QrScanner = (await import(app.dataset.scannerUrl)).default;
  const engine = await QrScanner.createQrEngine();
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  try {
    await QrScanner.scanImage(canvas, { qrEngine: engine });
    return "decoded";
  } catch (error) {
    return `${engine instanceof Worker ? "worker" : "native"}: ${error}`;
  }
}"""


def visit(browser, url: str, cookie: dict, paths: list[str], camera: bool = False) -> dict:
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", permissions=["camera"] if camera else []
    )
    context.set_default_timeout(10_000)
    context.add_cookies([cookie])
    context.add_init_script(WATCH)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    found = {}
    try:
        for path in paths:
            response = page.goto(f"{url}{path}")
            page.wait_for_load_state("networkidle")
            if camera:
                page.click("#camera-button")
                page.wait_for_load_state("networkidle")
                found["decoder"] = page.evaluate(DECODE)
            found[path] = {
                "status": response.status,
                "csp": response.headers.get("content-security-policy", ""),
                "violations": page.evaluate("window.__violations"),
            }
        found["console"] = [
            line
            for line in console
            if line.startswith(("error", "pageerror")) or "Content Security Policy" in line
        ]
    finally:
        context.close()
    return found


def resident_cookie(person, live_server) -> dict:
    client = resident_client(person)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "domain": urlsplit(live_server.url).hostname,
        "path": "/",
    }


def assert_clean(found: dict, paths: list[str]) -> None:
    assert found["console"] == []
    for path in paths:
        assert found[path]["status"] == 200, path
        assert "script-src 'self'" in found[path]["csp"], path
        assert found[path]["violations"] == [], path


def test_staff_pages_run_under_the_policy(in_browser, live_server, city, officer):
    paths = [
        "/",
        "/people/",
        f"/people/{city.person_a.pk}/",
        f"/regions/{city.grid_a.code}/",
        "/regions/",
        "/health/zones/",
        "/health/zones/new/",
        "/ledgers/",
        "/tasks/",
        "/audit/",
        "/api/v1/docs",
    ]
    found = in_browser(visit, live_server.url, session_cookie(officer, live_server), paths)
    assert_clean(found, paths)


def test_the_scan_page_its_worker_and_camera_run_under_the_policy(in_browser, live_server, city):
    guard = staff("checkpoint", city.grid_a, username="csp_guard")
    paths = ["/checkpoints/scan/", "/checkpoints/scan/"]
    found = in_browser(visit, live_server.url, session_cookie(guard, live_server), paths, True)
    assert_clean(found, paths)
    assert found["decoder"] == "worker: No QR code found"


def test_the_residents_code_page_runs_under_the_policy(in_browser, live_server, city):
    paths = ["/me/", "/me/status/", "/me/people/"]
    found = in_browser(visit, live_server.url, resident_cookie(city.person_a, live_server), paths)
    assert_clean(found, paths)

"""Screenshots of notices in the demo city: docs/screenshots/notices-detail.png (the demo
notice to the first community, published, with its reach per grid after the SMS went out),
notices-print.png (its A4 page as the browser prints it), notices-unreached-phone.png (a grid
worker's households not reached, on a phone) and portal-notices-phone.png (the portal's first
screen of a resident of the first grid, on a phone, with the notices block).

A fresh SQLite demo city under var/bench-shots-notices (`fangyi seed --demo-staff` publishes
the notice and queues its SMS; `fangyi notices send-sms` sends them to the log backend), a
development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_notices.py
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots_common import (  # noqa: E402
    OUT,
    PASSWORD,
    PHONE,
    arguments,
    demo_city,
    fangyi,
    fits,
    resident_login,
    staff_login,
)

ADDRESS = "127.0.0.1:8769"
# An A4 sheet at the 96 dpi of CSS pixels.
A4 = {"width": 794, "height": 1123}


def resident_phone() -> str:
    """The mobile of the demo's resident of the first grid (green, their own number), who is in
    the community the demo notice is for."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
    import django

    django.setup()
    from fangyi.demo.residents import demo_resident

    resident = demo_resident()
    if resident is None:
        raise SystemExit("no resident with a mobile of their own in the demo city")
    return resident.phone


def main() -> None:
    args = arguments(__doc__)
    found = {}

    def prepare() -> None:
        fangyi("notices", "send-sms")
        # Here, before Playwright runs its event loop, where Django refuses to query.
        found["phone"] = resident_phone()

    with demo_city("notices", ADDRESS, args.chromium, prepare=prepare) as (browser, url):
        desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = staff_login(desk, url, "officer", PASSWORD)
        page.goto(f"{url}/notices/")
        page.locator("#notices a", has_text="全员核酸").first.click()
        page.wait_for_selector("#reach")
        page.screenshot(path=OUT / "notices-detail.png", full_page=True)
        detail = page.url
        page.set_viewport_size(A4)
        page.emulate_media(media="print")
        page.goto(f"{detail}print/")
        page.wait_for_selector("main.sheet h1")
        page.screenshot(path=OUT / "notices-print.png", full_page=True)
        phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        page = staff_login(phone, url, "grid_worker", PASSWORD)
        page.goto(f"{detail}unreached/")
        page.wait_for_selector("#unreached")
        fits(page)
        page.screenshot(path=OUT / "notices-unreached-phone.png", full_page=True)
        portal = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        page = portal.new_page()
        resident_login(page, url, found["phone"])
        page.wait_for_selector("#notices-block a")
        fits(page)
        page.screenshot(path=OUT / "portal-notices-phone.png", full_page=True)


if __name__ == "__main__":
    main()

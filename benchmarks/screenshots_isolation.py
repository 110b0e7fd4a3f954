"""Screenshots of isolation and investigations in the demo city: docs/screenshots/
isolation-due.png (orders due for release, ready or overdue with the reasons),
isolation-queue-phone.png (the "to place" queue by building on a phone),
isolation-site.png (a site's rooms), investigation-chain.png (a three-generation chain) and
followup-sheet-phone.png (the check-in sheet on a phone).

A fresh SQLite demo city under var/bench-shots-isolation (`fangyi seed --demo-staff` makes
the sites, orders in every state and the investigation), a development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_isolation.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots_common import (  # noqa: E402
    OUT,
    PASSWORD,
    PHONE,
    arguments,
    demo_city,
    fits,
    staff_login,
)

ADDRESS = "127.0.0.1:8766"


def main() -> None:
    args = arguments(__doc__)
    with demo_city("isolation", ADDRESS, args.chromium) as (browser, url):
        desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = staff_login(desk, url, "officer", PASSWORD)
        page.goto(f"{url}/isolation/due/")
        page.screenshot(path=OUT / "isolation-due.png", full_page=True)
        page.goto(f"{url}/isolation/sites/")
        page.click("main a[href^='/isolation/sites/']:not([href$='/new/'])")
        page.wait_for_load_state()
        page.screenshot(path=OUT / "isolation-site.png", full_page=True)
        page.goto(f"{url}/investigations/chains/")
        page.click("main a[href^='/investigations/chains/']")
        page.wait_for_selector("#chain-graph canvas")
        page.wait_for_timeout(1500)
        page.screenshot(path=OUT / "investigation-chain.png", full_page=True)
        phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        page = staff_login(phone, url, "officer", PASSWORD)
        page.goto(f"{url}/isolation/queue/")
        fits(page)
        page.screenshot(path=OUT / "isolation-queue-phone.png", full_page=True)
        page.goto(f"{url}/isolation/check-ins/?site=home")
        fits(page)
        page.screenshot(path=OUT / "followup-sheet-phone.png", full_page=True)


if __name__ == "__main__":
    main()

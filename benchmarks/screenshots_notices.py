"""Screenshots of notices in the demo city: docs/screenshots/notices-detail.png (the demo
notice to the first community, published, with its reach per grid after the SMS went out)
and notices-unreached-phone.png (a grid worker's households not reached, on a phone).

A fresh SQLite demo city under var/bench-shots-notices (`fangyi seed --demo-staff` publishes
the notice and queues its SMS; `fangyi notices send-sms` sends them to the log backend), a
development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_notices.py
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
    fangyi,
    fits,
    staff_login,
)

ADDRESS = "127.0.0.1:8769"


def main() -> None:
    args = arguments(__doc__)
    with demo_city(
        "notices", ADDRESS, args.chromium, prepare=lambda: fangyi("notices", "send-sms")
    ) as (browser, url):
        desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = staff_login(desk, url, "officer", PASSWORD)
        page.goto(f"{url}/notices/")
        page.locator("#notices a", has_text="全员核酸").first.click()
        page.wait_for_selector("#reach")
        page.screenshot(path=OUT / "notices-detail.png", full_page=True)
        detail = page.url
        phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        page = staff_login(phone, url, "grid_worker", PASSWORD)
        page.goto(f"{detail}unreached/")
        page.wait_for_selector("#unreached")
        fits(page)
        page.screenshot(path=OUT / "notices-unreached-phone.png", full_page=True)


if __name__ == "__main__":
    main()

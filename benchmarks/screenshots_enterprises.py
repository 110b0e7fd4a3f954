"""Screenshots of enterprises back at work in the demo city: docs/screenshots/
enterprises-list.png (the officer's register, two reopened), enterprises-employees.png (the
demo enterprise's employees as its account sees them: masked name, colour, zone kind, last
negative test) and enterprises-employees-phone.png (the same on a phone).

A fresh SQLite demo city under var/bench-shots-enterprises, a development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_enterprises.py
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

ADDRESS = "127.0.0.1:8771"


def main() -> None:
    args = arguments(__doc__)
    with demo_city("enterprises", ADDRESS, args.chromium) as (browser, url):
        desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page = staff_login(desk, url, "officer", PASSWORD)
        page.goto(f"{url}/enterprises/")
        page.screenshot(path=OUT / "enterprises-list.png", full_page=True)
        desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page = staff_login(desk, url, "enterprise", PASSWORD)
        page.wait_for_selector("#employees")
        page.screenshot(path=OUT / "enterprises-employees.png", full_page=True)
        phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        page = staff_login(phone, url, "enterprise", PASSWORD)
        page.wait_for_selector("#employees")
        fits(page)
        page.screenshot(path=OUT / "enterprises-employees-phone.png", full_page=True)


if __name__ == "__main__":
    main()

"""Screenshots of the shell: docs/screenshots/home-officer.png (the officer's home page with the
cards the areas declare, 1280 px), home-commander-en.png (the same in English, where the
navigation must fit one row at 1280 px), home-officer-phone.png (360 px), person-list-red.png
(the resident list filtered by colour) and task-list.png (the compact task list).

Starts nothing itself. Point it at a running fangyi that has the demo city and logins, e.g.

    FANGYI_DEBUG=1 fangyi migrate && FANGYI_DEBUG=1 fangyi seed --residents 20000 --demo-staff
    FANGYI_DEBUG=1 fangyi runserver 127.0.0.1:8000 &
    .venv/bin/python benchmarks/screenshots_house.py http://127.0.0.1:8000
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright
from screenshots_common import PHONE, fits, require_cjk_font, staff_login

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}


def one_row_navbar(page) -> None:
    height = page.evaluate("document.querySelector('nav.navbar').getBoundingClientRect().height")
    width = page.evaluate("document.documentElement.scrollWidth")
    if height > 80 or width > DESKTOP["width"]:
        raise SystemExit(f"{page.url}: navbar {height} px high, page {width} px wide")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--password", default="fangyi-demo-2026")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    require_cjk_font()
    url = args.url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        officer = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = staff_login(officer, url, "officer", args.password)
        page.goto(f"{url}/")
        one_row_navbar(page)
        page.screenshot(path=args.out / "home-officer.png", full_page=True)
        page.goto(f"{url}/people/?colour=red")
        page.screenshot(path=args.out / "person-list-red.png", full_page=True)
        page.goto(f"{url}/tasks/")
        page.screenshot(path=args.out / "task-list.png", full_page=True)

        phone = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
        phone.add_cookies(officer.cookies())
        small = phone.new_page()
        small.goto(f"{url}/")
        fits(small)
        small.screenshot(path=args.out / "home-officer-phone.png", full_page=True)

        commander = browser.new_context(viewport=DESKTOP, locale="en-GB")
        page = staff_login(commander, url, "commander", args.password)
        page.click("nav button[value=en]")
        page.wait_for_load_state()
        page.goto(f"{url}/")
        one_row_navbar(page)
        page.screenshot(path=args.out / "home-commander-en.png", full_page=True)
        browser.close()
    for name in (
        "home-officer.png",
        "home-commander-en.png",
        "home-officer-phone.png",
        "person-list-red.png",
        "task-list.png",
    ):
        print(args.out / name)


if __name__ == "__main__":
    main()

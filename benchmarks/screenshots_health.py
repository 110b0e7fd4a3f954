"""Screenshots of health status: docs/screenshots/health-zones.png (1280 px), and at 360 px
health-zones-phone.png and health-person-phone.png.

Starts nothing itself. Point it at a running fangyi that has the demo city and logins, e.g.

    FANGYI_DEBUG=1 fangyi migrate && FANGYI_DEBUG=1 fangyi seed --residents 3000 --demo-staff
    FANGYI_DEBUG=1 fangyi runserver 127.0.0.1:8000 &
    .venv/bin/python benchmarks/screenshots_health.py http://127.0.0.1:8000

It signs in as the street officer, draws a high-risk zone over one of the officer's buildings
through the zones page, photographs the zones page and a resident of that building (red, with
the zone as the reason), then lowers and lifts the zone again so the demo is as it was.
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright
from screenshots_common import PHONE, fits, require_cjk_font, staff_login

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def lift(page, url: str, kind: str) -> None:
    page.goto(f"{url}/health/zones/")
    page.locator(f"article[data-kind={kind}] a[href$='/lift/']").first.click()
    page.wait_for_url("**/lift/")
    page.fill("textarea[name=reason]", "截图后恢复演示数据")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/health/zones/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--username", default="officer")
    parser.add_argument("--password", default="fangyi-demo-2026")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    require_cjk_font()
    url = args.url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = staff_login(desktop, url, args.username, args.password)
        buildings = page.request.get(f"{url}/api/v1/regions?level=building&limit=20").json()
        building = max(buildings["items"], key=lambda region: region["resident_count"])
        page.goto(f"{url}/health/zones/")
        page.select_option("#zone-form select[name=kind]", "high")
        page.fill("#zone-form textarea[name=regions]", building["code"])
        page.fill("#zone-form textarea[name=reason]", "楼内发现确诊病例，按高风险区管理")
        page.click("#zone-form button[type=submit]")
        page.wait_for_url("**/health/zones/")
        page.screenshot(path=args.out / "health-zones.png", full_page=True)

        phone = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
        phone.add_cookies(desktop.cookies())
        small = phone.new_page()
        small.goto(f"{url}/health/zones/")
        fits(small)
        small.screenshot(path=args.out / "health-zones-phone.png", full_page=True)
        residents = page.request.get(
            f"{url}/api/v1/persons?region={building['code']}&limit=1"
        ).json()
        small.goto(f"{url}/people/{residents['items'][0]['id']}/")
        small.locator("#health-panel[data-colour]").wait_for()
        fits(small)
        small.screenshot(path=args.out / "health-person-phone.png", full_page=True)

        lift(page, url, "high")
        lift(page, url, "medium")
        browser.close()
    for name in ("health-zones.png", "health-zones-phone.png", "health-person-phone.png"):
        print(args.out / name)


if __name__ == "__main__":
    main()

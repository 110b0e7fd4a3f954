"""Screenshots of necessities monitoring in the demo city: docs/screenshots/
markets-lights.png (the basket as a grid of lights for the first street, pork red in its
first community), markets-light.png (that light's price chart with its yellow and red lines,
days of cover, and the reserve release recorded against it) and markets-report-phone.png
(the reporter's form on a phone).

A fresh SQLite demo city under var/bench-shots-markets (`fangyi seed --demo-staff` makes the
points, a month of reports and the red light), a development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_markets.py
"""

import argparse
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from playwright.sync_api import sync_playwright  # noqa: E402
from screenshots_common import (  # noqa: E402
    CHROMIUM_ARGS,
    PHONE,
    fangyi,
    fits,
    require_cjk_font,
    staff_login,
    wait_for_server,
)
from seed import ROOT  # noqa: E402

WORK = ROOT / "var" / "bench-shots-markets"
OUT = ROOT / "docs" / "screenshots"
ADDRESS = "127.0.0.1:8767"
PASSWORD = "fangyi-demo-2026"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    require_cjk_font()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    os.environ.update(
        FANGYI_DATABASE_URL=f"sqlite:///{WORK / 'fangyi.sqlite3'}",
        FANGYI_DATA_DIR=str(WORK),
        FANGYI_DEBUG="1",
        FANGYI_LOG_LEVEL="WARNING",
    )
    fangyi("migrate", "--no-input", "-v", "0")
    fangyi("seed", "--residents", "3000", "--demo-staff")
    server = fangyi("runserver", "--noreload", ADDRESS, wait=False)
    url = f"http://{ADDRESS}"
    try:
        wait_for_server(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page = staff_login(desk, url, "commander", PASSWORD)
            page.goto(f"{url}/markets/")
            # Down the tree along the red light until its community is a row of the grid.
            for _level in range(5):
                reds = page.locator("#light-grid tbody tr:not(:first-child) a.light-red")
                if reds.count() == 0:
                    break
                code = reds.first.locator("xpath=ancestor::tr").get_attribute("data-region")
                if len(code) >= 12:
                    break
                page.goto(f"{url}/markets/?region={code}")
            page.screenshot(path=OUT / "markets-lights.png", full_page=True)
            # The community's light, the one with the reserve release recorded against it.
            page.locator("#light-grid a.light-red:has(.light-acted)").first.click()
            page.wait_for_selector("#light-chart[data-drawn=true]")
            page.screenshot(path=OUT / "markets-light.png", full_page=True)
            phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
            page = staff_login(phone, url, "price_reporter", PASSWORD)
            page.goto(f"{url}/markets/report/")
            page.locator("#my-points a").first.click()
            page.wait_for_load_state()
            fits(page)
            page.screenshot(path=OUT / "markets-report-phone.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print("screenshots in", OUT)


if __name__ == "__main__":
    main()

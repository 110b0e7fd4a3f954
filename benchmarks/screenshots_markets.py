"""Screenshots of necessities monitoring in the demo city: docs/screenshots/
markets-lights.png (the basket as a grid of lights for the first street, pork red in its
first community), markets-light.png (that light's price chart with its yellow and red lines,
days of cover, and the reserve release recorded against it) and markets-report-phone.png
(the reporter's form on a phone).

A fresh SQLite demo city under var/bench-shots-markets (`fangyi seed --demo-staff` makes the
points, a month of reports and the red light), a development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_markets.py
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

ADDRESS = "127.0.0.1:8767"


def main() -> None:
    args = arguments(__doc__)
    with demo_city("markets", ADDRESS, args.chromium) as (browser, url):
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


if __name__ == "__main__":
    main()

"""Screenshots of household sweeps in the demo city: docs/screenshots/sweeps-coverage.png (the
demo sweep's coverage of its grid, building by building, with the doors not visited yet),
sweeps-problems.png (the community's list: the household visited twice, both visits side by
side), sweeps-refused.png (the visits with answers the services refused: the demo's newcomer
with a mistyped ID number) and sweeps-sheet-phone.png (the demo grid worker's sheet on a phone).

A fresh SQLite demo city under var/bench-shots-sweeps (`fangyi seed --demo-staff` starts the
sweep and records a few visits), a development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_sweeps.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots_common import (  # noqa: E402
    DESK,
    OUT,
    PASSWORD,
    PHONE,
    arguments,
    demo_city,
    fits,
    staff_login,
)

ADDRESS = "127.0.0.1:8772"


def main() -> None:
    args = arguments(__doc__)
    with demo_city("sweeps", ADDRESS, args.chromium) as (browser, url):
        desk = browser.new_context(viewport=DESK, locale="zh-CN")
        page = staff_login(desk, url, "officer", PASSWORD)
        page.goto(f"{url}/sweeps/")
        page.locator("#sweeps a").first.click()
        page.wait_for_selector("#coverage-total")
        page.screenshot(path=OUT / "sweeps-coverage.png", full_page=True)
        page.click("#open-problems")
        page.click("#problem-kinds a[href*='kind=conflict']")
        page.wait_for_selector("#problems .visit")
        page.screenshot(path=OUT / "sweeps-problems.png", full_page=True)
        page.goto(f"{url}/sweeps/")
        page.locator("#sweeps a").first.click()
        page.click("#open-refused")
        page.wait_for_selector("#refused")
        page.screenshot(path=OUT / "sweeps-refused.png", full_page=True)
        phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        page = staff_login(phone, url, "grid_worker", PASSWORD)
        page.goto(f"{url}/sweeps/")
        page.locator("#sweeps a.btn").first.click()
        page.wait_for_selector("#sheet-app[data-ready='1']")
        page.wait_for_selector("#households li")
        fits(page)
        page.screenshot(path=OUT / "sweeps-sheet-phone.png", full_page=True)


if __name__ == "__main__":
    main()

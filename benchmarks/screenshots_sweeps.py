"""Screenshots of household sweeps in the demo city: docs/screenshots/sweeps-coverage.png (the
demo sweep's coverage of its grid, building by building, with the doors not visited yet),
sweeps-problems.png (the community's list: the household visited twice, both visits side by
side) and sweeps-sheet-phone.png (the demo grid worker's sheet on a phone).

A fresh SQLite demo city under var/bench-shots-sweeps (`fangyi seed --demo-staff` starts the
sweep and records a few visits), a development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_sweeps.py
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

WORK = ROOT / "var" / "bench-shots-sweeps"
OUT = ROOT / "docs" / "screenshots"
ADDRESS = "127.0.0.1:8771"
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
        # A busy machine starts the server slowly: a few of the common wait in a row.
        for attempt in range(20):
            try:
                wait_for_server(url)
                break
            except SystemExit:
                if attempt == 19:
                    raise
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page = staff_login(desk, url, "officer", PASSWORD)
            page.goto(f"{url}/sweeps/")
            page.locator("#sweeps a").first.click()
            page.wait_for_selector("#coverage-total")
            page.screenshot(path=OUT / "sweeps-coverage.png", full_page=True)
            page.click("#open-problems")
            page.click("#problem-kinds a[href*='kind=conflict']")
            page.wait_for_selector("#problems .visit")
            page.screenshot(path=OUT / "sweeps-problems.png", full_page=True)
            phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
            page = staff_login(phone, url, "grid_worker", PASSWORD)
            page.goto(f"{url}/sweeps/")
            page.locator("#sweeps a.btn").first.click()
            page.wait_for_selector("#sheet-app[data-ready='1']")
            page.wait_for_selector("#households li")
            fits(page)
            page.screenshot(path=OUT / "sweeps-sheet-phone.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print("screenshots in", OUT)


if __name__ == "__main__":
    main()

"""Screenshots of notices in the demo city: docs/screenshots/notices-detail.png (the demo
notice to the first community, published, with its reach per grid after the SMS went out)
and notices-unreached-phone.png (a grid worker's households not reached, on a phone).

A fresh SQLite demo city under var/bench-shots-notices (`fangyi seed --demo-staff` publishes
the notice and queues its SMS; `fangyi notices send-sms` sends them to the log backend), a
development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_notices.py
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

WORK = ROOT / "var" / "bench-shots-notices"
OUT = ROOT / "docs" / "screenshots"
ADDRESS = "127.0.0.1:8769"
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
    fangyi("notices", "send-sms")
    server = fangyi("runserver", "--noreload", ADDRESS, wait=False)
    url = f"http://{ADDRESS}"
    try:
        # On a shared, busy machine the server may take longer than one wait to start.
        for attempt in range(3):
            try:
                wait_for_server(url)
                break
            except SystemExit:
                if attempt == 2:
                    raise
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
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
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print("screenshots in", OUT)


if __name__ == "__main__":
    main()

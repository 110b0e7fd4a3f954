"""Screenshots of the 12345 hotline in the demo city: docs/screenshots/hotline-intake.png
(the operator's intake page, a caller's number typed and their household and earlier tickets
shown), hotline-inbox.png (the community team's inbox, the overdue first) and
hotline-ticket.png (a reopened ticket with its callback, escalation and events).

A fresh SQLite demo city under var/bench-shots-hotline (`fangyi seed --demo-staff` makes the
units, rules and a week of tickets), a development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_hotline.py
"""

import argparse
import os
import shutil
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from playwright.sync_api import sync_playwright  # noqa: E402
from screenshots_common import (  # noqa: E402
    CHROMIUM_ARGS,
    fangyi,
    require_cjk_font,
    staff_login,
    wait_for_server,
)
from seed import ROOT  # noqa: E402

WORK = ROOT / "var" / "bench-shots-hotline"
OUT = ROOT / "docs" / "screenshots"
ADDRESS = "127.0.0.1:8769"
PASSWORD = "fangyi-demo-2026"
DESK = {"width": 1280, "height": 900}
SERVER_WAITS = 10


def caller_with_history(database: Path) -> str:
    """The phone number of a caller of the demo's earliest ticket."""
    with sqlite3.connect(database) as connection:
        (phone,) = connection.execute(
            "SELECT caller_phone FROM hotline_ticket WHERE caller_phone != '' "
            "ORDER BY received_at LIMIT 1"
        ).fetchone()
    return phone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument(
        "--reuse", action="store_true", help="use the demo city of an earlier run as it is"
    )
    args = parser.parse_args()
    require_cjk_font()
    database = WORK / "fangyi.sqlite3"
    fresh = not (args.reuse and database.exists())
    if fresh:
        shutil.rmtree(WORK, ignore_errors=True)
        WORK.mkdir(parents=True)
    os.environ.update(
        FANGYI_DATABASE_URL=f"sqlite:///{database}",
        FANGYI_DATA_DIR=str(WORK),
        FANGYI_DEBUG="1",
        FANGYI_LOG_LEVEL="WARNING",
    )
    if fresh:
        fangyi("migrate", "--no-input", "-v", "0")
        fangyi("seed", "--residents", "3000", "--demo-staff")
    phone = caller_with_history(database)
    server = fangyi("runserver", "--noreload", ADDRESS, wait=False)
    url = f"http://{ADDRESS}"
    try:
        # The server's checks take a while on a busy machine: a few rounds of the wait.
        for attempt in range(SERVER_WAITS):
            try:
                wait_for_server(url)
                break
            except SystemExit:
                if attempt == SERVER_WAITS - 1:
                    raise
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            desk = browser.new_context(viewport=DESK, locale="zh-CN")
            page = staff_login(desk, url, "operator", PASSWORD)
            page.goto(f"{url}/hotline/intake/")
            page.fill("#id_number", phone)
            page.wait_for_selector(".caller-match")
            page.select_option("#id_category", "medicines")
            page.select_option("#id_urgency", "urgent")
            page.fill("#id_description", "封控楼栋，家里的胰岛素只够今天了，需要送药上门。")
            page.screenshot(path=OUT / "hotline-intake.png", full_page=True)
            page.goto(f"{url}/hotline/overdue/")
            page.locator("#tickets a").first.click()
            page.wait_for_load_state()
            desk.close()
            team = browser.new_context(viewport=DESK, locale="zh-CN")
            page = staff_login(team, url, "grid_worker", PASSWORD)
            page.goto(f"{url}/hotline/")
            page.screenshot(path=OUT / "hotline-inbox.png", full_page=True)
            page.locator("#tickets li[data-state=dispatched] a").first.click()
            page.wait_for_load_state()
            page.screenshot(path=OUT / "hotline-ticket.png", full_page=True)
            team.close()
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print("screenshots in", OUT)


if __name__ == "__main__":
    main()

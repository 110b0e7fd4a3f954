"""Screenshots of the 12345 hotline in the demo city: docs/screenshots/hotline-intake.png
(the operator's intake page, a caller's number typed and their household and earlier tickets
shown), hotline-inbox.png (the community team's inbox, the overdue first) and
hotline-ticket.png (a reopened ticket with its callback, escalation and events).

A fresh SQLite demo city under var/bench-shots-hotline (`fangyi seed --demo-staff` makes the
units, rules and a week of tickets), a development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_hotline.py
"""

import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots_common import (  # noqa: E402
    DESK,
    OUT,
    PASSWORD,
    arguments,
    demo_city,
    reusing,
    staff_login,
    work_folder,
)

ADDRESS = "127.0.0.1:8769"


def caller_with_history(database: Path) -> str:
    """The phone number of a caller of the demo's earliest ticket."""
    with sqlite3.connect(database) as connection:
        (phone,) = connection.execute(
            "SELECT caller_phone FROM hotline_ticket WHERE caller_phone != '' "
            "ORDER BY received_at LIMIT 1"
        ).fetchone()
    return phone


def main() -> None:
    args = arguments(__doc__, add=reusing)
    with demo_city("hotline", ADDRESS, args.chromium, reuse=args.reuse) as (browser, url):
        phone = caller_with_history(work_folder("hotline") / "fangyi.sqlite3")
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


if __name__ == "__main__":
    main()

"""Screenshots of the 12345 hotline in the demo city: docs/screenshots/hotline-intake.png
(the operator's intake page, a caller's number typed and their household and earlier tickets
shown), hotline-inbox.png (the community team's inbox, the overdue first),
hotline-ticket.png (a reopened ticket with its callback, escalation and events),
hotline-overdue.png (the command centre's overdue board), hotline-callbacks.png (the
operators' callback queue), hotline-problem-list.png (the city's problem list of the day,
opened with the page's "make now" form, which gives the list the demo already made, and an
item put on it by hand) and hotline-problem-lists.png (the lists' index: the demo's week).

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
# The demo city's code: the operator's region, so the operator may make its list.
CITY = "350100"


def caller_with_history(database: Path) -> str:
    """The phone number of a caller of the demo's earliest ticket."""
    with sqlite3.connect(database) as connection:
        (phone,) = connection.execute(
            "SELECT caller_phone FROM hotline_ticket WHERE caller_phone != '' "
            "ORDER BY received_at LIMIT 1"
        ).fetchone()
    return phone


def make_problem_list(page, url: str) -> None:
    """Today's list of the city as an operator reaches it: "make now" on the lists' page (the
    list of the day if it exists), then an item put on it by hand for a unit to fix today."""
    page.goto(f"{url}/hotline/problems/")
    page.fill("#make-list input[name=region]", CITY)
    page.click("#make-list button[type=submit]")
    page.wait_for_url("**/hotline/problems/*-*/")
    detail = page.url
    page.click("text=人工列入事项")
    page.fill("input[name=title]", "封控楼栋老人买药难，需社区每日代购送药")
    page.check("input[name=fix_today]")
    page.click("main button[type=submit]")
    page.wait_for_url(detail)
    page.wait_for_selector("li[id^=item-]")
    page.screenshot(path=OUT / "hotline-problem-list.png", full_page=True)
    page.goto(f"{url}/hotline/problems/")
    page.wait_for_selector("#lists li[id^=list-]")
    page.screenshot(path=OUT / "hotline-problem-lists.png", full_page=True)


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
        page.goto(f"{url}/hotline/callbacks/")
        page.wait_for_selector("#callbacks li[id^=callback-]")
        page.screenshot(path=OUT / "hotline-callbacks.png", full_page=True)
        make_problem_list(page, url)
        desk.close()
        command = browser.new_context(viewport=DESK, locale="zh-CN")
        page = staff_login(command, url, "commander", PASSWORD)
        page.goto(f"{url}/hotline/overdue/")
        page.wait_for_selector("#by-unit tbody tr")
        page.screenshot(path=OUT / "hotline-overdue.png", full_page=True)
        command.close()
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

"""Screenshots of the command centre in the demo city: docs/screenshots/command-screen.png
(the commander's screen at 1920 px: headline figures with sparklines, the children as a map
drawn from the demo's synthetic outlines, the trends and the to-do) and
command-screen-phone.png (the same screen on a phone). Both show the first region down from
the city with several children, so that the map has more than one outline.

A fresh SQLite demo city under var/bench-shots-command (`fangyi seed --demo-staff` also
writes the last 14 days' snapshots), a development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_command.py [--reuse]
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

WORK = ROOT / "var" / "bench-shots-command"
OUT = ROOT / "docs" / "screenshots"
ADDRESS = "127.0.0.1:8771"
PASSWORD = "fangyi-demo-2026"
SERVER_ATTEMPTS = 15
DRAWN = "() => [...document.querySelectorAll('.sparkline, .trend-chart, #region-map')].every(e => e.dataset.drawn === 'true')"


def require_map(page) -> None:
    """The children must be drawn as a map (not the treemap the screen falls back to), and
    the to-do loaded, before the picture is taken."""
    page.wait_for_selector("#region-map[data-kind='map']")
    page.wait_for_selector("#command-todo[data-loaded='true']")


def with_several_children(page, url: str) -> str:
    """Down from the city to the first region with several children (in the 3,000-resident
    demo, one district of one street of one community: its grids), so that the map has more
    than one outline; its screen's address."""
    while page.locator("#children-table a").count() == 1:
        page.goto(f"{url}/command/{page.locator('#children-table a').first.get_attribute('href')}")
        page.wait_for_function(DRAWN)
        require_map(page)
    return page.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument(
        "--reuse", action="store_true", help="take the pictures of the city seeded by a last run"
    )
    args = parser.parse_args()
    require_cjk_font()
    reuse = args.reuse and (WORK / "fangyi.sqlite3").exists()
    if not reuse:
        shutil.rmtree(WORK, ignore_errors=True)
        WORK.mkdir(parents=True)
    os.environ.update(
        FANGYI_DATABASE_URL=f"sqlite:///{WORK / 'fangyi.sqlite3'}",
        FANGYI_DATA_DIR=str(WORK),
        FANGYI_DEBUG="1",
        FANGYI_LOG_LEVEL="WARNING",
    )
    if not reuse:
        fangyi("migrate", "--no-input", "-v", "0")
        fangyi("seed", "--residents", "3000", "--demo-staff")
    server = fangyi("runserver", "--noreload", ADDRESS, wait=False)
    url = f"http://{ADDRESS}"
    try:
        # A loaded machine takes minutes to start the server, not the shared 20 s.
        for attempt in range(SERVER_ATTEMPTS):
            try:
                wait_for_server(url)
                break
            except SystemExit:
                if attempt == SERVER_ATTEMPTS - 1:
                    raise
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            wall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
            page = staff_login(wall, url, "commander", PASSWORD)
            page.goto(f"{url}/command/")
            page.wait_for_function(DRAWN)
            require_map(page)
            screen = with_several_children(page, url)
            page.screenshot(path=OUT / "command-screen.png", full_page=True)
            phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
            page = staff_login(phone, url, "commander", PASSWORD)
            page.goto(screen)
            page.wait_for_function(DRAWN)
            require_map(page)
            fits(page)
            page.screenshot(path=OUT / "command-screen-phone.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print("screenshots in", OUT)


if __name__ == "__main__":
    main()

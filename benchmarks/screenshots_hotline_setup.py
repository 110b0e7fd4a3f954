"""Screenshots of the hotline's setup pages (热线设置) in the demo city:
docs/screenshots/hotline-setup-rules.png (the routing rules, as the administrator sees them)
and hotline-setup-units.png (the handling units).

A fresh SQLite demo city under var/bench-shots-hotline-setup (`fangyi seed --demo-staff`
makes the units and rules), a development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_hotline_setup.py
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
    fangyi,
    require_cjk_font,
    staff_login,
    wait_for_server,
)
from seed import ROOT  # noqa: E402

WORK = ROOT / "var" / "bench-shots-hotline-setup"
OUT = ROOT / "docs" / "screenshots"
ADDRESS = "127.0.0.1:8773"
PASSWORD = "fangyi-demo-2026"
DESK = {"width": 1280, "height": 800}
SERVER_WAITS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--residents", type=int, default=1000)
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
        fangyi("seed", "--residents", str(args.residents), "--demo-staff")
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
            page = staff_login(desk, url, "admin", PASSWORD)
            page.goto(f"{url}/hotline/setup/rules/")
            page.screenshot(path=OUT / "hotline-setup-rules.png", full_page=True)
            page.goto(f"{url}/hotline/setup/units/")
            page.screenshot(path=OUT / "hotline-setup-units.png", full_page=True)
            desk.close()
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print("screenshots in", OUT)


if __name__ == "__main__":
    main()

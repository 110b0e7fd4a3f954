"""Screenshots of enterprises back at work in the demo city: docs/screenshots/
enterprises-list.png (the officer's register, two reopened), enterprises-employees.png (the
demo enterprise's employees as its account sees them: masked name, colour, zone kind, last
negative test) and enterprises-employees-phone.png (the same on a phone).

A fresh SQLite demo city under var/bench-shots-enterprises, a development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_enterprises.py
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

WORK = ROOT / "var" / "bench-shots-enterprises"
OUT = ROOT / "docs" / "screenshots"
ADDRESS = "127.0.0.1:8771"
PASSWORD = "fangyi-demo-2026"


def _wait_longer(url: str, tries: int = 6) -> None:
    """A server starting on a loaded machine may take longer than one wait allows."""
    for attempt in range(tries):
        try:
            wait_for_server(url)
            return
        except SystemExit:
            if attempt == tries - 1:
                raise


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
        _wait_longer(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
            page = staff_login(desk, url, "officer", PASSWORD)
            page.goto(f"{url}/enterprises/")
            page.screenshot(path=OUT / "enterprises-list.png", full_page=True)
            desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
            page = staff_login(desk, url, "enterprise", PASSWORD)
            page.wait_for_selector("#employees")
            page.screenshot(path=OUT / "enterprises-employees.png", full_page=True)
            phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
            page = staff_login(phone, url, "enterprise", PASSWORD)
            page.wait_for_selector("#employees")
            fits(page)
            page.screenshot(path=OUT / "enterprises-employees-phone.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

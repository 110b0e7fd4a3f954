"""Screenshots of the morning briefing: docs/screenshots/command-briefings.png (the briefings
page, 1280 px) and command-briefing-pdf.png (the first page of the city's PDF, by pdftoppm).

Starts nothing itself. Point it at a running fangyi that has the demo city and logins, e.g.

    FANGYI_DEBUG=1 fangyi migrate && FANGYI_DEBUG=1 fangyi seed --residents 3000 --demo-staff
    FANGYI_DEBUG=1 fangyi runserver 127.0.0.1:8000 &
    .venv/bin/python benchmarks/screenshots_command_briefings.py http://127.0.0.1:8000

It signs in as the demo commander, makes yesterday's briefing of the city and of its first
district from the page's form, photographs the page, downloads the city's PDF and renders its
first page.
"""

import argparse
import subprocess
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright
from screenshots_common import CHROMIUM_ARGS, require_cjk_font, staff_login

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--username", default="commander")
    parser.add_argument("--password", default="fangyi-demo-2026")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    require_cjk_font()
    url = args.url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.set_default_timeout(120_000)
        page = staff_login(context, url, args.username, args.password)
        page.goto(f"{url}/command/briefings/")
        regions = page.locator("#generate-briefing select[name=region] option")
        for value in [regions.nth(index).get_attribute("value") for index in (1, 0)]:
            page.select_option("#generate-briefing select[name=region]", value)
            page.click("#generate-briefing button[type=submit]")
            page.wait_for_url("**/command/briefings/")
        page.screenshot(path=args.out / "command-briefings.png", full_page=True)
        city = page.locator("#briefings tbody tr").first
        with page.expect_download() as download:
            city.get_by_role("link", name="PDF").click()
        with tempfile.TemporaryDirectory() as folder:
            pdf = Path(folder) / "briefing.pdf"
            download.value.save_as(pdf)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    pdf,
                    args.out / "command-briefing-pdf",
                ],
                check=True,
            )
        browser.close()


if __name__ == "__main__":
    main()

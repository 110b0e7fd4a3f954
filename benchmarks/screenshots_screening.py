"""Screenshots of mass screening, into docs/screenshots/: at 1280 px screening-coverage.png (the
demo round's coverage of its community), screening-campaign.png and screening-lab.png; at 360 px
screening-sampling-phone.png (a tube being filled) and screening-missing-phone.png.

Starts nothing itself. Point it at a running fangyi seeded with the demo city and logins (the
seed runs a demo round), e.g.

    export FANGYI_DEBUG=1 FANGYI_DATABASE_URL=sqlite:////tmp/demo.sqlite3
    fangyi migrate && fangyi seed --residents 20000 --demo-staff
    fangyi runserver 127.0.0.1:8000 &
    .venv/bin/python benchmarks/screenshots_screening.py http://127.0.0.1:8000

The sampler's screenshot opens a tube with a new barcode and adds the first person a name
search finds, as a sampler would; that sample stays in the demo round.
"""

import argparse
import re
import uuid
from pathlib import Path

from playwright.sync_api import sync_playwright
from screenshots_common import PHONE, fits, require_cjk_font, staff_login

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"]
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--password", default="fangyi-demo-2026", help="of the demo logins")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    require_cjk_font()
    url = args.url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)

        desk = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
        officer = staff_login(desk, url, "officer", args.password)
        officer.goto(f"{url}/screening/")
        officer.locator("main a[href^='/screening/']").filter(has_text="演示").first.click()
        officer.wait_for_load_state()
        officer.screenshot(path=args.out / "screening-campaign.png", full_page=True)
        officer.locator("a[href*='/coverage/']").first.click()
        officer.wait_for_load_state()
        # The community itself: its grids with their progress and the chart.
        officer.wait_for_timeout(800)
        officer.screenshot(path=args.out / "screening-coverage.png", full_page=True)
        round_path = re.search(r"/screening/rounds/[^/]+/", officer.url).group(0)
        desk.close()

        lab_context = browser.new_context(
            viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        lab = staff_login(lab_context, url, "lab", args.password)
        lab.goto(f"{url}/screening/lab/")
        lab.screenshot(path=args.out / "screening-lab.png", full_page=True)
        lab_context.close()

        phone = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
        sampler = staff_login(phone, url, "sampler", args.password)
        sampler.goto(f"{url}/screening/sampling/")
        # A tube left open by an earlier run is resumed; otherwise one is opened.
        if sampler.locator("#open-section").is_visible():
            sampler.get_by_label("试管条码").fill(f"SHOT-{uuid.uuid4().hex[:8].upper()}")
            sampler.get_by_label("试管条码").press("Enter")
        field = sampler.get_by_label("扫码或查找居民")
        count = sampler.locator("#tube-count").inner_text()
        field.fill("李")
        field.press("Enter")
        sampler.locator("#results").get_by_role("button", name="加入").last.click()
        sampler.locator("#tube-count").filter(has_not_text=count).wait_for()
        fits(sampler)
        sampler.screenshot(path=args.out / "screening-sampling-phone.png")
        phone.close()

        phone = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
        worker = staff_login(phone, url, "grid_worker", args.password)
        worker.goto(f"{url}{round_path}missing/")
        worker.wait_for_load_state()
        fits(worker)
        worker.screenshot(path=args.out / "screening-missing-phone.png")
        phone.close()
        browser.close()
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()

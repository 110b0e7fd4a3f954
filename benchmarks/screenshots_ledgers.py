"""Screenshots of the ledger import preview: docs/screenshots/ledger-preview.png (1280 px)
and ledger-preview-phone.png (360 px).

Starts nothing itself. Point it at a running fangyi that has the demo city and logins, e.g.

    FANGYI_DEBUG=1 fangyi migrate && FANGYI_DEBUG=1 fangyi seed --residents 3000 --demo-staff
    FANGYI_DEBUG=1 fangyi runserver 127.0.0.1:8000 &
    .venv/bin/python benchmarks/screenshots_ledgers.py http://127.0.0.1:8000

It signs in (the street officer by default), builds a messy residents ledger for two of the
officer's buildings (a merged title row, header synonyms with stray spaces and full-width
letters, full-width digits, a wrong check digit, a duplicate ID, a bad phone, an unknown
column), uploads it, and photographs the dry-run preview. The dry run writes nothing.
Every ID number and phone in the workbook is made up.
"""

import argparse
import datetime
import tempfile
from pathlib import Path

import openpyxl
from playwright.sync_api import sync_playwright
from screenshots_common import require_cjk_font
from stdnum.cn import ric

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def resident_id(sequence: int, male: bool = True) -> str:
    """A well-formed, made-up ID of 鼓楼区 born on an unlikely day."""
    sequence = sequence * 2 + (1 if male else 0)
    body = f"350102{datetime.date(1931, 2, 3):%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def messy_ledger(path: Path, buildings: list[str]) -> Path:
    a, b = buildings[0], buildings[-1]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["鼓东街道居民花名册（2026 年 11 月）"])
    sheet.merge_cells("A1:G1")
    sheet.append(["姓名", " 身份证号码 ", "联系 电话", "楼栋编码 ", "单元", "ｒｏｏｍ", "微信号"])
    rows = [
        ["周一", resident_id(901), "１３７００００１０１１", a, "1", "９０１", "zhou1"],
        ["周二", resident_id(902, male=False), "", a, "1", "901", ""],
        ["吴三", wrong_check_digit(resident_id(903)), "13700001013", b, "", "902", ""],
        ["郑四", resident_id(901), "", b, "", "903", ""],
        ["王五", resident_id(905), "1370000101", b, "", "904", ""],
        ["冯六", resident_id(906), "", b, "", "904", ""],
        ["陈七", resident_id(907, male=False), "13700001017", b, "2", "905", ""],
        ["", resident_id(908), "", b, "2", "905", ""],
    ]
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--username", default="officer")
    parser.add_argument("--password", default="fangyi-demo-2026")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    require_cjk_font()
    url = args.url.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = desktop.new_page()
        page.goto(f"{url}/login/")
        page.fill("input[name=username]", args.username)
        page.fill("input[name=password]", args.password)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        found = page.request.get(f"{url}/api/v1/regions?level=building").json()
        buildings = [region["code"] for region in found["items"][:2]]
        if not buildings:
            raise SystemExit(f"{args.username} sees no buildings")
        with tempfile.TemporaryDirectory() as tmp:
            ledger = messy_ledger(Path(tmp) / "鼓东街道居民花名册.xlsx", buildings)
            page.goto(f"{url}/ledgers/residents/import/")
            page.set_input_files("input[name=file]", str(ledger))
            page.click("main form button[type=submit]")
            page.wait_for_url("**/ledgers/imports/*/")
            page.locator("#import-job[data-status=done]").wait_for()
        preview = page.url
        args.out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=args.out / "ledger-preview.png", full_page=True)
        phone = browser.new_context(
            viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=1
        )
        phone.add_cookies(desktop.cookies())
        small = phone.new_page()
        small.goto(preview)
        width = small.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            raise SystemExit(f"the preview is {width} px wide at 360 px")
        small.screenshot(path=args.out / "ledger-preview-phone.png", full_page=True)
        browser.close()
    print(f"{preview}\n{args.out / 'ledger-preview.png'}\n{args.out / 'ledger-preview-phone.png'}")


if __name__ == "__main__":
    main()

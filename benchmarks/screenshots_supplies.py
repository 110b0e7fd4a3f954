"""Screenshots of supplies to the door and couriers' passes in the demo city:
docs/screenshots/supplies-board.png (the officer's board of open requests, priority first, each
with its clock), supplies-request.png (an urgent medicine request with "dispatch now"),
supplies-batch.png (a community's batch: the pick list and the delivery lists),
supplies-grid-phone.png (the grid worker's requests on a phone), supplies-deliveries-phone.png
(a volunteer's deliveries and the pool to claim from) and passes-list.png (the officer's
whitelist of couriers).

A fresh SQLite demo city under var/bench-shots-supplies (`fangyi seed --demo-staff` makes the
catalogue, a day of requests in the sealed zone, the batch and the couriers), a development
server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_supplies.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots_common import (  # noqa: E402
    DESK,
    OUT,
    PASSWORD,
    PHONE,
    arguments,
    demo_city,
    fits,
    staff_login,
)

ADDRESS = "127.0.0.1:8768"


def main() -> None:
    args = arguments(__doc__)
    with demo_city("supplies", ADDRESS, args.chromium) as (browser, url):
        desk = browser.new_context(viewport=DESK, locale="zh-CN")
        page = staff_login(desk, url, "officer", PASSWORD)
        page.goto(f"{url}/supplies/")
        page.screenshot(path=OUT / "supplies-board.png", full_page=True)
        medicine = page.locator("#requests a[href*='/supplies/']").first
        medicine.click()
        page.wait_for_load_state()
        page.screenshot(path=OUT / "supplies-request.png", full_page=True)
        page.goto(f"{url}/supplies/batches/")
        page.locator("#batches li a").first.click()
        page.wait_for_load_state()
        page.screenshot(path=OUT / "supplies-batch.png", full_page=True)
        page.goto(f"{url}/passes/")
        page.screenshot(path=OUT / "passes-list.png", full_page=True)
        for role, path, name in (
            ("grid_worker", "/supplies/grid/", "supplies-grid-phone.png"),
            ("volunteer", "/tasks/deliveries/", "supplies-deliveries-phone.png"),
        ):
            phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
            page = staff_login(phone, url, role, PASSWORD)
            page.goto(f"{url}{path}")
            fits(page)
            page.screenshot(path=OUT / name, full_page=True)
            phone.close()


if __name__ == "__main__":
    main()

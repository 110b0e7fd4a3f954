"""Screenshots of health codes, the resident portal and checkpoints, into docs/screenshots/:
at 360 px portal-code-phone.png, portal-status-phone.png and checkpoint-scan-phone.png; at
1280 px venue-place-code.png and card-print.png.

Starts nothing itself. Point it at a running fangyi that has the demo city, logins and venues,
and run it in the server's environment (it reads two residents' mobile numbers from the
database unless given them), e.g.

    export FANGYI_DEBUG=1 FANGYI_DATABASE_URL=sqlite:////tmp/demo.sqlite3
    fangyi migrate && fangyi seed --residents 3000 --demo-staff
    fangyi runserver 127.0.0.1:8000 &
    .venv/bin/python benchmarks/screenshots_codes.py http://127.0.0.1:8000

The server must run in debug mode: the portal's login page then shows the one-time code.
A green resident logs in and shows their code; a resident with another colour (if the demo has
one) shows why; the checkpoint verifies the green resident's code; the street officer prints a
venue's place code; the grid worker prints a card code for an elderly resident of the grid
(which is logged, like any card printed).
"""

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright
from screenshots_common import PHONE, fits, require_cjk_font, resident_login, staff_login

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
# The colour most worth explaining first.
EXPLAINED = ["red", "orange", "yellow"]


def phones_from_database() -> tuple[str, str]:
    """A green resident's mobile, and one of another colour (green again if none): each the
    only person registered with that number, so the login asks for nothing else."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
    import django

    django.setup()
    from django.db.models import Count

    from fangyi.demo.residents import demo_resident
    from fangyi.health.models import Status
    from fangyi.people.models import Person

    shared = (
        Person.objects.exclude(phone="")
        .values("phone")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("phone")
    )
    alone = Person.objects.exclude(phone="").exclude(phone__in=shared)

    def first_of(colour: str) -> str | None:
        ids = Status.objects.filter(colour=colour).values("person_id")
        found = alone.filter(pk__in=ids).order_by("region_path", "id_number").first()
        return found.phone if found else None

    green = demo_resident()
    green_phone = green.phone if green else first_of("green")
    if green_phone is None:
        raise SystemExit("no green resident with a mobile of their own: seed the demo city")
    other = next(filter(None, map(first_of, EXPLAINED)), green_phone)
    return green_phone, other


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--phone", help="a green resident's mobile (default: from the database)")
    parser.add_argument(
        "--status-phone", help="a resident to explain the colour of (default: from the database)"
    )
    parser.add_argument("--password", default="fangyi-demo-2026", help="of the demo logins")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    require_cjk_font()
    url = args.url.rstrip("/")
    if args.phone and args.status_phone:
        green_phone, status_phone = args.phone, args.status_phone
    else:
        green_phone, status_phone = phones_from_database()
        green_phone, status_phone = args.phone or green_phone, args.status_phone or status_phone
    args.out.mkdir(parents=True, exist_ok=True)
    shots = []

    def shoot(page, name: str, full_page: bool = True) -> None:
        page.screenshot(path=args.out / name, full_page=full_page)
        shots.append(args.out / name)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)

        def phone_page():
            context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
            context.set_default_timeout(15_000)
            return context.new_page()

        def desktop_page(username: str):
            context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
            context.set_default_timeout(15_000)
            return staff_login(context, url, username, args.password)

        resident = phone_page()
        resident_login(resident, url, green_phone)
        resident.locator("#my-code[data-code]").wait_for()
        fits(resident)
        shoot(resident, "portal-code-phone.png")
        display_code = resident.get_attribute("#my-code", "data-code")

        explained = phone_page()
        resident_login(explained, url, status_phone, "/me/status/")
        explained.locator("#status[data-colour]").wait_for()
        fits(explained)
        shoot(explained, "portal-status-phone.png")

        guard = phone_page()
        guard = staff_login(guard.context, url, "checkpoint", args.password)
        guard.goto(f"{url}/checkpoints/scan/")
        # Verifying needs the keys, which the page fetches first.
        guard.locator("#network-status[data-state=online]").wait_for()
        guard.fill("#code-text", display_code)
        guard.click("#verify-button")
        guard.locator("#scan-result:not([hidden])[data-result=valid]").wait_for()
        shoot(guard, "checkpoint-scan-phone.png", full_page=False)

        officer = desktop_page("officer")
        officer.goto(f"{url}/checkpoints/venues/")
        market = officer.locator("#venues a", has_text="菜市场")
        (market if market.count() else officer.locator("#venues a")).first.click()
        officer.wait_for_url("**/checkpoints/venues/*/")
        officer.goto(officer.url + "place-code/")
        officer.locator(".place-qr svg").wait_for()
        shoot(officer, "venue-place-code.png")

        worker = desktop_page("grid_worker")
        elderly = worker.request.get(f"{url}/api/v1/persons?tag=elderly&limit=1").json()
        worker.goto(f"{url}/codes/card/{elderly['items'][0]['id']}/")
        worker.click("main form button[type=submit]")
        worker.locator(".card-qr svg").wait_for()
        shoot(worker, "card-print.png")
        browser.close()
    for path in shots:
        print(path)


if __name__ == "__main__":
    main()

"""What the screenshot scripts share: a phone's width, the check that a page fits it, signing
in as a demo login or as a resident, the check that Chinese can be rendered at all, running
`fangyi` and waiting for its development server, Chromium's flags, and a fresh demo city served
to a browser. Imported by the scripts beside it."""

import argparse
import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from seed import FANGYI, ROOT

INSTALL_FONTS = "apt-get install -y fonts-noto-cjk"

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "fangyi-demo-2026"
DESK = {"width": 1280, "height": 900}

PHONE = {"width": 360, "height": 740}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        raise SystemExit(f"{page.url} is {width} px wide at 360 px")


def staff_login(context, url: str, username: str, password: str):
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/login/" in page.url:
        raise SystemExit(f"could not sign in as {username}")
    return page


def resident_login(page, url: str, phone: str, next_path: str = "/me/") -> None:
    """Signs a resident in to the portal with the one-time code a debug server shows."""
    page.goto(f"{url}/me/login/?next={next_path}")
    page.fill("#phone-form input[name=phone]", phone)
    page.click("#phone-form button[type=submit]")
    message = page.locator("#demo-inbox [data-message]")
    if not message.count():
        # Rate-limited (one code a minute per number), or not in debug mode.
        said = " ".join(page.locator("main").inner_text().split())[:200]
        raise SystemExit(f"no one-time code in a demo inbox on the login page: {said}")
    code = re.search(r"\b\d{6}\b", message.inner_text()).group()
    page.fill("#code-form input[name=code]", code)
    page.click("#code-form button[type=submit]")
    page.wait_for_url(f"**{next_path}")


def require_cjk_font() -> None:
    """Stops before any screenshot when no font covers Chinese: chromium would draw every label
    as an empty box, and the pictures would still look taken."""
    if shutil.which("fc-list") is None:
        raise SystemExit(
            f"fc-list (fontconfig) is missing; install a Chinese font: {INSTALL_FONTS}"
        )
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    if not fonts.stdout.strip():
        raise SystemExit(f"No font for Chinese is installed; run: {INSTALL_FONTS}")


def fangyi(*args: str, wait: bool = True):
    command = [str(FANGYI), *args]
    if wait:
        return subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_server(url: str, seconds: float = 300) -> None:
    """Waits generously: on a shared, busy machine the server may take minutes to start."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/login/", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the development server did not answer")


def work_folder(name: str):
    return ROOT / "var" / f"bench-shots-{name}"


def reusing(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reuse", action="store_true", help="photograph the demo city of a last run as it is"
    )


def arguments(doc: str, *, add: Callable[[argparse.ArgumentParser], None] | None = None):
    """The scripts' command line: the docstring's first line as description, `--chromium`."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    if add is not None:
        add(parser)
    return parser.parse_args()


@contextmanager
def demo_city(
    name: str,
    address: str,
    chromium: str,
    *,
    residents: int = 3000,
    prepare: Callable[[], None] | None = None,
    reuse: bool = False,
) -> Iterator[tuple[object, str]]:
    """A fresh SQLite demo city under var/bench-shots-<name> (`fangyi seed --demo-staff`), then
    `prepare` (more data, before the server starts), its development server at `address` and
    Chromium: yields the browser and the server's URL, and stops both afterwards. With `reuse`,
    the city a last run left there is photographed as it is."""
    from playwright.sync_api import sync_playwright

    require_cjk_font()
    work = work_folder(name)
    fresh = not (reuse and (work / "fangyi.sqlite3").exists())
    if fresh:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    os.environ.update(
        FANGYI_DATABASE_URL=f"sqlite:///{work / 'fangyi.sqlite3'}",
        FANGYI_DATA_DIR=str(work),
        FANGYI_DEBUG="1",
        FANGYI_LOG_LEVEL="WARNING",
    )
    if fresh:
        fangyi("migrate", "--no-input", "-v", "0")
        fangyi("seed", "--residents", str(residents), "--demo-staff")
        if prepare is not None:
            prepare()
    server = fangyi("runserver", "--noreload", address, wait=False)
    url = f"http://{address}"
    try:
        wait_for_server(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            yield browser, url
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print("screenshots in", OUT)

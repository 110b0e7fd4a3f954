"""What the screenshot scripts share: a phone's width, the check that a page fits it, signing
in as a demo login, the check that Chinese can be rendered at all, running `fangyi` and waiting
for its development server, Chromium's flags. Imported by the scripts beside it."""

import shutil
import subprocess
import time
import urllib.request

from seed import FANGYI

INSTALL_FONTS = "apt-get install -y fonts-noto-cjk"

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


def wait_for_server(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/login/", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the development server did not answer")

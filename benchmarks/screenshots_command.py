"""Screenshots of the command centre in the demo city: docs/screenshots/command-screen.png
(the commander's screen at 1920 px: headline figures with sparklines, the children as a map
drawn from the demo's synthetic outlines, the trends and the to-do) and
command-screen-phone.png (the same screen on a phone). Both show the first region down from
the city with several children, so that the map has more than one outline.

A fresh SQLite demo city under var/bench-shots-command (`fangyi seed --demo-staff` also
writes the last 14 days' snapshots), a development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_command.py [--reuse]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots_common import (  # noqa: E402
    OUT,
    PASSWORD,
    PHONE,
    arguments,
    demo_city,
    fits,
    reusing,
    staff_login,
)

ADDRESS = "127.0.0.1:8771"
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
    args = arguments(__doc__, add=reusing)
    with demo_city("command", ADDRESS, args.chromium, reuse=args.reuse) as (browser, url):
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


if __name__ == "__main__":
    main()

"""Screenshots of the hotline's setup pages (热线设置) in the demo city:
docs/screenshots/hotline-setup-rules.png (the routing rules, as the administrator sees them)
and hotline-setup-units.png (the handling units).

A fresh SQLite demo city under var/bench-shots-hotline-setup (`fangyi seed --demo-staff`
makes the units and rules), a development server, Chromium.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_hotline_setup.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots_common import (  # noqa: E402
    OUT,
    PASSWORD,
    arguments,
    demo_city,
    reusing,
    staff_login,
)

ADDRESS = "127.0.0.1:8773"
DESK = {"width": 1280, "height": 800}


def options(parser) -> None:
    parser.add_argument("--residents", type=int, default=1000)
    reusing(parser)


def main() -> None:
    args = arguments(__doc__, add=options)
    with demo_city(
        "hotline-setup", ADDRESS, args.chromium, residents=args.residents, reuse=args.reuse
    ) as (browser, url):
        desk = browser.new_context(viewport=DESK, locale="zh-CN")
        page = staff_login(desk, url, "admin", PASSWORD)
        page.goto(f"{url}/hotline/setup/rules/")
        page.screenshot(path=OUT / "hotline-setup-rules.png", full_page=True)
        page.goto(f"{url}/hotline/setup/units/")
        page.screenshot(path=OUT / "hotline-setup-units.png", full_page=True)
        desk.close()


if __name__ == "__main__":
    main()

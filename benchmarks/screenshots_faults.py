"""Screenshots of a ledger import whose task worker was killed: docs/screenshots/
import-worker-died.png (the job's page just after the kill: the worker is gone, the rows
committed so far, nothing to upload again) and import-resumed.png (the same job after a new
worker recovered it and finished the file: each row once, the attempt counted).

Everything is real: a fresh SQLite demo city under var/bench-shots, a residents file of
`--rows` new residents, a task worker killed with SIGKILL once a third is committed, and a
web server for the pages.

    PYTHONPATH=src .venv/bin/python benchmarks/screenshots_faults.py [--rows 30000]
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faults import _admin, _file, _round_and_building, _upload, kill, wait_for  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from screenshots_common import require_cjk_font, staff_login  # noqa: E402
from seed import FANGYI, ROOT  # noqa: E402

WORK = ROOT / "var" / "bench-shots"
OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
ADDRESS = "127.0.0.1:8765"


def fangyi(*args: str, wait: bool = True):
    command = [str(FANGYI), *args]
    if wait:
        return subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30000)
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
        DJANGO_SETTINGS_MODULE="fangyi.settings",
        # Playwright's sync API runs an event loop in this thread; the ORM calls here only
        # poll the job between page loads.
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
    )
    fangyi("migrate", "--no-input", "-v", "0")
    fangyi("seed", "--residents", "2000", "--demo-staff", "--no-health")
    import django

    django.setup()
    from fangyi.ledgers import services
    from fangyi.ledgers.models import ImportJob, JobStatus
    from fangyi.people.validation import make_resident_id

    _round, _site, building = _round_and_building()
    born = datetime.date(1970, 1, 1)
    rows = [["姓名", "证件号码", "楼栋代码", "单元", "房号"]]
    for n in range(args.rows):
        number = make_resident_id("110101", born + datetime.timedelta(days=n // 400), n % 1000)
        rows.append([f"居民{n}", number, building.code, str(n // 10_000 + 1), f"{n // 4 % 2500}"])
    job = services.start_import(
        actor=_admin(),
        ledger="residents",
        upload=_upload(_file(rows, "居民台账-第二批.csv")),
        dry_run=False,
    )
    server = fangyi("runserver", "--noreload", ADDRESS, wait=False)
    worker = fangyi("db_worker", "--no-reload", "--no-startup-delay", wait=False)
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).rows_written >= args.rows // 3)
    kill(worker)
    url = f"http://{ADDRESS}"
    page_url = f"{url}/ledgers/imports/{job.pk}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page = staff_login(context, url, job.actor.username, "fangyi-demo-2026")
            page.goto(page_url)
            page.wait_for_selector("#job-stalled")
            page.screenshot(path=OUT / "import-worker-died.png", full_page=True)
            worker = fangyi("db_worker", "--no-reload", "--no-startup-delay", wait=False)
            wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == JobStatus.DONE)
            worker.terminate()
            time.sleep(1)
            page.goto(page_url)
            page.screenshot(path=OUT / "import-resumed.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        if worker.poll() is None:
            worker.terminate()
    print(OUT / "import-worker-died.png")
    print(OUT / "import-resumed.png")


if __name__ == "__main__":
    main()

"""Notices: a notice to the whole city — publish latency, the portal's first screen with the
notices block, and the SMS queued for the residents without the portal.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a copy of fangyi_bench_1m> \\
        .venv/bin/python benchmarks/notices.py [--portal-share 0.6] [--samples 300] [--json out.json]

The database must be a migrated city (benchmarks/seed.py, or `fangyi seed`), and a copy of
its own: a notice, SMS rows and portal residents are written into it and left there. Make the
copy with `CREATE DATABASE x TEMPLATE fangyi_bench_1m` and drop it after.

Setup (not timed): `--portal-share` of the residents with a mobile are recorded as having
logged in to the portal (`notices.PortalResident`, in one INSERT … SELECT). Then, timed:

- publish: `create_notice` for the city and `publish_notice` (one row changes state), as the
  city's superuser. Goal: at once (well under a second).
- first screen: for `--samples` random residents, the portal's "my code" page through Django's
  test client with a resident session (code signing, the status and the notices block), and
  the notices block's own queries (`resident_notices` + `reads_of`) alone; p50 / p95.
- SMS queued: `queue_sms` for the notice — one INSERT … SELECT of every resident of the city
  with a mobile, not away, never on the portal and not having read it. Goal: < 60 s.
- counts: once every queued SMS is marked sent (one UPDATE, setup), the counts page's
  `reach_counts` for the city (its districts) and for one grid (its buildings), and the
  grid's first page of households not reached.

The load average is printed before and after: the machine may be shared.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
if "FANGYI_DATABASE_URL" not in os.environ:
    raise SystemExit("Set FANGYI_DATABASE_URL to a copy of a seeded city (see the docstring).")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")
os.environ.setdefault("FANGYI_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from fangyi.accounts.models import User  # noqa: E402
from fangyi.core.context import acting  # noqa: E402
from fangyi.notices import services  # noqa: E402
from fangyi.notices.models import PortalResident, SmsSend, SmsState  # noqa: E402
from fangyi.people.models import Person  # noqa: E402
from fangyi.portal.auth import SESSION_KEY  # noqa: E402
from fangyi.regions.models import Level, Region  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def mark_portal_residents(share: float) -> int:
    """Records `share` of the residents with a mobile as portal users, by a hash of their id
    (the same residents on every run)."""
    PortalResident.objects.all().delete()
    bucket = int(share * 1000)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO notices_portalresident (person_id, first_login_at)
            SELECT id, now() FROM people_person
            WHERE phone <> '' AND abs(hashtext(id::text)) %% 1000 < %s
            """,
            [bucket],
        )
        return cursor.rowcount


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portal-share", type=float, default=0.6)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--json")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("This benchmark runs on PostgreSQL (a copy of fangyi_bench_1m).")
    print("load before", os.getloadavg())
    call_command("migrate", verbosity=0)
    residents = Person.objects.count()
    city = Region.objects.filter(level=Level.CITY).earliest("path")
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench_notices", password=None
    )
    setup = time.perf_counter()
    portal = mark_portal_residents(options.portal_share)
    print(
        f"{residents:,} residents; {portal:,} marked as portal users in "
        f"{time.perf_counter() - setup:.1f} s"
    )

    with acting(via="cli"):
        start = time.perf_counter()
        notice = services.create_notice(
            actor=admin,
            title="全市全员核酸检测通知",
            body="明日起全市开展全员核酸检测，请按社区安排的时间和地点参加。",
            regions=[city],
            ask_confirm=True,
        )
        created = time.perf_counter() - start
        start = time.perf_counter()
        notice = services.publish_notice(actor=admin, notice=notice)
        published = time.perf_counter() - start
    print(f"publish: draft {created * 1000:.0f} ms, publish {published * 1000:.0f} ms")

    ids = list(Person.objects.values_list("id", flat=True)[: options.samples * 50])
    sample = random.Random(19).sample(ids, min(options.samples, len(ids)))
    block, page = [], []
    client = Client()
    for person_id in sample:
        person = Person.objects.get(pk=person_id)
        start = time.perf_counter()
        found = list(services.resident_notices(person).order_by("-published_at", "-id")[:3])
        services.reads_of(person, [n.pk for n in found])
        block.append(time.perf_counter() - start)
        assert notice.pk in {n.pk for n in found}
        session = client.session
        session[SESSION_KEY] = str(person_id)
        session.save()
        start = time.perf_counter()
        response = client.get("/me/")
        page.append(time.perf_counter() - start)
        assert response.status_code == 200 and b"notices-block" in response.content
    print(
        f"first screen (/me/, {len(page)} residents): p50 {statistics.median(page) * 1000:.1f} ms,"
        f" p95 {percentile(page, 0.95) * 1000:.1f} ms; notices block alone: p50 "
        f"{statistics.median(block) * 1000:.2f} ms, p95 {percentile(block, 0.95) * 1000:.2f} ms"
    )

    start = time.perf_counter()
    queued = services.queue_sms(notice_id=notice.pk)
    queueing = time.perf_counter() - start
    print(f"SMS queued: {queued:,} in {queueing:.1f} s")

    SmsSend.objects.filter(notice=notice).update(state=SmsState.SENT, sent_at=timezone.now())
    start = time.perf_counter()
    total, _rows = services.reach_counts(notice, city)
    city_counts = time.perf_counter() - start
    grid = Region.objects.filter(level=Level.GRID).earliest("path")
    start = time.perf_counter()
    services.reach_counts(notice, grid)
    grid_counts = time.perf_counter() - start
    start = time.perf_counter()
    unreached = list(
        services.unreached_households(notice, admin, within=grid.path).order_by(
            "region_path", "id"
        )[:50]
    )
    unreached_page = time.perf_counter() - start
    print(
        f"counts: city {city_counts:.2f} s ({total.residents_reached:,} residents and "
        f"{total.households_reached:,} households reached), one grid {grid_counts * 1000:.0f} ms;"
        f" the grid's unreached households, first page ({len(unreached)}): "
        f"{unreached_page * 1000:.0f} ms"
    )
    print("load after", os.getloadavg())
    if options.json:
        Path(options.json).write_text(
            json.dumps(
                {
                    "when": timezone.now().isoformat(),
                    "machine": platform.node(),
                    "cpus": os.cpu_count(),
                    "residents": residents,
                    "portal_residents": portal,
                    "draft_ms": created * 1000,
                    "publish_ms": published * 1000,
                    "first_screen_p50_ms": statistics.median(page) * 1000,
                    "first_screen_p95_ms": percentile(page, 0.95) * 1000,
                    "block_p95_ms": percentile(block, 0.95) * 1000,
                    "sms_queued": queued,
                    "sms_queue_s": queueing,
                    "city_counts_s": city_counts,
                    "grid_counts_ms": grid_counts * 1000,
                    "unreached_page_ms": unreached_page * 1000,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()

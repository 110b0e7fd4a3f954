"""Printing isolation documents: one isolation notice, and release certificates in bulk.

    .venv/bin/python benchmarks/isolation_documents.py [--orders 500] [--rounds 5]
        [--database var/bench-isolation-documents.sqlite3] [--json results.json]

A fresh SQLite database is migrated and given one street, a building and `--orders` residents
with a released order each, plus one active order at a site (untimed). Then, in this process
on one core, as an administrator:

- notice: `print_notice` for the active order, `--rounds` times (the first is reported apart:
  it loads WeasyPrint and the fonts), each the whole service: the code signed, its QR drawn,
  the A4 page laid out and written as PDF, the print recorded.
- bulk: `print_releases` for every released order, in batches of `services.MAX_BULK` (the
  most one request prints): a PDF each, a page per order. Reported whole, per page and for
  the longest batch (what one officer's request waits), and in its two parts, measured again
  separately in the same run for the first batch: the pages' contents (a code signed and a
  QR drawn per order) and WeasyPrint's rendering of them.

There is nothing else to compare with: the figure that matters is the time per page, and how
it grows with the number of pages (a bulk print that grew faster than its pages would show
it). The load average is printed before and after: the machine may be shared.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = ROOT / "var" / "bench-isolation-documents.sqlite3"


def configure(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    database.parent.mkdir(parents=True, exist_ok=True)
    os.environ["FANGYI_DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
    os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
    os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def load_average() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def make_city(orders: int):
    """One street, one building, `orders` residents each with a released order, and one
    resident with an active order at a site."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from fangyi.health.models import Policy, QuarantineSetting
    from fangyi.isolation.models import Order, OrderReason, OrderState, Room, Site
    from fangyi.people.models import Household, Person
    from fangyi.people.validation import make_resident_id
    from fangyi.regions.models import Level, Region

    parent = None
    for code, name, level in [
        ("350000", "福建省", Level.PROVINCE),
        ("350100", "福州市", Level.CITY),
        ("350102", "鼓楼区", Level.DISTRICT),
        ("350102001", "东街街道", Level.STREET),
        ("350102001001", "三坊社区", Level.COMMUNITY),
        ("350102001001001", "第一网格", Level.GRID),
        ("350102001001001001", "1号楼", Level.BUILDING),
    ]:
        parent = Region(code=code, name=name, level=level, parent=parent)
        parent.save()
    building = parent
    street = Region.objects.get(code="350102001")
    site = Site.objects.create(
        name="东街隔离酒店", address="东街88号", region=street, region_path=street.path
    )
    room = Room.objects.create(site=site, number="301", capacity=2)
    policy = Policy.objects.in_force()
    now = timezone.now().replace(microsecond=0)
    surnames, given = "王李张刘陈杨赵黄周吴", "伟芳娜敏静丽强磊军洋"
    households = Household.objects.bulk_create(
        Household(building=building, unit="1", room=f"{i:04d}", region_path=building.path)
        for i in range(orders + 1)
    )
    persons = Person.objects.bulk_create(
        Person(
            household=household,
            name=surnames[i % 10] + given[i // 10 % 10] + given[i % 7],
            gender="M",
            birth_date=datetime.date(1980, 5, 17),
            id_type="resident_id",
            id_number=(number := make_resident_id("350102", datetime.date(1980, 5, 17), i % 999)),
            id_tail=number[-4:],
            phone=f"138{i:08d}",
            region_path=household.region_path,
        )
        for i, household in enumerate(households)
    )

    def order(person, state, **extra):
        return Order(
            person=person,
            household=person.household,
            region_path=person.region_path,
            kind=QuarantineSetting.CENTRALISED,
            reason=OrderReason.CLOSE_CONTACT,
            policy=policy,
            term_days=7,
            test_days=[1, 3, 7],
            state=state,
            state_changed_at=now,
            created_at=now - datetime.timedelta(days=8),
            started_at=now - datetime.timedelta(days=7),
            planned_end_at=now,
            **extra,
        )

    released = Order.objects.bulk_create(
        order(person, OrderState.RELEASED, ended_at=now) for person in persons[1:]
    )
    active = order(persons[0], OrderState.ACTIVE, site=site, room=room)
    active.save()
    admin = get_user_model().objects.create(username="bench_admin", is_superuser=True)
    return admin, active, [order.pk for order in released]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=500, help="release certificates in bulk")
    parser.add_argument("--rounds", type=int, default=5, help="notices printed one by one")
    parser.add_argument("--database", type=Path, default=DEFAULT_DATABASE)
    parser.add_argument("--json", type=Path, help="also write the results here")
    options = parser.parse_args()
    configure(options.database)

    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)

    from fangyi.isolation.documents import rendering, services

    load_before = load_average()
    admin, active, released = make_city(options.orders)

    notice_seconds = []
    for _round in range(options.rounds + 1):
        started = time.perf_counter()
        notice = services.print_notice(actor=admin, order=active)
        notice_seconds.append(time.perf_counter() - started)
    first_notice, notice_seconds = notice_seconds[0], notice_seconds[1:]

    batches = [
        released[start : start + services.MAX_BULK]
        for start in range(0, len(released), services.MAX_BULK)
    ]
    batch_seconds, bulk_bytes = [], 0
    for batch in batches:
        started = time.perf_counter()
        bulk = services.print_releases(actor=admin, order_ids=batch)
        batch_seconds.append(time.perf_counter() - started)
        bulk_bytes += len(bulk.pdf)
    bulk_seconds = sum(batch_seconds)

    # The two parts of a bulk print, again, apart.
    orders = [services.orders_for(admin).get(pk=pk) for pk in batches[0]]
    issuers = services._issuer_names({order.region_path for order in orders})
    started = time.perf_counter()
    pages = [services.release_page(order, issuers[order.region_path], admin) for order in orders]
    pages_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rendering.render_pdf(
        "isolation/documents/release.html", {"pages": pages, "title": "", "codes": ""}
    )
    render_seconds = time.perf_counter() - started

    count, first = len(released), len(batches[0])
    results = {
        "orders": count,
        "batches": len(batches),
        "longest_batch_seconds": round(max(batch_seconds), 3),
        "notice_first_seconds": round(first_notice, 3),
        "notice_median_seconds": round(statistics.median(notice_seconds), 3),
        "notice_pdf_bytes": len(notice.pdf),
        "bulk_seconds": round(bulk_seconds, 3),
        "bulk_per_page_ms": round(bulk_seconds / count * 1000, 1),
        "bulk_pdf_bytes": bulk_bytes,
        "bulk_pdf_bytes_per_page": bulk_bytes // count,
        "pages_contents_per_page_ms": round(pages_seconds / first * 1000, 1),
        "rendering_per_page_ms": round(render_seconds / first * 1000, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_before": load_before,
            "load_average_after": load_average(),
            "date": time.strftime("%Y-%m-%d %H:%M"),
        },
    }
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if options.json:
        options.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print()
    print("| what | time | size |")
    print("| --- | --- | --- |")
    print(f"| one notice, first (loads WeasyPrint) | {first_notice:.2f} s | |")
    print(
        f"| one notice, median of {options.rounds} | {statistics.median(notice_seconds):.2f} s "
        f"| {len(notice.pdf) // 1024} KiB |"
    )
    print(
        f"| {count} release certificates, {len(batches)} PDF(s) | {bulk_seconds:.2f} s "
        f"({bulk_seconds / count * 1000:.0f} ms a page) | {bulk_bytes // 1024} KiB |"
    )
    print(f"| — the longest batch (one request) | {max(batch_seconds):.2f} s | |")
    print(f"| — of which contents (code, QR) | {pages_seconds / first * 1000:.1f} ms a page | |")
    print(f"| — of which WeasyPrint | {render_seconds / first * 1000:.1f} ms a page | |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

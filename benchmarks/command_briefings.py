"""The morning briefings: the city's and every district's, PDF and Word, at a million residents.

    .venv/bin/python benchmarks/command_briefings.py [--template fangyi_bench_1m]
        [--database fangyi_bench_briefings] [--keep] [--json results.json]

A copy of the seeded PostgreSQL database is made (CREATE DATABASE ... TEMPLATE ...), migrated,
and the snapshots of yesterday and the day before are taken (untimed here: the command area's
own benchmark times them). Then, in this process on one core, the morning job runs as it does
at 07:00 (`services.generate_due`): for the city and each district, the board read from the
snapshots, the problem list, the new zones, the text, and the PDF and the Word file, each
written to its row. Reported: the whole run (the goal is under 60 s), per region, and split
into reading the board, WeasyPrint's PDF and python-docx's Word file, measured again for the
city in the same run. This process's CPU time for the whole is reported beside its wall time:
on a shared machine it is the nearer to what the job costs alone. The first region pays for loading WeasyPrint and the fonts. The copy
is dropped afterwards unless --keep.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
    )


def configure(database: str) -> None:
    os.environ["FANGYI_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
    os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
    os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def load_average() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--template", default="fangyi_bench_1m")
    parser.add_argument("--database", default="fangyi_bench_briefings")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    started = time.perf_counter()
    psql(f"DROP DATABASE IF EXISTS {args.database}")
    psql(f"CREATE DATABASE {args.database} TEMPLATE {args.template}")
    copied = time.perf_counter() - started
    try:
        configure(args.database)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return run(args, copied)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            psql(f"DROP DATABASE IF EXISTS {args.database}")


def run(args, copied: float) -> int:
    from django.utils import timezone

    from fangyi.command import services as command
    from fangyi.command.briefings import content, rendering, services
    from fangyi.command.briefings.models import Briefing
    from fangyi.people.models import Person

    residents = Person.objects.count()
    today = timezone.localdate()
    day = today - datetime.timedelta(days=1)
    began = time.perf_counter()
    command.take_snapshot(day=day - datetime.timedelta(days=1))
    command.take_snapshot(day=day)
    snapshots = time.perf_counter() - began
    regions = list(services.morning_regions())
    Briefing.objects.filter(day=day).delete()
    print(f"{residents} residents, {len(regions)} regions; load before {load_average()}")

    now = datetime.datetime.combine(today, datetime.time(7), timezone.get_current_timezone())
    per_region = []
    began, began_cpu = time.perf_counter(), time.process_time()
    for region in regions:
        one = time.perf_counter()
        services.generate(actor=services.SCHEDULED, region=region, day=day)
        per_region.append((region.name, time.perf_counter() - one))
    whole, whole_cpu = time.perf_counter() - began, time.process_time() - began_cpu
    assert services.generate_due(now=now) == 0, "the job made again what was made"

    city = regions[0]
    parts = {}
    one = time.perf_counter()
    board = command.board(user=services.SCHEDULED, region=city, day=day)
    gathered = content.gather(board=board, template_text=services.template_text())
    parts["board and content"] = time.perf_counter() - one
    one = time.perf_counter()
    pdf = rendering.pdf(gathered)
    parts["pdf"] = time.perf_counter() - one
    one = time.perf_counter()
    docx = rendering.docx(gathered)
    parts["docx"] = time.perf_counter() - one

    times = [seconds for _name, seconds in per_region]
    result = {
        "date": timezone.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "residents": residents,
        "regions": len(regions),
        "copy_seconds": round(copied, 1),
        "snapshots_seconds": round(snapshots, 1),
        "whole_seconds": round(whole, 2),
        "whole_cpu_seconds": round(whole_cpu, 2),
        "first_region_seconds": round(times[0], 2),
        "median_region_seconds": round(statistics.median(times), 2),
        "slowest_region": max(per_region, key=lambda pair: pair[1]),
        "city_parts_seconds": {name: round(seconds, 3) for name, seconds in parts.items()},
        "pdf_bytes": len(pdf),
        "docx_bytes": len(docx),
        "load_after": load_average(),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if whole < 60 else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())

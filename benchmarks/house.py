"""Latency of each role's home page, and of the person list filtered by colour or searched by
a full ID number or part of a name, on a seeded city.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_1m \\
        .venv/bin/python benchmarks/house.py [--requests 100] [--only-home | --no-home]
        [--json out.json]

The database must hold a city made by `fangyi seed --demo-staff` (1,000,000 residents for the
figures in docs/benchmarks.md). Requests go through django.test.Client in this process, signed
in as the demo login of each role (its username is the role), so the figures include routing,
middleware, the view, the templates and the database, but no network or WSGI server. A home
page that redirects (checkpoint staff to the scan page, a grid worker to their grid) is timed
up to the redirect, and the redirect's target is printed.

`--only-home` times the home pages alone: the same script, run with PYTHONPATH pointing at an
older checkout, gives the baseline for the home pages in the same run.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from machine import database_version, load_average  # noqa: E402

from fangyi.accounts.models import User  # noqa: E402
from fangyi.people.models import Person  # noqa: E402

ROLES = (
    "admin",
    "commander",
    "officer",
    "grid_leader",
    "grid_worker",
    "volunteer",
    "checkpoint",
    "sampler",
    "lab",
)
WARM_UP = 3


def timed(client: Client, url: str, requests: int) -> dict:
    for _ in range(WARM_UP):
        response = client.get(url)
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    timings.sort()
    return {
        "url": url,
        "status": response.status_code,
        "redirect": response.get("Location", ""),
        "queries": len(queries),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
    }


def signed_in(username: str) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=username))
    return client


def person_list_series(requests: int) -> list[dict]:
    """The commander (whole city) filters by colour and searches; the grid worker searches their
    grid. Names and ID numbers are drawn from the city with a seeded generator."""
    rng = random.Random(7)
    sample = list(Person.objects.order_by("id").values_list("name", "id_number")[:20_000:97])
    commander, worker = signed_in("commander"), signed_in("grid_worker")
    rows = []
    for colour in ("red", "yellow", "green"):
        rows.append(
            {
                "series": f"city list, colour {colour}",
                **timed(commander, f"/people/?colour={colour}", requests),
            }
        )
    name, id_number = rng.choice(sample)
    rows.append(
        {
            "series": "city search, full ID number",
            **timed(commander, f"/people/?q={id_number}", requests),
        }
    )
    rows.append(
        {
            "series": "city search, 2 characters of a name",
            **timed(commander, f"/people/?q={name[-2:]}", requests),
        }
    )
    rows.append(
        {
            "series": "city search, a name found nowhere",
            **timed(commander, "/people/?q=无此人名", requests),
        }
    )
    rows.append(
        {
            "series": "grid search, 1 character of a name",
            **timed(worker, f"/people/?q={name[-1]}", requests),
        }
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--only-home", action="store_true")
    parser.add_argument("--no-home", action="store_true", help="the person list's series alone")
    parser.add_argument("--json")
    args = parser.parse_args()
    residents = Person.objects.count()
    print(
        f"{platform.node()} · {os.cpu_count()} cores · {database_version()} · "
        f"{residents:,} residents · load {load_average()}",
        file=sys.stderr,
    )
    rows = [
        {"series": f"home, {role}", **timed(signed_in(role), "/", args.requests)}
        for role in ([] if args.no_home else ROLES)
        if User.objects.filter(username=role).exists()
    ]
    if not args.only_home:
        rows += person_list_series(args.requests)
    print("| series | status | queries | median ms | p95 ms |")
    print("| --- | --- | ---: | ---: | ---: |")
    for row in rows:
        status = f"{row['status']} → {row['redirect']}" if row["redirect"] else row["status"]
        print(
            f"| {row['series']} | {status} | {row['queries']} | {row['median_ms']} "
            f"| {row['p95_ms']} |"
        )
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"residents": residents, "rows": rows}, out, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()

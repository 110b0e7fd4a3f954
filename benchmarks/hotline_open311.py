"""Open311's requests.json over a million tickets: p95 of a page of 100 (goal < 200 ms).

    psql -c "CREATE DATABASE hotline_o311_bench TEMPLATE fangyi_bench_1m"
    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_o311_bench \\
        .venv/bin/fangyi migrate
    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_o311_bench \\
        .venv/bin/python benchmarks/hotline_open311.py [--tickets 1000000] [--rounds 200]
    psql -c "DROP DATABASE hotline_o311_bench"

PostgreSQL only. The run adds, untimed, `--tickets` tickets in one INSERT … SELECT over
generate_series (it writes the tickets only: their events, callbacks and audit rows do not
change what requests.json reads): 60 days of them, ending now, in the city's buildings, of
every preset category (psychological help among them, which the list must skip), in every
state, a tenth of them filed through Open311. Then ANALYZE, as autovacuum would, and each
query of the list is asked `--rounds` times through Django's test client, the whole view
(rate limit, filters, the page, the region names, JSON) included:

- the first page of 100, unfiltered (the last 90 days, newest first);
- page 10 of 100;
- a category (service_code=food) and a rare one (hospital_line);
- open tickets only;
- one day (start_date and end_date);
- 20 tickets by service_request_id;
- the same first page in XML.

The rate limits are lifted for the run (settings.FANGYI_RATE_LIMITS): the client is one
address asking thousands of times.
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")
# The requests are asked through Django's test client, whose host is "testserver".
os.environ.setdefault("FANGYI_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from machine import database_version, load_average  # noqa: E402

from fangyi.hotline.models import Category, Ticket  # noqa: E402
from fangyi.regions.models import Level, Region  # noqa: E402

GOAL_P95_MS = 200.0
BENCH_PREFIX = "12345-B"
STATES = ["new", "dispatched", "accepted", "resolved", "closed", "closed", "closed", "merged"]
CHANNELS = ["phone"] * 6 + ["police", "chat", "portal", "open311"]


def insert_tickets(count: int) -> float:
    """The tickets, in one statement; answers the seconds it took."""
    buildings = list(
        Region.objects.filter(level=Level.BUILDING)
        .order_by("path")
        .values_list("id", "path")[:5000]
    )
    if not buildings:
        sys.exit("no building: seed a city first (fangyi seed)")
    categories = list(Category.objects.order_by("id").values_list("id", "confidential"))
    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO hotline_ticket (
                id, number, channel, caller_name, caller_phone, region_id, region_path,
                address, place_resolved, category_id, confidential, urgency, description,
                state, received_at, warn_at, due_at, escalation, reopen_count, reply,
                created_at, updated_at
            )
            SELECT
                gen_random_uuid(),
                %(prefix)s || lpad(n::text, 8, '0'),
                (%(channels)s::text[])[1 + n %% cardinality(%(channels)s::text[])],
                '', '138' || lpad((n %% 100000000)::text, 8, '0'),
                (%(regions)s::uuid[])[1 + n %% cardinality(%(regions)s::uuid[])],
                (%(paths)s::text[])[1 + n %% cardinality(%(paths)s::text[])],
                '', true,
                (%(categories)s::bigint[])[1 + (n / 7) %% cardinality(%(categories)s::bigint[])],
                (%(confidential)s::boolean[])[
                    1 + (n / 7) %% cardinality(%(confidential)s::boolean[])
                ],
                'normal', '诉求内容 ' || n,
                (%(states)s::text[])[1 + (n / 3) %% cardinality(%(states)s::text[])],
                received, received + interval '2 days', received + interval '3 days',
                0, 0, '', received, received
            FROM (
                SELECT n, now() - (n::double precision / %(count)s) * interval '60 days'
                    AS received
                FROM generate_series(1, %(count)s) AS n
            ) AS series
            """,
            {
                "prefix": BENCH_PREFIX,
                "channels": CHANNELS,
                "regions": [str(pk) for pk, _path in buildings],
                "paths": [path for _pk, path in buildings],
                "categories": [pk for pk, _confidential in categories],
                "confidential": [confidential for _pk, confidential in categories],
                "states": STATES,
                "count": count,
            },
        )
        cursor.execute("ANALYZE hotline_ticket")
    return time.monotonic() - began


def timed(client: Client, url: str, query: dict, rounds: int) -> list[float]:
    times = []
    for _round in range(rounds):
        began = time.perf_counter()
        response = client.get(url, query)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.content[:300]
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set FANGYI_DATABASE_URL to a copy of the benchmark database")
    settings.FANGYI_RATE_LIMITS = {
        name: (10**9, seconds) for name, (_events, seconds) in settings.FANGYI_RATE_LIMITS.items()
    }
    existing = Ticket.objects.filter(number__startswith=BENCH_PREFIX).count()
    if existing < args.tickets:
        Ticket.objects.filter(number__startswith=BENCH_PREFIX).delete()
        seconds = insert_tickets(args.tickets)
        print(f"inserted {args.tickets:,} tickets in {seconds:.1f} s")
    total = Ticket.objects.count()
    some = list(
        Ticket.objects.filter(number__startswith=BENCH_PREFIX, confidential=False)
        .exclude(state="merged")
        .order_by("-received_at")
        .values_list("number", flat=True)[1000:1020]
    )
    newest = Ticket.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    assert newest is not None
    day_end = newest.replace(microsecond=0)
    day_start = day_end.replace(hour=0, minute=0, second=0)
    client = Client()
    client.get("/open311/v2/requests.json", {"page_size": 100})
    cases = [
        ("first page", "json", {"page_size": 100}),
        ("page 10", "json", {"page_size": 100, "page": 10}),
        ("service_code=food", "json", {"page_size": 100, "service_code": "food"}),
        ("service_code=hospital_line", "json", {"page_size": 100, "service_code": "hospital_line"}),
        ("status=open", "json", {"page_size": 100, "status": "open"}),
        (
            "one day",
            "json",
            {
                "page_size": 100,
                "start_date": day_start.isoformat(),
                "end_date": day_end.isoformat(),
            },
        ),
        ("20 ids", "json", {"service_request_id": ",".join(some)}),
        ("first page, XML", "xml", {"page_size": 100}),
    ]
    print(f"{database_version()}, {total:,} tickets, load {load_average()}")
    print(f"{'query':<28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for name, fmt, query in cases:
        times = sorted(timed(client, f"/open311/v2/requests.{fmt}", query, args.rounds))
        p95 = times[int(len(times) * 0.95) - 1]
        worst = max(worst, p95)
        print(f"{name:<28} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}")
    verdict = "met" if worst < GOAL_P95_MS else "NOT met"
    print(f"worst p95 {worst:.1f} ms: goal < {GOAL_P95_MS:.0f} ms {verdict}")
    print(f"load after: {load_average()}")


if __name__ == "__main__":
    main()

"""What the token-use rate limit costs a staff API request, on each shared cache.

    .venv/bin/python benchmarks/ratelimit.py [--hits 2000] [--fill 0 10000 50000]
    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_ratelimit \\
        .venv/bin/python benchmarks/ratelimit.py
    FANGYI_CACHE_URL=redis://127.0.0.1:6379/12 .venv/bin/python benchmarks/ratelimit.py

Every staff API request counts one `token-use` event for its token
(`accounts/api_auth.py`: `ratelimit.hit`). Before finding 25's fix, on the database cache (the
default, `db://`) that was a read and a write of the cache table, and Django's database cache
counts the whole table on every write to decide whether to cull it, so the cost grew with the
entries the table holds (up to its `MAX_ENTRIES`, 50,000). Now it is one upsert of a row of
`core_ratecounter`. On the database cache both are measured in the same run: "cache table" is
the old way (the counter rows switched off), "counter rows" the new one. For each `--fill`, the
cache table and the counter table are emptied and filled with that many live entries (other
tokens' windows), then `--hits` events are counted for tokens of their own, one after the
other, timed one by one. Without FANGYI_DATABASE_URL the database is a fresh
SQLite file in a temporary directory. Redis database 12 is emptied before and after
(`--fill` entries are written there too).
"""

import argparse
import base64
import datetime
import json
import os
import pickle
import platform
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")
if not os.environ.get("FANGYI_DATABASE_URL"):
    os.environ["FANGYI_DATA_DIR"] = tempfile.mkdtemp(prefix="fangyi-bench-ratelimit-")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.core.cache.backends.db import DatabaseCache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from fangyi.core import ratelimit  # noqa: E402
from fangyi.core.models import RateCounter  # noqa: E402

cache = caches[
    "default"
]  # the backend itself: the proxy `django.core.cache.cache` is no instance of it


def fill(entries: int) -> None:
    cache.clear()
    batch = {f"ratelimit:token-use:0:filler{n}": 1 for n in range(entries)}
    if not isinstance(cache, DatabaseCache):
        cache.set_many(batch, 3600)
        return
    # Written straight into the table, as the database cache stores them: through `set_many`
    # each key would count the table first, which is what is measured, not how to fill it.
    expires = timezone.now() + datetime.timedelta(hours=1)
    rows = [
        (cache.make_key(key), base64.b64encode(pickle.dumps(value)).decode(), expires)
        for key, value in batch.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {cache._table} (cache_key, value, expires) VALUES (%s, %s, %s)", rows
        )
    RateCounter.objects.all().delete()
    ends = time.time() + 3600
    RateCounter.objects.bulk_create(
        (RateCounter(key=key, count=1, ends=ends) for key in batch), batch_size=5000
    )


def measure(hits: int) -> dict:
    times = []
    for n in range(hits):
        started = time.perf_counter()
        ratelimit.hit("token-use", f"bench-token-{n % 50}")
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 3),
        "p99_ms": round(times[int(len(times) * 0.99) - 1], 3),
        "max_ms": round(times[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=2000)
    parser.add_argument("--fill", type=int, nargs="+", default=[0, 10_000, 50_000])
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    ways = {"": ratelimit._in_database}
    if isinstance(cache, DatabaseCache):
        ways = {"cache table": lambda: False, "counter rows": ratelimit._in_database}
    rows = []
    for entries in options.fill:
        for way, in_database in ways.items():
            print(f"{backend} {way} on {connection.vendor}: {entries:,} …", file=sys.stderr)
            fill(entries)
            ratelimit._in_database = in_database
            load = os.getloadavg()[0]
            rows.append(
                {"way": way, "entries": entries, "load_before": round(load, 2)}
                | measure(options.hits)
            )
    cache.clear()
    RateCounter.objects.all().delete()
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"cache: {backend}, database: {connection.vendor}, {options.hits} hits per row")
    print("| counted in | entries | median ms | p99 ms | max ms | load before |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['way'] or backend} | {row['entries']:,} | {row['median_ms']} "
            f"| {row['p99_ms']} | {row['max_ms']} | {row['load_before']} |"
        )
    print(json.dumps({"backend": backend, "database": connection.vendor, "rows": rows}))


if __name__ == "__main__":
    main()

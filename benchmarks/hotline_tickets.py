"""The 12345 hotline's figures (issue 17): tickets through the API, the escalation sweep, the
caller lookup.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \\
        .venv/bin/python benchmarks/hotline_tickets.py all [--tickets 50000] [--open 1000000]

The database must hold a city made by `fangyi seed --demo-staff` (benchmarks/seed.py keeps
one: the 1M-resident city) with the hotline's migrations applied; what the run adds stays, so
use a copy (`CREATE DATABASE hotline_bench TEMPLATE fangyi_bench_1m`). `setup` (run by the
others) makes, untimed: `--operators` operators of the city, each with an API token (a token
may make 600 requests a minute: a call centre has many operators), a team per street, the
health commission, and the routing rules between them.

1. `intake`: `--tickets` tickets POSTed to /api/v1/hotline/tickets of a gunicorn started here
   (`--workers` sync workers with `--threads`), by `--clients` threads, each ticket dispatched
   at once by the rules, a fifth naming a resident as the caller; throughput over the whole
   run and its slowest 10-second window, and latency percentiles of the answers.
2. `sweep`: `--open` open tickets written in one statement (untimed), spread so that a share
   crosses 80 % or 100 % of its limit at the moment swept; then `services.escalate_due`
   timed: the steady state (the share given by `--crossing`), then `--catch-up-runs` runs of
   a catch-up where every open ticket is past its limit at once (the scheduler down for
   days), each run moving at most FANGYI_HOTLINE_SWEEP_BATCH tickets per level.
3. `lookup`: `--lookups` GETs of /api/v1/hotline/lookup, sequential, each a 7-digit prefix of
   a resident's phone or an ID tail, as typed on the intake page: p50, p95, p99.
4. `profile`: `--profile-tickets` intakes through Django's test client in this process (no
   HTTP, no other process): the CPU milliseconds of one intake (the request, the schemas, the
   services; not the database's own), the statements of one intake, and with `--cprofile
   FILE` the functions that took the time.

Wall seconds, measured in this process; the machine's load average before and after, since
it may be shared. Wall times on a shared machine measure the queue for a CPU as much as the
work, so `intake` and `lookup` also report CPU milliseconds per request: of gunicorn's
workers, of the PostgreSQL backends serving them, and of this process's clients (which must
stay well below the server's, or the client is what limits the figure).

`--src` runs the server (and `profile`) on another checkout's `src`, to measure the code
before a change beside it in the same run:

    git archive <commit> src | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before/src … hotline_tickets.py intake --src /tmp/before/src
"""

import argparse
import cProfile
import datetime
import json
import os
import platform
import pstats
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")
os.environ.setdefault("FANGYI_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# Debug mode keeps every statement of a request in memory: not what production runs.
os.environ["FANGYI_DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client as TestClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from httpload import Client, children, percentile, start_gunicorn, wait_for  # noqa: E402
from machine import database_version, load_average  # noqa: E402

import fangyi  # noqa: E402
from fangyi.accounts.models import RoleAssignment, User  # noqa: E402
from fangyi.accounts.services import issue_token  # noqa: E402
from fangyi.hotline import services  # noqa: E402
from fangyi.hotline.area import OPERATOR  # noqa: E402
from fangyi.hotline.models import Category, HandlingUnit, RoutingRule, Ticket  # noqa: E402
from fangyi.people.models import Person  # noqa: E402
from fangyi.regions.models import Level, Region  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ["food", "medical", "medicines", "passes", "testing", "health_code", "utilities"]


def _city() -> Region:
    return Region.objects.filter(level=Level.CITY).order_by("path").first()


def setup(args) -> dict:
    """Operators with tokens, a team per street, the health commission, the rules."""
    city = _city()
    admin = User.objects.filter(is_superuser=True).first() or User.objects.get(username="admin")
    tokens = []
    for n in range(args.operators):
        user, _created = User.objects.get_or_create(username=f"bench_operator_{n}")
        RoleAssignment.objects.get_or_create(
            user=user, role=OPERATOR, region=city, defaults={"region_path": city.path}
        )
        tokens.append(issue_token(actor=None, user=user))
    for street in Region.objects.filter(level=Level.STREET, path__startswith=city.path):
        if not HandlingUnit.objects.filter(code=f"bench-{street.code}").exists():
            services.create_unit(
                actor=admin,
                code=f"bench-{street.code}",
                name=f"{street.name}专班",
                kind="street",
                region=street,
            )
    health = HandlingUnit.objects.filter(code="bench-health").first() or services.create_unit(
        actor=admin, code="bench-health", name="市卫健委", kind="department", region=city
    )
    # The demo's city (fangyi seed --demo-staff) has its own rule for medical help.
    if not RoutingRule.objects.filter(region_path=city.path, category__code="medical").exists():
        services.create_rule(
            actor=admin, region=city, category=Category.objects.get(code="medical"), unit=health
        )
    if not RoutingRule.objects.filter(region_path=city.path, category=None).exists():
        services.create_rule(actor=admin, region=city, place_level="street")
    return {"city": city.code, "tokens": tokens}


def _buildings(city: Region, count: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code FROM regions_region WHERE level = %s AND path >= %s AND path < %s "
            "ORDER BY random() LIMIT %s",
            [Level.BUILDING, city.path, city.path + "~", count],
        )
        return [row[0] for row in cursor.fetchall()]


def _people(count: int) -> list[tuple[str, str, str]]:
    """(id, phone, id tail) of residents picked at random (TABLESAMPLE: 1M rows, no sort)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, phone, id_tail FROM people_person TABLESAMPLE SYSTEM (2) "
            "WHERE phone <> '' LIMIT %s",
            [count],
        )
        return [(str(a), b, c) for a, b, c in cursor.fetchall()]


TICK = os.sysconf("SC_CLK_TCK")
# On a loaded machine a worker may take over a minute to import Django: gunicorn must not
# kill it for silence meanwhile, nor the script give up on it.
BOOT_SECONDS = 300


def _stop(server) -> None:
    server.terminate()
    try:
        server.wait(90)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(30)


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User and system CPU seconds of each process still there (from /proc)."""
    spent = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        spent[pid] = (int(fields[11]) + int(fields[12])) / TICK
    return spent


def _backends(own: set[int]) -> list[int]:
    """The PostgreSQL backends of this database but this process's own (the server's)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall() if row[0] not in own]


def own_backend() -> int | None:
    """This thread's connection's backend, left out of the server's CPU."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    return connection.connection.info.backend_pid


class CpuMeter:
    """CPU seconds spent between start() and stop() by gunicorn's workers, by the database
    backends serving them, and by this process. The server closes a connection a minute old
    (CONN_MAX_AGE) and opens another, so the backends are looked at twice a second: one that
    came and went in between counts for what it had spent when last seen (what it spends in
    its last half second is missed). The backends of this process (the ANALYZE that stands in
    for autovacuum) are not counted."""

    def __init__(self, server, own: set[int]) -> None:
        self.server = server
        self.own = own
        self.seen: dict[int, float] = {}
        self.running = False

    def _watch(self) -> None:
        self.own.add(own_backend() or 0)
        try:
            while self.running:
                self.seen.update(_cpu_seconds(_backends(self.own)))
                time.sleep(0.5)
        finally:
            connection.close()

    def start(self) -> None:
        self.before_server = _cpu_seconds(children(self.server.pid))
        self.before_database = _cpu_seconds(_backends(self.own))
        times = os.times()
        self.before_client = times.user + times.system
        self.seen = dict(self.before_database)
        self.running = True
        self.watcher = threading.Thread(target=self._watch, daemon=True)
        self.watcher.start()

    def stop(self, requests: int) -> dict:
        self.running = False
        self.watcher.join()
        self.seen.update(_cpu_seconds(_backends(self.own)))
        server = _cpu_seconds(children(self.server.pid))
        times = os.times()
        per = 1000 / max(requests, 1)
        return {
            "server_cpu_ms_per_request": round(
                sum(s - self.before_server.get(pid, 0.0) for pid, s in server.items()) * per, 2
            ),
            "database_cpu_ms_per_request": round(
                sum(
                    s - self.before_database.get(pid, 0.0)
                    for pid, s in self.seen.items()
                    if pid not in self.own
                )
                * per,
                2,
            ),
            "database_backends_seen": len(set(self.seen) - self.own),
            "client_cpu_ms_per_request": round(
                (times.user + times.system - self.before_client) * per, 2
            ),
        }


def _server_env(args) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(args.src))


def _ticket_body(rng: random.Random, n: int, buildings: list[str], people: list) -> dict:
    body: dict = {
        "channel": "phone",
        "category": rng.choice(CATEGORIES),
        "description": "压测：居民来电反映需要帮助",
        "region": rng.choice(buildings),
        "dispatch": True,
    }
    if n % 5 == 0:
        body["caller"] = {"person": rng.choice(people)[0]}
    return body


def _analyze_while(threads: list[threading.Thread], own: set[int], every: float = 15.0) -> None:
    """ANALYZE the tables intake fills while it runs, as autovacuum would (it may be off on a
    benchmark machine): planned on the few tickets of the start, the duplicates' query of
    the 50,000th ticket would scan the table."""
    if connection.vendor != "postgresql":
        return
    own.add(own_backend() or 0)
    try:
        while any(thread.is_alive() for thread in threads):
            time.sleep(every)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE hotline_ticket, hotline_ticketevent")
    finally:
        connection.close()


def intake(args, tokens: list[str]) -> dict:
    city = _city()
    buildings = _buildings(city, 5_000)
    people = _people(5_000)
    server = start_gunicorn(
        _server_env(args),
        args.port,
        workers=args.workers,
        worker_class="gthread",
        threads=args.threads,
        timeout=BOOT_SECONDS,
    )
    base = f"http://127.0.0.1:{args.port}"
    answers: list = []
    lock = threading.Lock()
    counter = iter(range(args.tickets))
    own = {own_backend() or 0}
    meter = CpuMeter(server, own)
    try:
        wait_for(base, "/api/v1/hotline/categories", BOOT_SECONDS)
        # Every worker thread opens its connection and reads the setup before the clock runs.
        warm = Client(base)
        for n in range(args.workers * args.threads * 4):
            warm.request(
                "warm",
                "POST",
                "/api/v1/hotline/tickets",
                headers={
                    "Authorization": f"Bearer {tokens[n % len(tokens)]}",
                    "Content-Type": "application/json",
                },
                body=json.dumps(_ticket_body(random.Random(-n), 1, buildings, people)).encode(),
            )
        warm.close()

        def work(index: int) -> None:
            client = Client(base)
            rng = random.Random(index)
            mine = []
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    break
                token = tokens[n % len(tokens)]
                mine.append(
                    client.request(
                        "intake",
                        "POST",
                        "/api/v1/hotline/tickets",
                        headers={
                            "Authorization": f"Bearer {token}",
                            "Content-Type": "application/json",
                        },
                        body=json.dumps(_ticket_body(rng, n, buildings, people)).encode(),
                    )
                )
            with lock:
                answers.extend(mine)

        meter.start()
        started = time.monotonic()
        threads = [threading.Thread(target=work, args=(i,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        analyzer = threading.Thread(target=_analyze_while, args=(threads, own), daemon=True)
        analyzer.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        cpu = meter.stop(len(answers))
        analyzer.join()
    finally:
        _stop(server)
    # Counted in this process after the run, on the code of PYTHONPATH (give the same as --src).
    one = _one_intake(tokens, buildings, people)
    one(0)
    statements = _statements(one)
    ok = [a for a in answers if a.status == 201]
    failed = [a for a in answers if a.status != 201]
    seconds = [a.seconds for a in ok]
    windows: dict[int, int] = {}
    for answer in ok:
        window = int((answer.sent + answer.seconds - started) // 10)
        windows[window] = windows.get(window, 0) + 1
    full = [count / 10 for window, count in windows.items() if (window + 1) * 10 <= wall]
    return {
        "tickets": len(ok),
        "failed": len(failed),
        "failures": sorted(
            {(a.status or 0, a.error or a.body[:120].decode(errors="replace")) for a in failed}
        )[:5],
        "wall_s": round(wall, 1),
        "per_second": round(len(ok) / wall, 1),
        "slowest_10s_window_per_second": min(full) if full else None,
        "p50_ms": round(statistics.median(seconds) * 1000, 1),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 1),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1),
        **cpu,
        "statements_per_intake": statements,
        "workers": args.workers,
        "threads": args.threads,
        "clients": args.clients,
        "src": str(args.src),
    }


def _fill_open(count: int, crossing: float, now: datetime.datetime) -> None:
    """`count` open tickets in one INSERT … SELECT: a share `crossing` has passed 80 % (half
    of those 100 %) of its limit at `now`, the rest is far from it."""
    city = _city()
    food = Category.objects.get(code="food")
    unit = HandlingUnit.objects.filter(code__startswith="bench-").first()
    states = ["new", "dispatched", "accepted"]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_buildings AS SELECT row_number() OVER () AS n, id, path "
            "FROM regions_region WHERE level = %s AND path >= %s AND path < %s",
            [Level.BUILDING, city.path, city.path + "~"],
        )
        cursor.execute("SELECT count(*) FROM bench_buildings")
        (buildings,) = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO hotline_ticket (
                id, number, channel, caller_name, caller_phone, region_id, region_path, address,
                place_resolved, category_id, confidential, urgency, description, state, unit_id,
                received_at, warn_at, due_at, escalation, reopen_count, reply, created_at,
                updated_at)
            SELECT gen_random_uuid(), 'BENCH-' || g, 'phone', '', '', b.id, b.path, '', true,
                   %(category)s, false, 'normal', '压测', (%(states)s::text[])[1 + g %% 3],
                   CASE WHEN g %% 3 = 0 THEN NULL ELSE %(unit)s::uuid END,
                   %(now)s - interval '2 days',
                   CASE WHEN random() < %(crossing)s THEN %(now)s - interval '1 minute'
                        ELSE %(now)s + interval '2 days' END,
                   %(now)s + interval '3 days', 0, 0, '', %(now)s, %(now)s
            FROM generate_series(1, %(count)s) AS g
            JOIN bench_buildings b ON b.n = 1 + g %% %(buildings)s
            """,
            {
                "category": food.pk,
                "states": states,
                "unit": str(unit.pk) if unit else None,
                "now": now,
                "crossing": crossing,
                "count": count,
                "buildings": buildings,
            },
        )
        # Half of those warned are past their limit too.
        cursor.execute(
            "UPDATE hotline_ticket SET due_at = %s - interval '30 seconds' "
            "WHERE number LIKE 'BENCH-%%' AND warn_at < %s AND random() < 0.5",
            [now, now],
        )
        cursor.execute("ANALYZE hotline_ticket")


def sweep(args) -> dict:
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM hotline_ticket WHERE number LIKE 'BENCH-%%'")
        (present,) = cursor.fetchone()
    if present < args.open:
        with transaction.atomic():
            fill_started = time.monotonic()
            _fill_open(args.open - present, args.crossing, now)
            filled = time.monotonic() - fill_started
    else:
        filled = 0.0
    with connection.cursor() as cursor:
        # A run before this one escalated them: back to where the fill left them.
        cursor.execute(
            "DELETE FROM hotline_ticketevent WHERE kind = 'escalate' AND ticket_id IN "
            "(SELECT id FROM hotline_ticket WHERE number LIKE 'BENCH-%%' AND escalation > 0)"
        )
        cursor.execute(
            "UPDATE hotline_ticket SET escalation = 0, escalated_at = NULL "
            "WHERE number LIKE 'BENCH-%%' AND escalation > 0"
        )
        cursor.execute("VACUUM ANALYZE hotline_ticket")
        cursor.execute("VACUUM ANALYZE hotline_ticketevent")
    open_count = Ticket.objects.open().count()
    started = time.monotonic()
    steady = services.escalate_due(now=now)
    steady_s = time.monotonic() - started
    print(
        json.dumps(
            {"steady_s": round(steady_s, 2), "warned": steady.warned, "overdue": steady.overdue}
        ),
        flush=True,
    )
    # The scheduler was down for days: every open ticket is past its limit at once. Each run
    # moves at most FANGYI_HOTLINE_SWEEP_BATCH per level; the first runs are timed.
    later = now + datetime.timedelta(days=10)
    catch_up = []
    for _ in range(args.catch_up_runs):
        started = time.monotonic()
        moved = services.escalate_due(now=later)
        catch_up.append(
            {
                "warned": moved.warned,
                "overdue": moved.overdue,
                "s": round(time.monotonic() - started, 2),
            }
        )
        print(json.dumps(catch_up[-1]), flush=True)
    return {
        "open_tickets": open_count,
        "fill_s": round(filled, 1),
        "steady": {"warned": steady.warned, "overdue": steady.overdue, "s": round(steady_s, 2)},
        "catch_up_runs": catch_up,
    }


def lookup(args, tokens: list[str]) -> dict:
    people = _people(args.lookups)
    server = start_gunicorn(
        _server_env(args),
        args.port,
        workers=2,
        worker_class="gthread",
        threads=2,
        timeout=BOOT_SECONDS,
    )
    base = f"http://127.0.0.1:{args.port}"
    meter = CpuMeter(server, {own_backend() or 0})
    try:
        wait_for(base, "/api/v1/hotline/categories", BOOT_SECONDS)
        client = Client(base)
        meter.start()
        timings: dict[str, list[float]] = {"phone": [], "id_tail": []}
        found = 0
        for n, (_pk, phone, tail) in enumerate(people):
            kind = "phone" if n % 2 == 0 else "id_tail"
            query = f"phone={phone[:7]}" if kind == "phone" else f"id_tail={tail}"
            answer = client.request(
                kind,
                "GET",
                f"/api/v1/hotline/lookup?{query}",
                headers={"Authorization": f"Bearer {tokens[n % len(tokens)]}"},
            )
            if answer.status != 200:
                raise SystemExit(f"lookup answered {answer.status}: {answer.body[:200]!r}")
            found += bool(json.loads(answer.body))
            timings[kind].append(answer.seconds)
        cpu = meter.stop(len(people))
    finally:
        _stop(server)
    every = timings["phone"] + timings["id_tail"]

    def summary(values: list[float]) -> dict:
        return {
            "n": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        }

    return {
        "residents": Person.objects.count(),
        "answered_with_someone": found,
        **cpu,
        "src": str(args.src),
        "all": summary(every),
        "phone_prefix_7": summary(timings["phone"]),
        "id_tail": summary(timings["id_tail"]),
    }


def _one_intake(tokens: list[str], buildings: list[str], people: list):
    """An intake through Django's test client in this process (the code on PYTHONPATH)."""
    clients = [
        TestClient(headers={"Authorization": f"Bearer {token}"}, HTTP_HOST="127.0.0.1")
        for token in tokens
    ]
    rng = random.Random(7)

    def one(n: int) -> None:
        answer = clients[n % len(clients)].post(
            "/api/v1/hotline/tickets",
            _ticket_body(rng, n, buildings, people),
            content_type="application/json",
        )
        if answer.status_code != 201:
            raise SystemExit(f"intake answered {answer.status_code}: {answer.content[:300]!r}")

    return one


def _statements(one, count: int = 50) -> dict:
    """The statements of `count` intakes, each counted (BEGIN and COMMIT are not statements
    to Django; a connection's health check before the first statement of a request is not
    counted either)."""
    counted = []
    for n in range(count):
        with CaptureQueriesContext(connection) as queries:
            one(n)
        counted.append(len(queries.captured_queries))
    return {
        "mean": round(statistics.mean(counted), 2),
        "min": min(counted),
        "max": max(counted),
        "note": "a fifth of the tickets name a resident: one statement more",
        "code": str(Path(fangyi.__file__).parent),
    }


def profile(args, tokens: list[str]) -> dict:
    """Intakes through the test client in this process: CPU and statements per intake."""
    city = _city()
    buildings = _buildings(city, 5_000)
    people = _people(5_000)
    one = _one_intake(tokens, buildings, people)
    for n in range(20):
        one(n)
    statements = _statements(one)
    profiler = cProfile.Profile() if args.cprofile else None
    cpu_started, started = time.process_time(), time.monotonic()
    if profiler:
        profiler.enable()
    for n in range(args.profile_tickets):
        one(n)
    if profiler:
        profiler.disable()
    cpu = time.process_time() - cpu_started
    wall = time.monotonic() - started
    if profiler:
        profiler.dump_stats(args.cprofile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return {
        "intakes": args.profile_tickets,
        "cpu_ms_per_intake": round(cpu * 1000 / args.profile_tickets, 2),
        "wall_ms_per_intake": round(wall * 1000 / args.profile_tickets, 2),
        "statements_per_intake": statements,
        "cprofile": str(args.cprofile) if args.cprofile else None,
        "src": str(args.src),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["setup", "intake", "sweep", "lookup", "profile", "all"])
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--open", type=int, default=1_000_000)
    parser.add_argument("--crossing", type=float, default=0.01)
    parser.add_argument("--catch-up-runs", type=int, default=2)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--operators", type=int, default=40)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--profile-tickets", type=int, default=500)
    parser.add_argument("--cprofile", type=Path, help="profile: write cProfile's stats here")
    parser.add_argument(
        "--src", type=Path, default=ROOT / "src", help="the code the server runs (PYTHONPATH)"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict = {
        "machine": f"{platform.node()} {os.cpu_count()} cores, {platform.python_version()}",
        "database": database_version(),
        "load_before": load_average(),
        "date": timezone.now().isoformat(timespec="seconds"),
    }
    made = setup(args)
    tokens = made["tokens"]
    if args.command in ("intake", "all"):
        results["intake"] = intake(args, tokens)
        print(json.dumps(results["intake"], ensure_ascii=False), flush=True)
    if args.command == "profile":
        results["profile"] = profile(args, tokens)
        print(json.dumps(results["profile"], ensure_ascii=False), flush=True)
    if args.command in ("lookup", "all"):
        results["lookup"] = lookup(args, tokens)
        print(json.dumps(results["lookup"], ensure_ascii=False), flush=True)
    if args.command in ("sweep", "all"):
        results["sweep"] = sweep(args)
        print(json.dumps(results["sweep"], ensure_ascii=False), flush=True)
    results["load_after"] = load_average()
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

"""A soak: gunicorn and the task worker under a bounded mixed load for many minutes.

    .venv/bin/python benchmarks/soak.py [--minutes 10] [--residents 100000] [--workers 4]
        [--database ops_soak] [--json soak.json]

The city is a PostgreSQL database on the local server (`--database`, seeded with
`fangyi seed --residents N --demo-staff` when it has no residents, reused otherwise). gunicorn
(gthread) and `fangyi db_worker` run as they would in production, and a load generator on
127.0.0.1 sends every kind of request at a fixed rate (open loop per thread: a request that
takes long delays that thread's next one, so the load stays bounded and never piles up):

- code: residents fetch their display code (`GET /api/v1/me/code`, resident tokens);
- persons: the demo grid worker lists and searches persons (`GET /api/v1/persons`, part of a
  name or the last four ID digits), and the same on the page (`GET /people/?q=`, a session);
- samples: the demo sampler's device uploads batches of full pools of ten
  (`POST /api/v1/screening/samples`) at the demo site;
- results: the demo lab reports those tubes negative (`POST /api/v1/screening/results`);
- zones: the demo officer draws a medium-risk zone over a building and lifts it again
  (`POST /api/v1/zones`, `POST /api/v1/zones/{id}/lift`);
- export: the grid worker exports the grid's residents (`POST /api/v1/ledgers/residents/
  exports`, more rows than the soak's inline limit, so the task worker writes the file), asks
  until it is done, and downloads it; each request counts.

Every answer is read to the end; an error is any status other than 2xx/3xx, or an exception.
The memory (VmRSS) of gunicorn's master and workers and of the task worker is read from /proc
at the start, every `--rss-every` seconds and at the end; a worker replaced during the run
would show as a new pid. Everything shares this machine's cores with PostgreSQL, and with
whatever else runs on it: the load average is recorded.
"""

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "benchmarks")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

from httpload import (  # noqa: E402
    Answer,
    Client,
    children,
    load_average,
    percentile,
    rss_mib,
    start_gunicorn,
    wait_for,
)

# Requests a second per kind (a page and an API call of the grid worker count as one each).
RATES = {
    "code": 20.0,
    "persons_api": 3.0,
    "persons_page": 1.0,
    "samples": 0.2,
    "results": 0.1,
    "zones": 1 / 15,
    "export": 1 / 5,
}
THREADS = {
    "code": 4,
    "persons_api": 2,
    "persons_page": 1,
    "samples": 1,
    "results": 1,
    "zones": 1,
    "export": 1,
}
# Exports of more rows than this go to the task worker: the grid's residents do.
INLINE_EXPORT_ROWS = "200"
TUBES_PER_BATCH = 20
POOL = 10


def database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def ensure_city(name: str, residents: int, env: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    fangyi = [sys.executable, "-m", "fangyi"]
    subprocess.run([*fangyi, "migrate", "-v", "0"], env=env, check=True)
    started = time.monotonic()
    subprocess.run(
        [*fangyi, "seed", "--residents", str(residents), "--demo-staff"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"city ready in {time.monotonic() - started:.0f} s", flush=True)


def prepare() -> dict:
    """Tokens, a session and the ids every kind of request needs, from the database."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from fangyi.accounts.models import User
    from fangyi.accounts.services import issue_token as staff_token
    from fangyi.codes.services import subject_for
    from fangyi.core.context import acting
    from fangyi.core.paths import under
    from fangyi.demo.screening import NAME
    from fangyi.people.models import Person
    from fangyi.portal.services import issue_token
    from fangyi.regions.models import Level, Region
    from fangyi.screening.campaigns import services as campaigns
    from fangyi.screening.models import Campaign

    rng = random.Random(7)
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS)}
    with acting(via="cli"):
        ids = list(Person.objects.values_list("pk", flat=True))
        residents = []
        for pk in rng.sample(ids, 500):
            subject_for(pk)
            residents.append(issue_token(person=Person(pk=pk))[0])
        tokens = {name: staff_token(actor=None, user=user) for name, user in users.items()}
        worker = users["grid_worker"]
        session = SessionStore()
        session[SESSION_KEY] = str(worker.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = worker.get_session_auth_hash()
        session.create()
        grid = worker.role_assignments.get().region
        in_grid = list(
            Person.objects.filter(under("region_path", grid.path)).values_list("name", "id_number")
        )
        searches = [name[1:] or name for name, _ in in_grid] + [num[-4:] for _, num in in_grid]
        campaign = Campaign.objects.get(name=NAME)
        site = campaign.sites.get()
        now = timezone.now()
        if not campaign.rounds.filter(starts_at__lte=now, deadline__gte=now + timedelta(hours=2)):
            last = campaign.rounds.order_by("-deadline").first()
            campaigns.add_round(
                actor=users["officer"],
                campaign=campaign,
                starts_at=max(now - timedelta(minutes=5), last.deadline if last else now),
                deadline=now + timedelta(hours=12),
            )
        sampled = list(
            Person.objects.filter(under("region_path", site.region.path)).values_list(
                "pk", flat=True
            )
        )
        officer_region = users["officer"].role_assignments.get().region
        buildings = list(
            Region.objects.filter(
                under("path", officer_region.path), level=Level.BUILDING
            ).values_list("code", flat=True)[:200]
        )
    return {
        "residents": residents,
        "tokens": tokens,
        "session": session.session_key,
        "grid": grid.code,
        "searches": searches,
        "site": str(site.pk),
        "site_persons": [str(pk) for pk in sampled],
        "buildings": buildings,
    }


DEMO_USERS = ("grid_worker", "sampler", "lab", "officer")


class Soak:
    def __init__(self, base: str, data: dict, seconds: float) -> None:
        self.base = base
        self.data = data
        self.seconds = seconds
        self.answers: dict[str, list[Answer]] = defaultdict(list)
        self.closed_tubes: list[str] = []
        self.lock = threading.Lock()
        self.run_id = uuid.uuid4().hex[:8].upper()
        self.tube_number = 0
        self.exports_done = 0

    def bearer(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.data['tokens'][user]}"}

    def record(self, answer: Answer) -> Answer:
        self.answers[answer.kind].append(answer)
        return answer

    # One function per kind: each sends one request (the zones one, one step of two).

    def code(self, client: Client, rng: random.Random, _state: dict) -> None:
        token = rng.choice(self.data["residents"])
        headers = {"Authorization": f"Bearer {token}"}
        self.record(client.request("code", "GET", "/api/v1/me/code", headers=headers))

    def persons_api(self, client: Client, rng: random.Random, _state: dict) -> None:
        path = "/api/v1/persons"
        if rng.random() < 0.5:
            path += "?q=" + urllib_quote(rng.choice(self.data["searches"]))
        self.record(client.request("persons_api", "GET", path, headers=self.bearer("grid_worker")))

    def persons_page(self, client: Client, rng: random.Random, _state: dict) -> None:
        path = "/people/"
        if rng.random() < 0.5:
            path += "?q=" + urllib_quote(rng.choice(self.data["searches"]))
        cookie = {"Cookie": f"sessionid={self.data['session']}"}
        self.record(client.request("persons_page", "GET", path, headers=cookie))

    def samples(self, client: Client, rng: random.Random, _state: dict) -> None:
        now = datetime.now(UTC)
        items, barcodes = [], []
        with self.lock:
            first = self.tube_number
            self.tube_number += TUBES_PER_BATCH
        # A batch may not put anyone in two tubes of the round (422): distinct persons.
        people = rng.sample(self.data["site_persons"], TUBES_PER_BATCH * POOL)
        for number in range(first, first + TUBES_PER_BATCH):
            barcode = f"SOAK{self.run_id}{number:06d}"
            barcodes.append(barcode)
            persons, people = people[:POOL], people[POOL:]
            items.append(
                {
                    "tube": barcode,
                    "persons": persons,
                    "site": self.data["site"],
                    "sampled_at": now.isoformat(),
                    "pool_size": POOL,
                }
            )
        answer = self.record(
            client.request(
                "samples",
                "POST",
                "/api/v1/screening/samples",
                headers=self.bearer("sampler") | {"Content-Type": "application/json"},
                body=json.dumps({"samples": items}).encode(),
            )
        )
        if answer.status == 201:
            with self.lock:
                self.closed_tubes.extend(barcodes)

    def results(self, client: Client, _rng: random.Random, _state: dict) -> None:
        with self.lock:
            barcodes, self.closed_tubes = self.closed_tubes, []
        if not barcodes:
            return
        tested = datetime.now(UTC).isoformat()
        body = {
            "results": [{"tube": b, "result": "negative", "tested_at": tested} for b in barcodes]
        }
        self.record(
            client.request(
                "results",
                "POST",
                "/api/v1/screening/results",
                headers=self.bearer("lab") | {"Content-Type": "application/json"},
                body=json.dumps(body).encode(),
            )
        )

    def zones(self, client: Client, rng: random.Random, state: dict) -> None:
        headers = self.bearer("officer") | {"Content-Type": "application/json"}
        if "zone" not in state:
            body = {
                "kind": "medium",
                "regions": [rng.choice(self.data["buildings"])],
                "reason": "浸泡测试：划定",
            }
            answer = self.record(
                client.request(
                    "zones",
                    "POST",
                    "/api/v1/zones",
                    headers=headers,
                    body=json.dumps(body).encode(),
                )
            )
            if answer.status == 201:
                state["zone"] = json.loads(answer.body)["id"]
            return
        zone = state.pop("zone")
        body = json.dumps({"reason": "浸泡测试：解除"}).encode()
        answer = self.record(
            client.request(
                "zones", "POST", f"/api/v1/zones/{zone}/lift", headers=headers, body=body
            )
        )
        if answer.status == 200 and json.loads(answer.body).get("lowered_to"):
            state["zone"] = json.loads(answer.body)["lowered_to"]

    def export(self, client: Client, _rng: random.Random, state: dict) -> None:
        headers = self.bearer("grid_worker")
        if "job" not in state:
            body = json.dumps({"region": self.data["grid"], "format": "csv"}).encode()
            answer = self.record(
                client.request(
                    "export",
                    "POST",
                    "/api/v1/ledgers/residents/exports",
                    headers=headers | {"Content-Type": "application/json"},
                    body=body,
                )
            )
            if answer.status == 202:
                state["job"] = json.loads(answer.body)["id"]
            return
        path = f"/api/v1/ledgers/exports/{state['job']}"
        answer = self.record(client.request("export", "GET", path, headers=headers))
        job = json.loads(answer.body) if answer.status == 200 else {"status": "failed"}
        if job["status"] in ("queued", "running"):
            return
        del state["job"]
        if job["status"] != "done":
            self.record(Answer("export", time.monotonic(), 0.0, None, error=f"job {job}"))
            return
        self.exports_done += 1
        self.record(client.request("export", "GET", f"{path}/file", headers=headers))

    def run(self, kind: str, number: int, stop: threading.Event) -> None:
        client = Client(self.base, timeout=120)
        rng = random.Random(f"{kind}{number}")
        interval = THREADS[kind] / RATES[kind]
        state: dict = {}
        # Threads of a kind start spread over one interval, then keep their own beat.
        due = time.monotonic() + interval * number / THREADS[kind]
        while not stop.is_set():
            pause = due - time.monotonic()
            if pause > 0 and stop.wait(pause):
                break
            getattr(self, kind)(client, rng, state)
            due = max(due + interval, time.monotonic() - interval)
        client.close()


def urllib_quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def processes(server: subprocess.Popen, worker: subprocess.Popen) -> dict[str, int]:
    found = {"gunicorn master": server.pid}
    for index, pid in enumerate(sorted(children(server.pid))):
        found[f"gunicorn worker {index + 1} (pid {pid})"] = pid
    found["task worker"] = worker.pid
    return found


def summary(answers: list[Answer]) -> dict:
    times = [a.seconds for a in answers]
    errors = [a for a in answers if a.status is None or not 200 <= a.status < 400]
    return {
        "requests": len(answers),
        "errors": len(errors),
        "error_examples": [
            (a.status, a.error or a.body[:300].decode(errors="replace")) for a in errors[:3]
        ],
        "p50_ms": round(1000 * (percentile(times, 0.50) or 0), 1),
        "p95_ms": round(1000 * (percentile(times, 0.95) or 0), 1),
        "p99_ms": round(1000 * (percentile(times, 0.99) or 0), 1),
        "max_ms": round(1000 * max(times, default=0), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--database", default="ops_soak")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2, help="gthread threads per worker")
    parser.add_argument("--rss-every", type=float, default=60.0)
    parser.add_argument("--port", type=int, default=8797)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    data_dir = ROOT / "var" / f"soak-{args.database}"
    os.environ["FANGYI_DATABASE_URL"] = database_url(args.database)
    os.environ["FANGYI_DATA_DIR"] = str(data_dir)
    os.environ["FANGYI_LEDGER_INLINE_EXPORT_ROWS"] = INLINE_EXPORT_ROWS
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env.pop("FANGYI_PROCESS", None)
    ensure_city(args.database, args.residents, env)
    data = prepare()
    from django.db import connection

    connection.close()

    base = f"http://127.0.0.1:{args.port}"
    data_dir.mkdir(parents=True, exist_ok=True)
    server = start_gunicorn(
        env, args.port, workers=args.workers, worker_class="gthread", threads=args.threads
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "fangyi", "db_worker", "--no-startup-delay", "--no-reload"],
        env=env,
        stdout=(data_dir / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    soak = Soak(base, data, args.minutes * 60)
    stop = threading.Event()
    rss: list[dict] = []
    try:
        wait_for(base, "/api/v1/codes/keys")
        # Warm-up: every worker imports the URL configuration and the areas on first use.
        warm = Client(base)
        for _ in range(8 * args.workers):
            warm.request("warm", "GET", "/people/", headers={"Cookie": "sessionid=" + "x" * 32})
            warm.close()  # a new connection each time, so that every worker gets some
        warm.close()
        pids = processes(server, worker)
        started = datetime.now(UTC)
        load_start = load_average()
        rss.append({"t_s": 0, **{name: rss_mib(pid) for name, pid in pids.items()}})
        threads = [
            threading.Thread(target=soak.run, args=(kind, number, stop))
            for kind in RATES
            for number in range(THREADS[kind])
        ]
        for thread in threads:
            thread.start()
        clock = time.monotonic()
        loads = [load_start]
        while time.monotonic() - clock < soak.seconds:
            time.sleep(min(args.rss_every, soak.seconds - (time.monotonic() - clock)))
            sample = {"t_s": round(time.monotonic() - clock)}
            sample |= {name: rss_mib(pid) for name, pid in pids.items()}
            rss.append(sample)
            loads.append(load_average())
            counts = {kind: len(soak.answers[kind]) for kind in RATES}
            print(json.dumps({"t_s": sample["t_s"], "load": loads[-1], **counts}), flush=True)
        stop.set()
        for thread in threads:
            thread.join()
        replaced = processes(server, worker) != pids
        alive = server.poll() is None and worker.poll() is None
    finally:
        stop.set()
        server.terminate()
        worker.terminate()
        server.wait(timeout=60)
        worker.wait(timeout=60)

    failed_tasks = task_failures(started)
    result = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "minutes": args.minutes,
        "residents": args.residents,
        "gunicorn": f"{args.workers} workers, gthread, {args.threads} threads",
        "rates_per_second": RATES,
        "load_average": {"start": load_start, "during": loads[1:], "end": load_average()},
        "kinds": {kind: summary(soak.answers[kind]) for kind in RATES},
        "errors": sum(summary(soak.answers[kind])["errors"] for kind in RATES),
        "rss_mib": rss,
        "processes_replaced": replaced,
        "processes_alive_at_end": alive,
        "failed_tasks": failed_tasks,
        "exports_written_by_the_task_worker": soak.exports_done,
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


def task_failures(since: datetime) -> list[str]:
    from django_tasks_db.models import DBTaskResult

    return [
        f"{task.task_path}: {task.exception_class_path}"
        for task in DBTaskResult.objects.filter(enqueued_at__gte=since, status="FAILED")
    ]


if __name__ == "__main__":
    main()

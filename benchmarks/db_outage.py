"""PostgreSQL restarted under load: what the requests answer while it is away, and how soon
they succeed again, without restarting gunicorn.

    .venv/bin/python benchmarks/db_outage.py [--residents 5000] [--workers 4] [--clients 16]
        [--outage 10] [--json out.json]

A private PostgreSQL cluster (tests/pgcluster.py: initdb in a temporary directory, a free
port; the shared server is never touched) gets a seeded city. gunicorn (gthread) serves it,
and `--clients` threads on 127.0.0.1 send, each in turn and without pause, a resident's
`GET /api/v1/me/code`, a grid worker's `GET /api/v1/persons` and a staff page (`/`, with a
session cookie). After a baseline the cluster is stopped with `pg_ctl -m immediate` (what a
crash looks like), started again after `--outage` seconds, and the load goes on. Reported:
requests answered during the outage, how many were 503, every other error (must be 0), the
slowest answer, and the time from the start command to the first success and to the point
from which every request succeeds. The gunicorn workers' pids are compared before and after.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from httpload import (  # noqa: E402
    Answer,
    Client,
    children,
    load_average,
    percentile,
    start_gunicorn,
    wait_for,
)

from tests.pgcluster import PrivateCluster, free_port  # noqa: E402

TOKENS = """
import json, random
from fangyi.accounts.models import User
from fangyi.accounts.services import issue_token as staff_token
from fangyi.codes.services import subject_for
from fangyi.people.models import Person
from fangyi.portal.services import issue_token
ids = random.Random(3).sample(list(Person.objects.values_list("pk", flat=True)), 200)
residents = []
for pk in ids:
    subject_for(pk)
    residents.append(issue_token(person=Person(pk=pk))[0])
worker = staff_token(actor=None, user=User.objects.get(username="grid_worker"))
print(json.dumps({"residents": residents, "worker": worker}))
"""


def prepare(cluster: PrivateCluster, residents: int, env: dict[str, str]) -> dict:
    cluster.create_database("ops_outage")
    fangyi = [sys.executable, "-m", "fangyi"]
    subprocess.run([*fangyi, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [*fangyi, "seed", "--residents", str(residents), "--demo-staff"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    out = subprocess.run(
        [*fangyi, "shell", "-c", TOKENS], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2, help="gthread threads per worker")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--baseline", type=float, default=10.0)
    parser.add_argument("--outage", type=float, default=10.0)
    parser.add_argument("--after", type=float, default=15.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    cluster = PrivateCluster()
    cluster.start()
    data = Path(cluster.root) / "fangyi-data"
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        DJANGO_SETTINGS_MODULE="fangyi.settings",
        FANGYI_DATABASE_URL=cluster.url("ops_outage"),
        FANGYI_DATA_DIR=str(data),
        FANGYI_INSECURE_DEV_KEY="1",
        FANGYI_LOG_LEVEL="ERROR",
    )
    env.pop("FANGYI_PROCESS", None)
    server = None
    try:
        tokens = prepare(cluster, args.residents, env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(
            env, port, workers=args.workers, worker_class="gthread", threads=args.threads
        )
        wait_for(base, "/api/v1/codes/keys")
        worker_pids = sorted(children(server.pid))
        answers: list[Answer] = []
        stop = threading.Event()

        def load(number: int) -> None:
            client = Client(base, timeout=60)
            resident = {"Authorization": f"Bearer {tokens['residents'][number % 200]}"}
            worker = {"Authorization": f"Bearer {tokens['worker']}"}
            page = {"Cookie": "sessionid=" + "x" * 32}
            while not stop.is_set():
                answers.append(client.request("code", "GET", "/api/v1/me/code", headers=resident))
                answers.append(client.request("persons", "GET", "/api/v1/persons", headers=worker))
                answers.append(client.request("page", "GET", "/", headers=page))

        threads = [threading.Thread(target=load, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        time.sleep(5)  # warm-up: each worker imports the URL configuration on first use
        warm = time.monotonic()
        load_before = load_average()
        time.sleep(args.baseline)
        stopped = time.monotonic()
        cluster.stop("immediate")
        time.sleep(args.outage)
        starting = time.monotonic()
        cluster.start()
        started = time.monotonic()
        time.sleep(args.after)
        stop.set()
        for thread in threads:
            thread.join()
        load_after = load_average()
        same_workers = server.poll() is None and sorted(children(server.pid)) == worker_pids
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        cluster.remove()

    measured = [a for a in answers if a.sent >= warm]
    ok = {200, 302}

    def failed(answer: Answer) -> bool:
        return answer.status not in ok

    before = [a for a in measured if a.sent + a.seconds < stopped]
    during = [a for a in measured if a.sent >= stopped and a.sent + a.seconds < starting]
    after = [a for a in measured if a.sent >= starting]
    first_success = min((a.sent for a in after if not failed(a)), default=None)
    last_failure = max((a.sent + a.seconds for a in after if failed(a)), default=starting)
    others = [a for a in measured if failed(a) and a.status != 503]
    unclear_503 = [
        a
        for a in measured
        if a.status == 503
        and (
            a.headers.get("retry-after") is None
            or (
                a.kind != "page"
                and json.loads(a.body).get("detail") != "数据库暂时不可用，请稍后重试"
            )
        )
    ]
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.node()} {os.cpu_count()} CPUs, {platform.python_version()}",
        "load_average_before": load_before,
        "load_average_after": load_after,
        "workers": args.workers,
        "threads": args.threads,
        "clients": args.clients,
        "outage_seconds": args.outage,
        "requests": len(measured),
        "requests_before": len(before),
        "p99_before_ms": round(1000 * percentile([a.seconds for a in before], 0.99), 1),
        "requests_during_outage": len(during),
        "answered_503_during_outage": sum(a.status == 503 for a in during),
        "p99_during_outage_ms": round(
            1000 * (percentile([a.seconds for a in during], 0.99) or 0), 1
        ),
        "max_during_outage_ms": round(1000 * max((a.seconds for a in during), default=0), 1),
        "max_latency_ms": round(1000 * max(a.seconds for a in measured), 1),
        "other_errors": len(others),
        "other_error_examples": [
            (a.kind, a.status, a.error, a.body[:200].decode(errors="replace")) for a in others[:5]
        ],
        "503_without_retry_after_or_message": len(unclear_503),
        "postgresql_start_seconds": round(started - starting, 2),
        "first_success_after_start_command_s": (
            round(first_success - starting, 2) if first_success else None
        ),
        "all_succeed_after_start_command_s": round(last_failure - starting, 2),
        "requests_after": len(after),
        "p99_after_ms": round(
            1000 * (percentile([a.seconds for a in after if not failed(a)], 0.99) or 0), 1
        ),
        "same_gunicorn_workers": same_workers,
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

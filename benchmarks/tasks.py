"""Task throughput on the configured backend: the database (django-tasks-db) or RQ on Redis.

    .venv/bin/python benchmarks/tasks.py [--tasks 5000] [--workers 2]
    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_tasks \\
        .venv/bin/python benchmarks/tasks.py
    FANGYI_TASK_BACKEND=rq .venv/bin/python benchmarks/tasks.py

The workers are started first, with the command `fangyi worker` would run
(`core.tasking.worker_command()`: `db_worker`, or `rqworker`, which forks a work horse per
job), and are given a few seconds to be ready. Then this process enqueues `--tasks` of core's
`echo_task` one after the other, as a web request would (one call, one commit or one Redis
round trip each), timing each call, while the workers run them. `--rq-worker-class
rq.worker.SimpleWorker` runs RQ's jobs in the worker process itself instead of a fork each. Reported: the enqueue
latency (p50, p99, max), the enqueue rate, and the end-to-end rate: tasks finished per second
from the first enqueue to the last task done. Without FANGYI_DATABASE_URL the database is a
fresh SQLite file in a temporary directory; RQ uses Redis database 13 of FANGYI_REDIS_URL's
server and deletes only RQ's keys there, before and after. Everything shares this machine's
cores.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")
if not os.environ.get("FANGYI_DATABASE_URL"):
    os.environ["FANGYI_DATA_DIR"] = tempfile.mkdtemp(prefix="fangyi-bench-tasks-")
BENCH_REDIS_DB = 13
os.environ["FANGYI_REDIS_URL"] = (
    urlsplit(os.environ.get("FANGYI_REDIS_URL", "redis://127.0.0.1:6379/0"))
    ._replace(path=f"/{BENCH_REDIS_DB}")
    .geturl()
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from machine import database_version, load_average  # noqa: E402

from fangyi.core.tasking import uses_rq, worker_command  # noqa: E402
from fangyi.core.tasks import echo_task  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def clear() -> None:
    if uses_rq():
        import django_rq

        connection = django_rq.get_connection()
        keys = list(connection.scan_iter("rq:*", count=1000))
        if keys:
            connection.delete(*keys)
    else:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.all().delete()


def finished() -> int:
    if uses_rq():
        import django_rq

        queue = django_rq.get_queue("default")
        return queue.finished_job_registry.count + queue.failed_job_registry.count
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status__in=["SUCCESSFUL", "FAILED"]).count()


def failed() -> int:
    if uses_rq():
        import django_rq

        return django_rq.get_queue("default").failed_job_registry.count
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="FAILED").count()


def run(tasks: int, workers: int, worker_class: str) -> dict:
    call_command("migrate", verbosity=0)
    clear()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    command = worker_command()
    if worker_class:
        command += ["--worker-class", worker_class]
    started = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        time.sleep(5)
        latencies = []
        first = time.perf_counter()
        for value in range(tasks):
            before = time.perf_counter()
            echo_task.enqueue(value)
            latencies.append(time.perf_counter() - before)
        enqueued = time.perf_counter()
        while (done := finished()) < tasks:
            if time.perf_counter() - first > 1800:
                raise SystemExit(f"only {done} of {tasks} tasks finished in 30 minutes")
            time.sleep(0.1)
        last = time.perf_counter()
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=60)
    outcome = {
        "backend": settings.TASKS["default"]["BACKEND"],
        "database": database_version(),
        "worker": " ".join(command[3:]),
        "workers": workers,
        "tasks": tasks,
        "failed": failed(),
        "enqueue_ms_p50": round(percentile(latencies, 0.50) * 1000, 2),
        "enqueue_ms_p99": round(percentile(latencies, 0.99) * 1000, 2),
        "enqueue_ms_max": round(max(latencies) * 1000, 2),
        "enqueue_ms_mean": round(statistics.fmean(latencies) * 1000, 2),
        "enqueued_per_s": round(tasks / (enqueued - first)),
        "tasks_per_s": round(tasks / (last - first), 1),
        "seconds": round(last - first, 1),
        "machine": f"{platform.node()} {os.cpu_count()} cores",
        "load": load_average(),
    }
    clear()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rq-worker-class",
        default="",
        help="e.g. rq.worker.SimpleWorker: run jobs in the worker instead of a forked horse",
    )
    args = parser.parse_args()
    print(json.dumps(run(args.tasks, args.workers, args.rq_worker_class), ensure_ascii=False))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

"""Times `fangyi seed` into a fresh SQLite file and a fresh PostgreSQL database.

    .venv/bin/python benchmarks/seed.py [--residents 1000000] [--backend sqlite --backend postgresql]
        [--no-health]

Each backend gets a new, migrated database (the old one is deleted), then `fangyi seed` runs
as a child process; its wall time and peak resident memory (from wait4's rusage, so only that
process counts) are reported, with the size of the database afterwards. The seed includes
about three health facts per resident, two zones and every status (`--no-health` leaves
them out); its own summary says how long the facts and the final recompute took. A second,
untimed `fangyi seed --demo-staff` adds the demo logins that benchmarks/queries.py and
benchmarks/health.py sign in as.
The databases are kept for benchmarks/queries.py:

    FANGYI_DATABASE_URL=sqlite:///var/bench-1m.sqlite3 .venv/bin/python benchmarks/queries.py
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
FANGYI = ROOT / ".venv" / "bin" / "fangyi"
DEFAULT_SQLITE = ROOT / "var" / "bench-1m.sqlite3"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/fangyi_bench_1m"


def run(database_url: str, *args: str) -> tuple[str, float, int]:
    """Runs a fangyi command; returns (stdout, wall seconds, peak RSS in MiB)."""
    env = os.environ | {"FANGYI_DATABASE_URL": database_url, "FANGYI_LOG_LEVEL": "WARNING"}
    env.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
    started = time.monotonic()
    process = subprocess.Popen([str(FANGYI), *args], env=env, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    if process.returncode:
        raise SystemExit(f"fangyi {' '.join(args)} failed with exit code {process.returncode}")
    # Linux reports ru_maxrss in KiB.
    return output, seconds, usage.ru_maxrss // 1024


def fresh_sqlite(path: Path) -> tuple[str, Callable[[], int]]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}", lambda: path.stat().st_size


def fresh_postgres(url: str) -> tuple[str, Callable[[], int]]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')

    def size() -> int:
        with psycopg.connect(url) as connection:
            return connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]

    return url, size


def bench(backend: str, target: str, residents: int, seed: int, health: bool = True) -> dict:
    database_url, size = (
        fresh_sqlite(Path(target)) if backend == "sqlite" else fresh_postgres(target)
    )
    run(database_url, "migrate", "--no-input", "-v", "0")
    load_before = os.getloadavg()[0]
    output, seconds, peak_mib = run(
        database_url,
        "seed",
        "--residents",
        str(residents),
        "--seed",
        str(seed),
        "--json",
        *([] if health else ["--no-health"]),
    )
    load_after = os.getloadavg()[0]
    summary = json.loads(output)
    facts = summary["health"]
    run(database_url, "seed", "--demo-staff")
    return {
        "backend": backend,
        "database": database_url,
        "residents": summary["counts"]["residents"],
        "households": summary["counts"]["households"],
        "grids": summary["counts"]["grids"],
        "wall_seconds": round(seconds, 1),
        "load_seconds": summary["seconds"],
        "facts": facts["facts"],
        "health_seconds": facts.get("seconds"),
        "recompute_seconds": facts.get("recompute_seconds"),
        "health_steps": facts.get("steps", {}),
        "load_average": f"{load_before:.2f} → {load_after:.2f}",
        "peak_rss_mib": peak_mib,
        "database_mib": round(size() / 2**20),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--backend", action="append", choices=["sqlite", "postgresql"], dest="backends"
    )
    parser.add_argument("--sqlite-path", default=str(DEFAULT_SQLITE))
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--no-health", action="store_true", help="seed without health data")
    options = parser.parse_args()
    results = []
    for backend in options.backends or ["sqlite", "postgresql"]:
        target = options.sqlite_path if backend == "sqlite" else options.postgres_url
        print(f"seeding {options.residents:,} residents into {backend} …", file=sys.stderr)
        results.append(
            bench(backend, target, options.residents, options.seed, not options.no_health)
        )
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        "| backend | residents | households | grids | facts | wall s | load s "
        "| of which health s (recompute s) | peak RSS MiB | DB MiB | load average |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        health = f"{r['health_seconds']} ({r['recompute_seconds']})" if r["health_seconds"] else "—"
        print(
            f"| {r['backend']} | {r['residents']:,} | {r['households']:,} | {r['grids']:,} "
            f"| {r['facts']:,} | {r['wall_seconds']} | {r['load_seconds']} | {health} "
            f"| {r['peak_rss_mib']:,} | {r['database_mib']:,} | {r['load_average']} |"
        )
    for r in results:
        if r["health_steps"]:
            steps = ", ".join(f"{name} {s} s" for name, s in r["health_steps"].items())
            print(f"{r['backend']} health steps: {steps}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()

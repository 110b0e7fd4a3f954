"""Times ledger exports and imports at a million residents, against a pandas baseline.

    .venv/bin/python benchmarks/ledgers.py [--residents 1000000] [--backend sqlite ...]

For each backend: a fresh database, migrated and seeded with the demo city (untimed; see
benchmarks/seed.py for that), then, each step a `fangyi` child process timed by wall clock
with its peak resident memory from wait4's rusage:

1. export every resident of the city to xlsx, masked (what a commander downloads);
2. export them again in plain text with a reason: this file is the one imported below;
3. empty the registry (persons and households deleted, counts zeroed; regions kept);
4. import the file into the empty registry: a million rows created;
5. import it again: every row unchanged;
6. the baseline, in the same run on the same file: `pandas.read_excel(engine="openpyxl")`
   then `DataFrame.to_sql` into the same database, no validation at all.

Needs the bench extra: `.venv/bin/pip install -e '.[bench]'`.

The import alone, against older code in the same run, on a city seeded beforehand (e.g. by
benchmarks/seed.py, whose database it reuses):

    .venv/bin/python benchmarks/ledgers.py --backend postgresql --imports-only \
        --postgres-url postgres://postgres@127.0.0.1:5432/fangyi_bench_1m \
        --baseline <a checkout of the older code>/src [--baseline <another>/src] --rounds 2

exports the city's residents once (plain text), then in each round empties the registry and
imports the file with each older code in the order given (named by its commit), empties it
again and imports with this checkout's (`--processes` for this checkout only). Emptying the registry
also empties the audit log, so every import starts from the same state. Each import is timed
with its CPU time (the process and the parts it waited for), the CPU time of PostgreSQL's
processes serving the database and the WAL written (benchmarks/pg_cpu.py: the server must run
on this machine), and the load average before and after it.
"""

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pg_cpu import BackendCPU  # noqa: E402
from seed import FANGYI, ROOT, fresh_postgres, fresh_sqlite, run  # noqa: E402

DEFAULT_SQLITE = ROOT / "var" / "bench-ledgers.sqlite3"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/fangyi_bench_ledgers"
WORK = ROOT / "var" / "bench-ledgers"
CITY = "350100"

BASELINE = """
import json, sys, time
import pandas, sqlalchemy
path, url = sys.argv[1], sys.argv[2]
started = time.monotonic()
frame = pandas.read_excel(path, engine="openpyxl", dtype=str)
read = time.monotonic() - started
engine = sqlalchemy.create_engine(url)
frame.to_sql("baseline_residents", engine, if_exists="replace", index=False, chunksize=10000)
print(json.dumps({"rows": len(frame), "read_s": round(read, 1),
                  "write_s": round(time.monotonic() - started - read, 1)}))
"""


def timed_fangyi(
    database_url: str, *args: str, expect: set[int] = frozenset({0}), src: Path | None = None
) -> dict:
    env = os.environ | {
        "FANGYI_DATABASE_URL": database_url,
        "FANGYI_LOG_LEVEL": "WARNING",
        "FANGYI_LEDGER_DIR": str(WORK / "jobs"),
    }
    if src is not None:
        env["PYTHONPATH"] = str(src)
    env.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
    load = os.getloadavg()[0]
    postgres = database_url.startswith("postgres")
    with BackendCPU(database_url) if postgres else contextlib.nullcontext() as server:
        started = time.monotonic()
        process = subprocess.Popen([str(FANGYI), *args], env=env, stdout=subprocess.PIPE, text=True)
        output = process.stdout.read()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in expect:
        raise SystemExit(f"fangyi {' '.join(args)} exited with {code}")
    return {
        "seconds": round(seconds, 1),
        # Linux adds the children a process waited for (the import's parts) to its own.
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_mib": usage.ru_maxrss // 1024,
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
        # PostgreSQL's processes serving the database, and the WAL written meanwhile.
        "pg_cpu_seconds": server.cpu_seconds if postgres else None,
        "pg_backends": server.backends if postgres else None,
        "wal_mib": server.wal_mib if postgres else None,
        "output": output,
    }


def timed_python(code: str, *args: str) -> dict:
    started = time.monotonic()
    python = ROOT / ".venv" / "bin" / "python"
    process = subprocess.Popen([str(python), "-c", code, *args], stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit("the pandas baseline failed")
    return {
        "seconds": round(time.monotonic() - started, 1),
        "peak_mib": usage.ru_maxrss // 1024,
        **json.loads(output),
    }


def empty_registry(backend: str, database_url: str, *, audit: bool = False) -> None:
    tables = "people_person, people_household" + (", core_objectchange" if audit else "")
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as connection:
            # The imports-only rounds run on a seeded city: whatever names its persons goes too.
            connection.execute(f"TRUNCATE {tables}{' CASCADE' if audit else ''}")
            connection.execute("UPDATE regions_region SET resident_count = 0, household_count = 0")
            # The imports-only rounds vacuum what they emptied, not a database of 3M facts.
            connection.execute(f"VACUUM ANALYZE {tables + ', regions_region' if audit else ''}")
            if audit:
                # Each import starts with no earlier import's pages left for a checkpoint
                # to write meanwhile (one comes every two or three imports' WAL).
                connection.execute("CHECKPOINT")
    else:
        import sqlite3

        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        connection.execute("DELETE FROM people_person")
        connection.execute("DELETE FROM people_household")
        connection.execute("UPDATE regions_region SET resident_count = 0, household_count = 0")
        connection.commit()
        connection.execute("VACUUM")
        connection.close()


def sqlalchemy_url(backend: str, database_url: str) -> str:
    if backend == "postgresql":
        return database_url.replace("postgres://", "postgresql+psycopg://", 1)
    return database_url


def bench(backend: str, target: str, residents: int, baseline: bool) -> dict:
    database_url, _size = (
        fresh_sqlite(Path(target)) if backend == "sqlite" else fresh_postgres(target)
    )
    run(database_url, "migrate", "--no-input", "-v", "0")
    print(f"{backend}: seeding {residents:,} residents (untimed) …", file=sys.stderr)
    run(database_url, "seed", "--residents", str(residents), "--seed", "1", "--demo-staff")
    WORK.mkdir(parents=True, exist_ok=True)
    masked = WORK / f"masked-{backend}.xlsx"
    plain = WORK / f"residents-{backend}.xlsx"
    as_admin = ("--as", "admin")
    steps = {}
    print(f"{backend}: exporting …", file=sys.stderr)
    steps["export masked xlsx"] = timed_fangyi(
        database_url,
        "ledger",
        "export",
        "residents",
        "--region",
        CITY,
        "-o",
        str(masked),
        *as_admin,
    )
    steps["export plain xlsx"] = timed_fangyi(
        database_url, "ledger", "export", "residents", "--region", CITY, "-o", str(plain),
        "--reveal-reason", "基准测试", *as_admin,
    )  # fmt: skip
    steps["export masked csv"] = timed_fangyi(
        database_url, "ledger", "export", "residents", "--region", CITY,
        "-o", str(WORK / f"masked-{backend}.csv"), *as_admin,
    )  # fmt: skip
    empty_registry(backend, database_url)
    print(f"{backend}: importing into the empty registry …", file=sys.stderr)
    for label in ("import into empty registry", "import again (all unchanged)"):
        step = timed_fangyi(
            database_url, "ledger", "import", "residents", str(plain), "--json", *as_admin
        )
        outcome = json.loads(step.pop("output"))
        step.update({k: outcome[k] for k in ("rows", "created", "updated", "unchanged")})
        step["errors"] = len(outcome["errors"])
        steps[label] = step
    for step in steps.values():
        step.pop("output", None)
    result = {
        "backend": backend,
        "residents": residents,
        "file_mib": round(plain.stat().st_size / 2**20, 1),
        "steps": steps,
    }
    if baseline:
        print(f"{backend}: pandas baseline …", file=sys.stderr)
        result["baseline"] = timed_python(
            BASELINE, str(plain), sqlalchemy_url(backend, database_url)
        )
    return result


# Columns added since the baseline that are NOT NULL: Django keeps no default in the database,
# so the older code's inserts, which do not name them, would be refused.
NEWER_COLUMNS = {
    "ledgers_importjob": {
        "attempts": "0",
        "retryable": "false",
        "task_result_id": "''",
        "worker": "''",
    },
}


def older_code_defaults(database_url: str, *, on: bool) -> None:
    """Gives the newer columns database defaults while the older code runs, and takes them
    away again for this checkout's run (untimed)."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        for table, columns in NEWER_COLUMNS.items():
            changes = ", ".join(
                f"ALTER COLUMN {column} " + (f"SET DEFAULT {value}" if on else "DROP DEFAULT")
                for column, value in columns.items()
            )
            connection.execute(f"ALTER TABLE {table} {changes}")


def commit_of(src: Path) -> str:
    """The commit of a checkout, or the folder's name for code unpacked by `git archive`."""
    found = subprocess.run(
        ["git", "-C", str(src), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return found.stdout.strip() if found.returncode == 0 else str(src.resolve().parent.name)


def imports_only(options) -> None:
    """The import into an empty registry, this checkout against `--baseline`, in turns."""
    database_url = options.postgres_url
    WORK.mkdir(parents=True, exist_ok=True)
    plain = WORK / "residents-postgresql.xlsx"
    if not plain.exists():
        print("exporting the city's residents …", file=sys.stderr)
        timed_fangyi(
            database_url, "ledger", "export", "residents", "--region", CITY, "-o", str(plain),
            "--reveal-reason", "基准测试", "--as", "admin",
        )  # fmt: skip
    versions: dict[str, tuple[Path, list[str]]] = {}
    for older in options.baseline or ():
        versions[f"older code ({commit_of(Path(older))})"] = (Path(older), [])
    processes = ["--processes", str(options.processes)] if options.processes else []
    versions["this checkout"] = (ROOT / "src", processes)
    runs: dict[str, list[dict]] = {name: [] for name in versions}
    for n in range(options.rounds):
        for name, (src, extra) in versions.items():
            empty_registry("postgresql", database_url, audit=True)
            older_code_defaults(database_url, on=name != "this checkout")
            step = timed_fangyi(
                database_url, "ledger", "import", "residents", str(plain), "--json",
                "--as", "admin", *extra, src=src,
            )  # fmt: skip
            outcome = json.loads(step.pop("output"))
            step.update({k: outcome[k] for k in ("rows", "created", "updated", "unchanged")})
            step["errors"] = len(outcome["errors"])
            runs[name].append(step)
            print(f"round {n + 1}, {name}: {json.dumps(step)}", file=sys.stderr)
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        "| code | wall s | CPU s (ours) | CPU s (PostgreSQL) | WAL MiB | peak RSS MiB | created "
        "| load before / after |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, steps in runs.items():
        for step in steps:
            print(
                f"| {name} | {step['seconds']} | {step['cpu_seconds']} | "
                f"{step['pg_cpu_seconds']} | {step['wal_mib']:,} | {step['peak_mib']:,} "
                f"| {step['created']:,} | {step['load_before']} / {step['load_after']} |"
            )
    print(json.dumps(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument(
        "--backend", action="append", choices=["sqlite", "postgresql"], dest="backends"
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--sqlite-path", default=str(DEFAULT_SQLITE))
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument(
        "--imports-only",
        action="store_true",
        help="reuse the city at --postgres-url; time only the import into an empty registry",
    )
    parser.add_argument(
        "--baseline",
        action="append",
        help="with --imports-only: the src folder of older code (may be given more than once)",
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--processes", type=int, help="this checkout's import: processes")
    options = parser.parse_args()
    if options.imports_only:
        imports_only(options)
        return
    results = []
    for backend in options.backends or ["postgresql", "sqlite"]:
        target = options.sqlite_path if backend == "sqlite" else options.postgres_url
        results.append(bench(backend, target, options.residents, not options.no_baseline))
        print(json.dumps(results[-1]), file=sys.stderr)
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    for r in results:
        print(f"\n{r['backend']}, {r['residents']:,} residents, file {r['file_mib']} MiB\n")
        print("| step | wall s | peak RSS MiB | rows created / unchanged |")
        print("| --- | ---: | ---: | --- |")
        for label, step in r["steps"].items():
            counts = f"{step['created']:,} / {step['unchanged']:,}" if "created" in step else ""
            print(f"| {label} | {step['seconds']} | {step['peak_mib']:,} | {counts} |")
        if "baseline" in r:
            b = r["baseline"]
            ours = r["steps"]["import into empty registry"]["seconds"]
            print(
                f"| baseline: pandas.read_excel (openpyxl) + to_sql | {b['seconds']} "
                f"(read {b['read_s']}, write {b['write_s']}) | {b['peak_mib']:,} | "
                f"{b['rows']:,} rows, no checks; baseline / ours = {b['seconds'] / ours:.2f} |"
            )
    print(json.dumps(results))


if __name__ == "__main__":
    main()

"""Times a recompute of every status under a new plan, against older code in the same run.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_1m \\
        .venv/bin/python benchmarks/plan_switch.py [--rounds 2] [--baseline <checkout>/src]

The database must hold a city seeded with its health data (benchmarks/seed.py). A plan switch
relabels every status row: `recompute.recompute_all(policy=other)` to the demo's other plan,
then back to the plan in force, both timed (wall, this process's CPU, the load average
before). With `--baseline`, each round runs the same two recomputes first with the code at
that path (another checkout's `src`, e.g. the commit before) and then with this checkout's,
each in a child process of its own, so both are measured on the same database in the same
run; the baseline runs without the covering index of people/migrations/0003 (dropped
before, made again after, untimed). `--child` is what those child processes run.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from pg_cpu import BackendCPU  # noqa: E402


def child() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
    os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
    os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from fangyi.health import recompute
    from fangyi.health.models import Policy

    in_force = Policy.objects.in_force()
    other = Policy.objects.exclude(pk=in_force.pk).get(code="2022-11-20m")
    figures = {}

    def cpu() -> float:
        # This process and the parts of a split recompute, once they have been waited for.
        own, parts = (
            resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        )
        return own.ru_utime + own.ru_stime + parts.ru_utime + parts.ru_stime

    for label, policy in (("switch", other), ("back", in_force)):
        load = os.getloadavg()[0]
        with BackendCPU(os.environ["FANGYI_DATABASE_URL"]) as server:
            started, cpu_before = time.perf_counter(), cpu()
            outcome = recompute.recompute_all(policy=policy)
            seconds, used = time.perf_counter() - started, cpu() - cpu_before
        figures[label] = {
            "seconds": round(seconds, 1),
            "cpu_seconds": round(used, 1),
            # PostgreSQL's backends of the recompute (the health colour-count triggers run
            # in them) and the WAL written meanwhile.
            "pg_cpu_seconds": server.cpu_seconds,
            "wal_mib": server.wal_mib,
            "persons": outcome.persons,
            "written": outcome.written,
            "load_before": round(load, 2),
            "load_after": round(os.getloadavg()[0], 2),
        }
    print(json.dumps(figures))


def set_index(present: bool) -> None:
    """The covering index of people/migrations/0003 made or dropped (untimed), so that each
    version runs on the schema it had."""
    import psycopg

    with psycopg.connect(os.environ["FANGYI_DATABASE_URL"], autocommit=True) as connection:
        if present:
            connection.execute(
                "CREATE INDEX IF NOT EXISTS person_id_path ON people_person (id) "
                "INCLUDE (region_path)"
            )
        else:
            connection.execute("DROP INDEX IF EXISTS person_id_path")
        connection.execute("VACUUM people_person")


def run(src: Path) -> dict:
    env = os.environ | {"PYTHONPATH": str(src)}
    python = ROOT / ".venv" / "bin" / "python"
    output = subprocess.run(
        [str(python), __file__, "--child"], env=env, check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline", help="the src folder of the code to compare with")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child()
        return
    versions = {"this checkout": ROOT / "src"}
    if options.baseline:
        versions = {"baseline": Path(options.baseline), **versions}
    runs: dict[str, list[dict]] = {name: [] for name in versions}
    for n in range(options.rounds):
        for name, src in versions.items():
            if options.baseline:
                set_index(present=name != "baseline")
            figures = run(src)
            runs[name].append(figures)
            print(f"round {n + 1}, {name}: {json.dumps(figures)}", file=sys.stderr)
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        "| code | under the new plan, s (each round) | median | back, s | CPU s, ours "
        "| CPU s, PostgreSQL | written | load before |"
    )
    print("| --- | --- | ---: | --- | --- | --- | --- | --- |")
    for name, figures in runs.items():
        switch = [f["switch"]["seconds"] for f in figures]
        back = [f["back"]["seconds"] for f in figures]

        def each(key: str, figures=figures) -> str:
            return ", ".join(str(f[label][key]) for f in figures for label in ("switch", "back"))

        print(
            f"| {name} | {', '.join(map(str, switch))} | {statistics.median(switch):.1f} "
            f"| {', '.join(map(str, back))} | {each('cpu_seconds')} | {each('pg_cpu_seconds')} "
            f"| {each('written')} | {each('load_before')} |"
        )
    print(json.dumps(runs))


if __name__ == "__main__":
    main()

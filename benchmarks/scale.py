"""The same city-scale figures on several seeded databases, side by side (e.g. 1M and 10M).

    .venv/bin/python benchmarks/scale.py \\
        --database 1M=postgres://postgres@127.0.0.1:5432/scale_1m \\
        --database 10M=postgres://postgres@127.0.0.1:5432/scale_10m \\
        [--parts sizes queries house recompute coverage codes] [--results var/scale/results.json]
    .venv/bin/python benchmarks/scale.py --table-only --results var/scale/results.json

Each database must hold a city made by `fangyi seed --demo-staff` with its health data
(`benchmarks/seed.py --residents N --postgres-url URL` makes one). For every part, the
databases are measured one after the other before the next part starts, so that each pair of
figures comes from the same minutes of a shared machine. Every part is a child process with
`FANGYI_DATABASE_URL` set to the database:

- sizes: rows, database size, and the largest tables with their indexes (PostgreSQL);
- queries: benchmarks/queries.py without the Paginator baselines (the person list's first
  and deep pages, ID-tail search, the region pages);
- house: benchmarks/house.py without the home pages (colour lists, full-ID and name search);
- recompute: `fangyi health recompute --all`, wall time and peak RSS of the whole command;
- coverage: benchmarks/screening_coverage.py (a round over the whole city is set up,
  measured and deleted; its setup registers every present resident's swab);
- codes: benchmarks/codes.py issue (gunicorn and wrk on this machine).

Results are merged into `--results` (JSON) as they come, keyed by label and part, so parts can
be run separately; the table of every figure, each label's value and the ratio of the last
label to the first is printed at the end. The load average is recorded before and after each
part: on a shared machine it is part of the figure.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
FANGYI = ROOT / ".venv" / "bin" / "fangyi"
PARTS = ("sizes", "queries", "house", "recompute", "coverage", "codes")
GRID, BUILDING = 6, 7  # regions.models.Level; this script does not set Django up
TABLES = (
    "people_person",
    "people_household",
    "health_fact",
    "health_status",
    "screening_sample",
    "screening_tube",
    "core_objectchange",
    "regions_region",
)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def timed_child(url: str, command: list[str]) -> tuple[str, float, int]:
    """Runs `command` against `url`; (stdout, wall seconds, peak RSS MiB of that child alone,
    from wait4)."""
    env = os.environ | {"FANGYI_DATABASE_URL": url, "FANGYI_LOG_LEVEL": "WARNING"}
    env.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}")
    return output, seconds, usage.ru_maxrss // 1024


def python_script(name: str, *args: str) -> list[str]:
    return [sys.executable, str(HERE / name), *args]


def with_json(url: str, name: str, *args: str) -> dict:
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "out.json"
        timed_child(url, python_script(name, *args, "--json", str(out)))
        return json.loads(out.read_text())


def part_sizes(url: str, _options) -> dict:
    with psycopg.connect(url) as connection:
        database = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        tables = {}
        for table in TABLES:
            row = connection.execute(
                "SELECT pg_table_size(c.oid), pg_indexes_size(c.oid), c.reltuples::bigint "
                "FROM pg_class c WHERE c.oid = to_regclass(%s)",
                [table],
            ).fetchone()
            if row is not None:
                tables[table] = {"table_bytes": row[0], "index_bytes": row[1], "rows": row[2]}
        residents = connection.execute("SELECT count(*) FROM people_person").fetchone()[0]
        facts = connection.execute("SELECT count(*) FROM health_fact").fetchone()[0]
        levels = dict(
            connection.execute("SELECT level, count(*) FROM regions_region GROUP BY level")
        )
    return {
        "residents": residents,
        "facts": facts,
        "grids": levels.get(GRID, 0),
        "buildings": levels.get(BUILDING, 0),
        "database_bytes": database,
        "tables": tables,
    }


def part_queries(url: str, options) -> dict:
    return with_json(url, "queries.py", "--requests", str(options.requests), "--no-baseline")


def part_house(url: str, options) -> dict:
    return with_json(url, "house.py", "--requests", str(options.house_requests), "--no-home")


def part_recompute(url: str, _options) -> dict:
    output, seconds, peak = timed_child(
        url, [str(FANGYI), "health", "recompute", "--all", "--json"]
    )
    summary = json.loads(output)
    return {
        "wall_seconds": round(seconds, 1),
        "recompute_seconds": summary["seconds"],
        "persons": summary["persons"],
        "by_colour": summary["by_colour"],
        "peak_rss_mib": peak,
    }


def part_coverage(url: str, options) -> dict:
    args = ["--repeat", str(options.coverage_repeat), "--grids", "20", "--buildings", "50"]
    started = time.monotonic()
    result = with_json(url, "screening_coverage.py", *args)
    result["wall_seconds"] = round(time.monotonic() - started, 1)
    return result


def part_codes(url: str, options) -> dict:
    return with_json(
        url,
        "codes.py",
        "issue",
        "--workers",
        "2",
        "--seconds",
        str(options.code_seconds),
        "--residents",
        "20000",
    )


RUNNERS = {
    "sizes": part_sizes,
    "queries": part_queries,
    "house": part_house,
    "recompute": part_recompute,
    "coverage": part_coverage,
    "codes": part_codes,
}


def figures(result: dict) -> list[tuple[str, str, float | None, str]]:
    """(figure, goal, value, unit) rows of one database's results, in a fixed order."""
    rows: list[tuple[str, str, float | None, str]] = []
    sizes = result.get("sizes")
    if sizes:
        rows.append(("residents", "", sizes["residents"], ""))
        rows.append(("health facts", "", sizes["facts"], ""))
        rows.append(("grids", "", sizes["grids"], ""))
        rows.append(("buildings", "", sizes["buildings"], ""))
        rows.append(("database size", "", round(sizes["database_bytes"] / 2**30, 2), "GiB"))
        for table, size in sizes["tables"].items():
            total = (size["table_bytes"] + size["index_bytes"]) / 2**20
            rows.append((f"… {table} (table + indexes)", "", round(total), "MiB"))
    # Medians: on a machine shared with other work, a p95 of a few dozen requests is mostly
    # the scheduler's; the p95s stay in the JSON.
    for row in result.get("queries", {}).get("rows", []):
        goal = f"p95 < {row['goal_ms']}" if row.get("goal_ms") else ""
        rows.append((f"{row['name']}, median", goal, row["median_ms"], "ms"))
    for row in result.get("house", {}).get("rows", []):
        goal = "p95 < 300" if "search" in row["series"] else "p95 < 150"
        rows.append((f"{row['series']}, median", goal, row["median_ms"], "ms"))
    recompute = result.get("recompute")
    if recompute:
        rows.append(("`fangyi health recompute --all`, wall", "", recompute["wall_seconds"], "s"))
        rows.append(("… peak RSS", "", recompute["peak_rss_mib"], "MiB"))
    coverage = result.get("coverage")
    if coverage:
        rows.append(
            ("coverage: setup (every swab recorded)", "", coverage["data"]["setup_seconds"], "s")
        )
        rows.append(
            (
                "coverage tree of the city, median",
                "≤ 2 s",
                coverage["city_tree"]["seconds"]["median"],
                "s",
            )
        )
        rows.append(
            ("a grid's coverage tree, median", "", coverage["grid_tree"]["seconds"]["median"], "s")
        )
        rows.append(
            (
                "a building's missing list, median",
                "≤ 0.2 s",
                coverage["building_missing_list"]["seconds"]["median"],
                "s",
            )
        )
        rows.append(
            ("home-sampling tasks for the city", "", coverage["home_tasks"]["seconds"], "s")
        )
    codes = result.get("codes")
    if codes and codes.get("runs"):
        run = codes["runs"][0]
        rows.append(("`GET /me/code`, 2 workers", "≥ 1,000/s", run["requests_per_second"], "/s"))
        rows.append(("… p99", "< 50 ms", run["p99_ms"], "ms"))
        rows.append(("… errors", "0", run["errors"], ""))
    return rows


def table(results: dict, labels: list[str]) -> str:
    by_label = {label: figures(results[label]) for label in labels if label in results}
    names: list[str] = []
    goals: dict[str, str] = {}
    values: dict[tuple[str, str], tuple[float | None, str]] = {}
    for label, rows in by_label.items():
        for name, goal, value, unit in rows:
            if name not in goals:
                names.append(name)
                goals[name] = goal
            values[(label, name)] = (value, unit)
    present = list(by_label)
    ratio = len(present) > 1
    header = ["figure", "goal", *present] + ([f"{present[-1]} ÷ {present[0]}"] if ratio else [])
    lines = ["| " + " | ".join(header) + " |", "| --- | --- |" + " ---: |" * (len(header) - 2)]
    for name in names:
        cells = []
        for label in present:
            value, unit = values.get((label, name), (None, ""))
            cells.append("—" if value is None else f"{value:,}{' ' + unit if unit else ''}")
        if ratio:
            first, last = values.get((present[0], name)), values.get((present[-1], name))
            if first and last and first[0] and last[0] is not None:
                cells.append(f"{last[0] / first[0]:.2f}")
            else:
                cells.append("")
        lines.append("| " + " | ".join([name, goals[name], *cells]) + " |")
    loads = []
    for label in present:
        parts = ", ".join(
            f"{part} {results[label][f'{part}_load']}"
            for part in PARTS
            if f"{part}_load" in results[label]
        )
        loads.append(f"- {label}: load average (1, 5, 15 min) before → after each part: {parts}")
    return "\n".join(lines + [""] + loads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        action="append",
        default=[],
        metavar="LABEL=URL",
        help="a label and a PostgreSQL URL; give several, smallest first",
    )
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--results", type=Path, default=ROOT / "var" / "scale" / "results.json")
    parser.add_argument("--table-only", action="store_true", help="print the saved results")
    parser.add_argument("--requests", type=int, default=100, help="per series, queries.py")
    parser.add_argument("--house-requests", type=int, default=30, help="per series, house.py")
    parser.add_argument("--coverage-repeat", type=int, default=3)
    parser.add_argument("--code-seconds", type=int, default=30)
    options = parser.parse_args()

    results: dict = json.loads(options.results.read_text()) if options.results.exists() else {}
    databases = [entry.split("=", 1) for entry in options.database]
    if not options.table_only:
        options.results.parent.mkdir(parents=True, exist_ok=True)
        for part in options.parts:
            for label, url in databases:
                print(f"{part} on {label} (load {load()}) …", file=sys.stderr, flush=True)
                before = load()
                entry = results.setdefault(label, {"url": url})
                entry[part] = RUNNERS[part](url, options)
                entry[f"{part}_load"] = f"{before} → {load()}"
                entry["machine"] = f"{platform.node()}, {os.cpu_count()} cores"
                entry["date"] = time.strftime("%Y-%m-%d")
                options.results.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    labels = [label for label, _url in databases] or list(results)
    print(table(results, labels))


if __name__ == "__main__":
    main()

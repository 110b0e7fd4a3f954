"""A backup restored into an empty database and a fresh data directory, proved the same.

    .venv/bin/python benchmarks/backup_restore.py [--residents 20000] [--database ops_backup]
        [--json out.json]

Seeds a city on the local PostgreSQL (`<database>_source`, `fangyi seed --residents N
--demo-staff`) in a data directory of its own, issues a resident's card code and display
code, and records the rows of every table, the colours per building, the audit log (changes
and access events: count, last id, SHA-256 over every row) and what verifying the two codes
answers. Then `fangyi backup`, and `fangyi restore` into a new empty database
(`<database>_restored`) with a new data directory (new key and ledger directories), and the
same record again, compared item by item. Reports the times and the size of the backup.
"""

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import psycopg  # noqa: E402
from httpload import load_average  # noqa: E402

from tests.core.support import environment, fangyi, issue_codes, state  # noqa: E402

SERVER = "postgres://postgres@127.0.0.1:5432"


def recreate(name: str) -> str:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{SERVER}/{name}"


def timed(function, *args):
    started = time.monotonic()
    value = function(*args)
    return value, round(time.monotonic() - started, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--database", default="ops_backup")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="fangyi-backup-"))
    try:
        source = environment(recreate(f"{args.database}_source"), work / "source")
        fangyi(source, "migrate", "-v", "0")
        _out, seed_s = timed(
            fangyi, source, "seed", "--residents", str(args.residents), "--demo-staff"
        )
        codes = issue_codes(source)
        before = state(source, codes)
        load_before = load_average()
        _out, backup_s = timed(fangyi, source, "backup", str(work / "backup"))
        size = sum(p.stat().st_size for p in (work / "backup").rglob("*") if p.is_file())
        restored = environment(recreate(f"{args.database}_restored"), work / "restored")
        _out, restore_s = timed(fangyi, restored, "restore", str(work / "backup"))
        after = state(restored, codes)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    same = {key: before[key] == after[key] for key in before}
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average": {"before": load_before, "after": load_average()},
        "residents": args.residents,
        "seed_s": seed_s,
        "tables": len(before["tables"]),
        "rows": sum(before["tables"].values()),
        "buildings_with_colours": len({key.split()[0] for key in before["colours"]}),
        "audit": before["audit"],
        "codes_before": before["codes"],
        "codes_after": after["codes"],
        "backup_s": backup_s,
        "backup_mib": round(size / 2**20, 1),
        "restore_s": restore_s,
        "same": same,
        "all_same": all(same.values()),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    if not result["all_same"]:
        raise SystemExit("the restored city differs from the backed-up one")


if __name__ == "__main__":
    main()

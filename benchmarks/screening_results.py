"""Lab results for a city's round: 100,000 pooled tubes (1,000,000 swabs), 0.1 % positive.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_1m \\
        .venv/bin/python benchmarks/screening_results.py [--tubes 100000] [--json results.json]

The database must hold a city made by `fangyi seed --demo-staff` (1,000,000 residents for the
issue's figure) and be migrated. The setup is committed, as samples are long before their
results come; each measured import runs in a transaction that is rolled back, and at the end
everything the setup made is deleted again (its audit rows by the run's request id), so the
database can be used again. Foreign keys, which PostgreSQL checks at commit, are checked at
the end of each statement instead, so that the figures include what a commit would cost.

- setup (timed apart): a campaign over the whole city with a round running now and a sampling
  site per district; then `screening.services.record_samples` registers `--tubes` tubes of ten
  residents each (away or not, so that a million residents fill 100,000 tubes), household by
  household in region order, 1,000 tubes a batch, as sampling devices do. All tubes are
  closed (full) and not yet received, so results receive them too. The tables imports write
  to are vacuumed after the setup and between the two imports (timed apart): a rolled-back
  import leaves dead rows and index entries that the next one would otherwise pay for
  (`--no-vacuum` leaves out the second, to see how much).
- ledger import: a csv file with every tube's result — every `1 / --positive-rate`-th tube
  positive, the rest negative, Ct values on the positives — imported by the demo `lab` user
  through the ledgers engine (`fangyi.ledgers.services.import_path`, what
  `fangyi ledger import lab-results FILE` runs): reading and checking the file, the tubes'
  results, copying them to the samples, a fact per member (negative tests and pooled
  positives), an audit row per tube, the retest tasks, and recomputing the
  statuses that can change (members of positive pools, and members of negative pools who
  already have a fact that colours them). The recompute runs inline (the inline limit is
  raised for the run), so it is inside the figure. Then the results are checked: facts and
  tasks counted, the positive pools' members yellow.
- API batches: the same results through `screening.lab.record_results` in batches of 10,000
  tubes (`POST /screening/results`'s largest batch), each its own savepoint, with the time
  spent in each step of the writer. On PostgreSQL one statement per 5,000 tubes updates their
  samples (the statement screening's tube writer gives) and inserts the facts
  (`health.services.record_member_facts`).

Each figure gives the wall time, this process's CPU time and the database backend's CPU time
(read from /proc when the database runs on this machine): on a machine that other work keeps
busy, the CPU times show what the import itself costs.
Runs in this process, one core; the database shares the machine. The load average is printed.
"""

import argparse
import csv
import datetime
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from machine import database_version, load_average  # noqa: E402
from screening_city import (  # noqa: E402
    city_campaign,
    residents_in_queue_order,
)

from fangyi.accounts.models import User  # noqa: E402
from fangyi.core.audit import BulkChanges  # noqa: E402
from fangyi.core.context import acting  # noqa: E402
from fangyi.core.models import ObjectChange  # noqa: E402
from fangyi.fieldwork.models import Task  # noqa: E402
from fangyi.health import services as health  # noqa: E402
from fangyi.health.models import Fact, Status  # noqa: E402
from fangyi.ledgers import services as ledgers  # noqa: E402
from fangyi.people.models import Person  # noqa: E402
from fangyi.screening.lab import services as lab  # noqa: E402
from fangyi.screening.models import Campaign, Sample, Tube  # noqa: E402
from fangyi.screening.sampling import batches, tubes  # noqa: E402

GOAL_SECONDS = 60.0
# The run's request id follows, so a run that died can be cleaned up by the next.
NAME = "基准测试：检测结果"
PREFIX = "LR"
POOL = 10
API_BATCH = 10_000
SETUP_BATCH = 1_000
# The writer's steps, as their modules name them, timed by a wrapper in the API-batch run.
STEPS = {
    (tubes, "_update_tubes"): "tubes: results (UPDATE … FROM unnest)",
    (health, "record_member_facts"): "samples updated, facts inserted",
    (tubes, "members"): "members of positive tubes read (retests)",
    (lab, "_create_tasks"): "retest tasks (fieldwork.create_tasks)",
    (health, "schedule_for_persons"): "statuses recomputed",
}


class Rollback(Exception):
    """Raised to leave a transaction without keeping anything."""


def backend_stat() -> Path | None:
    """/proc's stat file of this connection's PostgreSQL backend, if it runs on this machine."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        path = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    return path if path.exists() else None


def backend_cpu(stat: Path | None) -> float:
    if stat is None:
        return 0.0
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clock:
    """Wall time, this process's CPU time and the database backend's CPU time."""

    def __init__(self):
        self.stat = backend_stat()

    def __enter__(self):
        self.wall = time.perf_counter()
        self.cpu = time.process_time()
        self.db = backend_cpu(self.stat)
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.db = backend_cpu(self.stat) - self.db

    def figures(self) -> dict:
        figures = {"seconds": round(self.wall, 1), "cpu_seconds": round(self.cpu, 1)}
        if self.stat is not None:
            figures["database_cpu_seconds"] = round(self.db, 1)
        return figures


def checks_now() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def setup(admin, tubes: int, request_id: str) -> dict:
    now = timezone.now()
    campaign, _round, sites = city_campaign(
        admin,
        name=f"{NAME} {request_id}",
        started_hours_ago=23,
        site_name="基准采样点",
        pool_size=POOL,
    )
    # Everyone, away or not: a city of a million fills the 100,000 tubes.
    people = residents_in_queue_order(present_only=False, limit=tubes * POOL)
    groups = [people[start : start + POOL] for start in range(0, len(people), POOL)]
    groups = [group for group in groups if len(group) == POOL]
    # Swabs over the 20 hours before the results, a few a second across the city.
    first_swab = now - datetime.timedelta(hours=22)
    step = datetime.timedelta(hours=20) / max(len(groups), 1)
    started = time.perf_counter()
    for start in range(0, len(groups), SETUP_BATCH):
        items = [
            batches.SampleInput(
                tube=f"{PREFIX}{number:07d}",
                persons=[pk for pk, _path in members],
                site=next(s for s in sites if members[0][1].startswith(s.region_path)),
                sampled_at=first_swab + step * number,
            )
            for number, members in enumerate(groups[start : start + SETUP_BATCH], start=start)
        ]
        batches.record_samples(actor=admin, items=items)
        if start // SETUP_BATCH % 20 == 19:
            print(f"  setup: {start + SETUP_BATCH:,} tubes", file=sys.stderr)
    seconds = time.perf_counter() - started
    return {
        "campaign": campaign,
        "tubes": len(groups),
        "samples": len(groups) * POOL,
        "record_samples_seconds": round(seconds, 1),
        "tested_at": now - datetime.timedelta(minutes=30),
    }


def clean_up(campaign, request_id: str) -> float:
    started = time.perf_counter()
    with transaction.atomic():
        ObjectChange.objects.filter(request_id=request_id)._raw_delete(ObjectChange.objects.db)
        Sample.objects.filter(round__campaign=campaign)._raw_delete(Sample.objects.db)
        Tube.objects.filter(round__campaign=campaign)._raw_delete(Tube.objects.db)
        campaign.delete()
    return time.perf_counter() - started


def outcome_of(number: int, every: int) -> str:
    return "positive" if number % every == every // 2 else "negative"


def results_file(directory: Path, tubes: int, every: int, tested_at) -> Path:
    path = directory / "检测结果.csv"
    local = timezone.localtime(tested_at).strftime("%Y-%m-%d %H:%M:%S")
    labels = {"positive": "阳性", "negative": "阴性"}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["试管条码", "检测结果", "Ct 值", "检测时间"])
        for number in range(tubes):
            outcome = outcome_of(number, every)
            writer.writerow(
                [
                    f"{PREFIX}{number:07d}",
                    labels[outcome],
                    "24.5" if outcome == "positive" else "",
                    local,
                ]
            )
    return path


def check(campaign, tubes: int, every: int) -> dict:
    """What the results wrote, counted; and the positive pools' members' colours."""
    barcodes = [f"{PREFIX}{n:07d}" for n in range(tubes) if outcome_of(n, every) == "positive"]
    positives = Sample.objects.filter(tube__barcode__in=barcodes).values_list(
        "person_id", flat=True
    )
    colours = Counter(
        Status.objects.filter(person_id__in=list(positives)).values_list("colour", flat=True)
    )
    facts = Counter(
        Fact.objects.filter(source=lab.FACT_SOURCE, source_ref__startswith=PREFIX).values_list(
            "kind", flat=True
        )
    )
    return {
        "tubes_resulted": Tube.objects.filter(round__campaign=campaign, state="resulted").count(),
        "facts": dict(facts),
        "retest_tasks": Task.objects.filter(
            source=lab.RETEST_SOURCE, source_ref__startswith=PREFIX
        ).count(),
        "positive_pool_members_by_colour": dict(colours),
    }


def ledger_import(lab_user, campaign, tubes: int, every: int, tested_at) -> dict:
    directory = Path(tempfile.mkdtemp(prefix="fangyi-results-"))
    settings.FANGYI_LEDGER_DIR = directory / "jobs"
    try:
        path = results_file(directory, tubes, every, tested_at)
        with Clock() as clock:
            job, result = ledgers.import_path(actor=lab_user, ledger="lab-results", path=path)
            checks_now()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    if result.error_rows or result.unreadable:
        raise SystemExit(f"the import refused rows: {result.errors[:5] or result.unreadable}")
    print(f"  ledger import: {clock.figures()}", file=sys.stderr)
    return {
        "rows": result.rows,
        "updated": result.updated,
        **clock.figures(),
        "status": job.status,
        **check(campaign, tubes, every),
    }


def api_batches(lab_user, campaign, tubes: int, every: int, tested_at) -> dict:
    spent = dict.fromkeys([*STEPS, "copy"], 0.0)
    originals = {step: getattr(*step) for step in STEPS}

    def wrap(name, function):
        def step(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return step

    flush = BulkChanges.flush

    def copy(self):
        started = time.perf_counter()
        try:
            return flush(self)
        finally:
            spent["copy"] += time.perf_counter() - started

    for (module, name), function in originals.items():
        setattr(module, name, wrap((module, name), function))
    BulkChanges.flush = copy
    counts = Counter()
    batches = []
    try:
        with Clock() as clock:
            for start in range(0, tubes, API_BATCH):
                items = [
                    lab.ResultInput(
                        barcode=f"{PREFIX}{number:07d}",
                        result=outcome_of(number, every),
                        tested_at=tested_at,
                        ct_value=24.5 if outcome_of(number, every) == "positive" else None,
                    )
                    for number in range(start, min(start + API_BATCH, tubes))
                ]
                before = time.perf_counter()
                with transaction.atomic():
                    counts.update(asdict(lab.record_results(actor=lab_user, items=items)))
                    checks_now()
                batches.append(time.perf_counter() - before)
    finally:
        for (module, name), function in originals.items():
            setattr(module, name, function)
        BulkChanges.flush = flush
    print(f"  API batches: {clock.figures()}", file=sys.stderr)
    steps = [{"step": label, "seconds": round(spent[step], 2)} for step, label in STEPS.items()]
    steps.append(
        {
            "step": "tubes' audit rows (core.audit.BulkChanges)",
            "seconds": round(spent["copy"], 2),
        }
    )
    steps.append(
        {
            "step": "the rest (checks, locking, building rows in Python)",
            "seconds": round(clock.wall - sum(spent.values()), 2),
        }
    )
    return {
        "batches": len(batches),
        **clock.figures(),
        "batch_seconds_max": round(max(batches), 2),
        "counts": dict(counts),
        "steps": steps,
        **check(campaign, tubes, every),
    }


# What an import writes to; a rolled-back import leaves its rows behind as dead tuples and
# index entries until a vacuum, which the next measured import would otherwise pay for.
WRITTEN_TABLES = [
    Sample._meta.db_table,
    Tube._meta.db_table,
    Fact._meta.db_table,
    Status._meta.db_table,
    ObjectChange._meta.db_table,
    Task._meta.db_table,
]


def vacuumed(wanted: bool) -> float | None:
    """Vacuums the tables an import writes to, so every measured import starts from the same
    state: the samples recorded and nothing else (as the database is when results come,
    autovacuum having run since sampling)."""
    if not wanted:
        return None
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(WRITTEN_TABLES)}")
    return round(time.perf_counter() - started, 1)


def rolled_back(measure, *args) -> dict:
    """What `measure` answers, run in a transaction that is then rolled back."""
    figures: dict = {}
    try:
        with transaction.atomic():
            checks_now()
            figures = measure(*args)
            raise Rollback
    except Rollback:
        pass
    return figures


def summary(results: dict) -> None:
    """The figures as rows of docs/benchmarks.md's tables."""
    setup = results["setup"]
    print(
        f"\n{results['database']}, {results['residents']:,} residents; {results['machine']}; "
        f"load average {results['load_before']} before, {results['load_after']} after"
    )
    print("| measure | goal | result | note |")
    print("| --- | ---: | ---: | --- |")
    for key, label in (("ledger_import", "ledger import (csv)"), ("api_batches", "API batches")):
        figures = results.get(key)
        if not figures:
            continue
        met = "✓" if figures["seconds"] <= GOAL_SECONDS else "✗"
        database = figures.get("database_cpu_seconds")
        print(
            f"| results for {setup['tubes']:,} tubes ({setup['samples']:,} swabs), {label} "
            f"| ≤ {GOAL_SECONDS:.0f} s | {figures['seconds']} s {met} "
            f"| CPU {figures['cpu_seconds']} s here"
            + (f", {database} s in the database" if database is not None else "")
            + f"; {sum(figures['facts'].values()):,} facts, "
            f"{figures['retest_tasks']:,} retest tasks |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tubes", type=int, default=100_000)
    parser.add_argument("--positive-rate", type=float, default=0.001)
    parser.add_argument("--skip-api", action="store_true", help="only the ledger import")
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="no vacuum between the imports: the API batches pay for the ledger's dead rows",
    )
    parser.add_argument("--json", help="also write the results to this file")
    options = parser.parse_args()
    every = max(1, round(1 / options.positive_rate))
    # The recompute that results cause is part of the figure: done here, not by the worker.
    settings.FANGYI_HEALTH_INLINE_PERSONS = 10_000_000

    for leftover in Campaign.objects.filter(name__startswith=NAME):
        clean_up(leftover, leftover.name.rsplit(" ", 1)[-1])
    admin = User.objects.get(username="admin")
    lab_user = User.objects.get(username="lab")
    residents = Person.objects.count()
    results: dict = {
        "database": database_version(),
        "date": timezone.localdate().isoformat(),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "residents": residents,
        "load_before": load_average(),
    }
    print(
        f"{results['database']}: {residents:,} residents; load {results['load_before']}",
        file=sys.stderr,
    )
    with acting(via="cli") as context:
        made = setup(admin, options.tubes, context.request_id)
        campaign, tubes, tested_at = made.pop("campaign"), made["tubes"], made.pop("tested_at")
        try:
            results["setup"] = made
            print(f"  setup: {made}", file=sys.stderr)
            results["vacuum_seconds"] = [vacuumed(True)]
            results["ledger_import"] = rolled_back(
                ledger_import, lab_user, campaign, tubes, every, tested_at
            )
            if not options.skip_api:
                results["vacuum_seconds"].append(vacuumed(not options.no_vacuum))
                results["api_batches"] = rolled_back(
                    api_batches, lab_user, campaign, tubes, every, tested_at
                )
        finally:
            results["clean_up_seconds"] = round(clean_up(campaign, context.request_id), 1)
    results["load_after"] = load_average()
    results["goal_seconds"] = GOAL_SECONDS
    print(json.dumps(results, indent=2, ensure_ascii=False))
    summary(results)
    if options.json:
        with open(options.json, "w") as out:
            json.dump(results, out, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    main()

"""Health statuses at city scale: a full recompute, a zone over a community, the rules alone.

    FANGYI_DATABASE_URL=sqlite:///var/bench-1m.sqlite3 .venv/bin/python benchmarks/health.py
    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_1m \\
        .venv/bin/python benchmarks/health.py [--engine-persons 200000] [--json results.json]

The database must hold a city made by `fangyi seed --demo-staff` with its health facts
(benchmarks/seed.py keeps two). Everything runs in this process, one core:

- full recompute: `recompute.recompute_all()` over every resident, timed plain, then once
  more with a timing wrapper around each step it calls (fetching persons, loading the facts
  of persons at risk, reading the stored statuses, `rules.evaluate`, `reasons.describe`,
  writing the changed statuses, relabelling the unchanged ones) to show where the time goes;
  the wrapper adds a little per call, so its total is a little higher. Then under another
  plan, which rewrites every row, and back. CPU seconds are this process's; wall minus CPU
  is mostly waiting for the database.
- zone: `services.draw_zone` over the community whose resident count is closest to 10,000,
  as the demo `commander`, through the service so that its inline recompute is included;
  then every resident's status is checked to be red, and the zone is lifted (as is the
  medium-risk zone the plan lowers it to). Each round leaves its zones lifted and their
  audit rows behind.
- rules engine: the facts of `--engine-persons` residents (all but their declarations, which
  no rule reads) loaded into memory as `rules.Fact` tuples and their zones looked up
  beforehand, then only `rules.evaluate` is timed, over every one of them.
- baseline: the naive way over a sample of `--baseline-persons` residents — per person an ORM
  query for its facts, `rules.evaluate`, `reasons.describe` and
  `Status.objects.update_or_create` — extrapolated to every resident.

The load average is printed before and after: the machine may be shared.
"""

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from machine import database_version, load_average  # noqa: E402

from fangyi.accounts.models import User  # noqa: E402
from fangyi.core.context import acting  # noqa: E402
from fangyi.core.paths import under  # noqa: E402
from fangyi.demo.city import CITY  # noqa: E402
from fangyi.health import recompute, rules, services  # noqa: E402
from fangyi.health.models import Colour, Fact, Policy, Status  # noqa: E402
from fangyi.health.reasons import describe  # noqa: E402
from fangyi.people.models import Person  # noqa: E402
from fangyi.regions.models import Level, Region  # noqa: E402

GOALS = {
    "recompute": {"postgresql": 20.0, "sqlite": 40.0},
    "zone": 2.0,
    "engine": 200_000,
}
ZONE_RESIDENTS = 10_000
# The steps of a recompute that a timing wrapper goes around, as recompute.py names them.
STEPS = {
    "_person_rows": "fetch persons (id, region_path) with their stored statuses",
    "_facts_for": "load facts (of persons with a risk-bearing fact)",
    "_stored": "read stored statuses (other than a full recompute)",
    "evaluate": "rules.evaluate",
    "describe": "reasons.describe",
    "write_statuses": "write changed statuses (upsert)",
    "relabel_statuses": "relabel unchanged statuses under a new plan",
}


def timed(run: Callable[[], object]) -> tuple[object, float, float]:
    """(result, wall seconds, CPU seconds of this process)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - started, time.process_time() - cpu


def full_recompute() -> dict:
    outcome, wall, cpu = timed(recompute.recompute_all)
    print(
        f"  full recompute: {outcome.persons:,} in {wall:.1f} s (CPU {cpu:.1f} s)", file=sys.stderr
    )
    spent = dict.fromkeys(STEPS, 0.0)
    calls = Counter()
    originals = {name: getattr(recompute, name) for name in STEPS}

    def wrap(name, function):
        def step(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started
                calls[name] += 1

        return step

    for name, function in originals.items():
        setattr(recompute, name, wrap(name, function))
    try:
        # One process: the wrappers count only calls made in this one.
        _outcome, wall_timed, cpu_timed = timed(lambda: recompute.recompute_all(processes=1))
    finally:
        for name, function in originals.items():
            setattr(recompute, name, function)
    # Under another plan every status row records the new plan's version: the case where
    # every row is written, as after a commander switches plans. Then back again.
    in_force = Policy.objects.in_force()
    other = Policy.objects.exclude(pk=in_force.pk).get(code="2022-11-20m")
    switched, switch_wall, _cpu = timed(lambda: recompute.recompute_all(policy=other))
    restored, restore_wall, _cpu = timed(lambda: recompute.recompute_all(policy=in_force))
    print(
        f"  under another plan: {switch_wall:.1f} s ({switched.written:,} written); "
        f"back: {restore_wall:.1f} s ({restored.written:,} written)",
        file=sys.stderr,
    )
    steps = [
        {"step": label, "seconds": round(spent[name], 2), "calls": calls[name]}
        for name, label in STEPS.items()
    ]
    rest = wall_timed - sum(spent.values())
    steps.append({"step": "the rest (batch loop, tallies, savepoints)", "seconds": round(rest, 2)})
    for step in steps:
        print(f"    {step}", file=sys.stderr)
    return {
        "persons": outcome.persons,
        "by_colour": outcome.by_colour,
        "wall_seconds": round(wall, 1),
        "written": outcome.written,
        "cpu_seconds": round(cpu, 1),
        "switch_plan_seconds": round(switch_wall, 1),
        "switch_plan_written": switched.written,
        "switch_back_seconds": round(restore_wall, 1),
        "instrumented_wall_seconds": round(wall_timed, 1),
        "instrumented_cpu_seconds": round(cpu_timed, 1),
        "steps": steps,
    }


def red_kind(policy: Policy) -> str:
    return next(k["code"] for k in policy.parameters["zone_kinds"] if k.get("colour") == "red")


def zone_rounds(rounds: int) -> dict:
    commander = User.objects.get(username="commander")
    city = Region.objects.get(code=CITY[0])
    communities = Region.objects.filter(under("path", city.path), level=Level.COMMUNITY)
    community = min(communities, key=lambda c: (abs(c.resident_count - ZONE_RESIDENTS), c.path))
    kind = red_kind(Policy.objects.in_force())
    statuses = Status.objects.filter(under("region_path", community.path))
    draws, lifts = [], []
    for n in range(rounds):
        with acting(via="cli"):
            zone, wall, _cpu = timed(
                lambda n=n: services.draw_zone(
                    actor=commander,
                    kind=kind,
                    regions=[community],
                    reason=f"benchmarks/health.py, round {n + 1}",
                )
            )
            draws.append(wall)
            red = statuses.filter(colour=Colour.RED).count()
            total = statuses.count()
            if red != total or total != community.resident_count:
                raise SystemExit(
                    f"after drawing the zone {red:,} of {total:,} statuses are red "
                    f"({community.resident_count:,} residents)"
                )
            started = time.perf_counter()
            lowered = services.lift_zone(actor=commander, zone=zone, reason="benchmark done")
            if lowered is not None:
                services.lift_zone(actor=commander, zone=lowered, reason="benchmark done")
            lifts.append(time.perf_counter() - started)
        print(
            f"  zone round {n + 1}: draw {draws[-1]:.2f} s, lift {lifts[-1]:.2f} s", file=sys.stderr
        )
    return {
        "community": community.code,
        "residents": community.resident_count,
        "kind": kind,
        "rounds": rounds,
        "draw_median_seconds": round(statistics.median(draws), 2),
        "draw_max_seconds": round(max(draws), 2),
        "lift_median_seconds": round(statistics.median(lifts), 2),
    }


def engine(persons: int, repeats: int) -> dict:
    """Every fact the rules read (all but declarations), not only those of persons at risk:
    a recompute never calls the rules for most persons, but this measures the rules."""
    ctx = recompute.Context()
    batches = []
    loaded = 0
    risk, recompute.RISK = recompute.RISK, "(1 = 1)"
    try:
        return _engine(persons, repeats, ctx, batches, loaded)
    finally:
        recompute.RISK = risk


def _engine(persons: int, repeats: int, ctx, batches: list, loaded: int) -> dict:
    for batch, id_range, _stored in recompute._all_batches():
        batch = batch[: persons - loaded]
        ids = [person_id for person_id, _path in batch]
        facts = recompute._facts_for(ids, id_range=id_range)
        batches.append(
            [(facts.get(person_id, []), ctx.zones_of(path)) for person_id, path in batch]
        )
        loaded += len(batch)
        if loaded >= persons:
            break
    work = [item for batch in batches for item in batch]
    fact_count = sum(len(facts) for facts, _zones in work)
    evaluate, rule_set, now = rules.evaluate, ctx.rules, ctx.now
    rates = []
    colours = Counter()
    for n in range(repeats):
        started = time.perf_counter()
        results = [evaluate(facts, zones, rule_set, now) for facts, zones in work]
        rates.append(len(work) / (time.perf_counter() - started))
        if n == 0:
            colours = Counter(result.colour for result in results)
    print(f"  engine: {[round(r) for r in rates]} persons/s", file=sys.stderr)
    return {
        "persons": len(work),
        "facts": fact_count,
        "repeats": repeats,
        "persons_per_second_median": round(statistics.median(rates)),
        "persons_per_second_best": round(max(rates)),
        "by_colour": dict(colours),
    }


def naive(sample: int, residents: int) -> dict:
    """Per person: its facts through the ORM, evaluate, describe, update_or_create."""
    start = uuid.UUID(int=random.Random(2026).getrandbits(128))
    persons = list(
        Person.objects.filter(id__gte=start)
        .order_by("id")
        .values_list("id", "region_path")[:sample]
    )
    ctx = recompute.Context()

    def run():
        for person_id, path in persons:
            facts = [
                rules.Fact(
                    fact.id,
                    fact.kind,
                    fact.occurred_at.timestamp(),
                    fact.outcome,
                    fact.variant,
                    fact.retracts_id,
                )
                for fact in Fact.objects.filter(person_id=person_id).order_by(
                    "occurred_at", "recorded_at"
                )
            ]
            zones = ctx.zones_of(path)
            result = rules.evaluate(facts, zones, ctx.rules, ctx.now)
            valid_until = result.valid_until
            Status.objects.update_or_create(
                person_id=person_id,
                defaults={
                    "region_path": path,
                    "colour": result.colour,
                    "reasons": [describe(r, ctx.rules, zones=ctx.zones) for r in result.reasons],
                    "valid_until": None
                    if valid_until is None
                    else datetime.datetime.fromtimestamp(valid_until, datetime.UTC),
                    "policy_version": ctx.rules.version,
                    "manual": False,
                    "computed_at": ctx.now_dt,
                },
            )

    _result, wall, cpu = timed(run)
    per_person = wall / len(persons)
    print(f"  naive: {len(persons):,} in {wall:.1f} s", file=sys.stderr)
    return {
        "persons": len(persons),
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "ms_per_person": round(per_person * 1000, 2),
        "extrapolated_seconds": round(per_person * residents),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine-persons", type=int, default=200_000)
    parser.add_argument("--engine-repeats", type=int, default=3)
    parser.add_argument("--baseline-persons", type=int, default=5_000)
    parser.add_argument("--zone-rounds", type=int, default=3)
    parser.add_argument("--json", help="also write the results to this file")
    options = parser.parse_args()

    vendor = connection.vendor
    residents = Person.objects.count()
    facts = Fact.objects.count()
    load_before = load_average()
    print(
        f"{database_version()}: {residents:,} residents, {facts:,} facts; load {load_before}",
        file=sys.stderr,
    )
    results = {
        "database": database_version(),
        "date": timezone.localdate().isoformat(),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "residents": residents,
        "facts": facts,
        "load_before": load_before,
        "full_recompute": full_recompute(),
        "zone": zone_rounds(options.zone_rounds),
        "engine": engine(options.engine_persons, options.engine_repeats),
        "baseline": naive(options.baseline_persons, residents),
        "load_after": load_average(),
    }

    full = results["full_recompute"]
    zone = results["zone"]
    engine_result = results["engine"]
    baseline = results["baseline"]
    goal = GOALS["recompute"][vendor]

    def mark(met: bool) -> str:
        return "✓" if met else "✗"

    print(
        f"{results['database']}, {residents:,} residents, {facts:,} facts; {results['machine']}; "
        f"load average {load_before} before, {results['load_after']} after"
    )
    print("| measure | goal | result | note |")
    print("| --- | ---: | ---: | --- |")
    print(
        f"| full recompute, {full['persons']:,} statuses | ≤ {goal:.0f} s "
        f"| {full['wall_seconds']} s {mark(full['wall_seconds'] <= goal)} "
        f"| {full['written']:,} rows changed; CPU {full['cpu_seconds']} s in this process |"
    )
    print(
        f"| … the same under another plan (every row written: {full['switch_plan_written']:,}) "
        f"| ≤ {goal:.0f} s | {full['switch_plan_seconds']} s "
        f"{mark(full['switch_plan_seconds'] <= goal)} "
        f"| and back: {full['switch_back_seconds']} s |"
    )
    for step in full["steps"]:
        print(f"| … {step['step']} |  | {step['seconds']} s | instrumented run |")
    print(
        f"| zone over community {zone['community']} ({zone['residents']:,} residents), "
        f"draw until all red | ≤ {GOALS['zone']:.0f} s | {zone['draw_median_seconds']} s "
        f"{mark(zone['draw_max_seconds'] <= GOALS['zone'])} "
        f"| median of {zone['rounds']}, max {zone['draw_max_seconds']} s; "
        f"lift {zone['lift_median_seconds']} s |"
    )
    print(
        f"| rules.evaluate alone, {engine_result['persons']:,} persons in memory "
        f"| ≥ {GOALS['engine']:,}/s | {engine_result['persons_per_second_median']:,}/s "
        f"{mark(engine_result['persons_per_second_median'] >= GOALS['engine'])} "
        f"| {engine_result['facts']:,} facts; median of {engine_result['repeats']} |"
    )
    speedup = baseline["extrapolated_seconds"] / full["wall_seconds"]
    print(
        f"| baseline: ORM per person, {baseline['persons']:,} sampled |  "
        f"| {baseline['ms_per_person']} ms/person → {baseline['extrapolated_seconds']:,} s "
        f"for {residents:,} | batch path {speedup:.0f}× faster |"
    )
    if options.json:
        with open(options.json, "w") as out:
            json.dump(results, out, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    main()

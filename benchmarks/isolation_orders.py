"""Release readiness and the nightly sweep over many running isolation orders, against a
per-order ORM loop in the same run.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_1m \\
        .venv/bin/python benchmarks/isolation_orders.py [--orders 100000] [--json results.json]

The database must hold a city made by `fangyi seed --demo-staff` (benchmarks/seed.py keeps
one). The run adds, untimed, `--orders` orders for residents under no order yet (they stay:
use a benchmark database), as the services would have left them:

- 80 % running centralised quarantine (close contacts, the plan in force), three quarters of
  them past their planned end: of those, most with a negative test on every test day, some
  missing a day, some with a positive test, and some with a feverish check-in in the last
  24 hours; the others still within their term;
- 20 % released within the last day with no next stage yet (what the sweep must start).

With `--lists-only N` it makes nothing and times the lists N times over the orders an earlier
run left.

Otherwise, timed in this process (wall and CPU):

1. `readiness.split_due` over every order: the ready and overdue lists, with the reasons;
2. `sweep.sweep`: the missing next stages started (orders, quarantine facts, events, audit)
   and every overdue order marked on its timeline; then once more, with nothing left to do;
3. the baseline: per order, the ORM way — its tests, its check-ins, `rules.readiness`, and
   for an overdue one a lookup of its mark and an event saved — over a sample of
   `--baseline-orders` due orders inside a transaction rolled back, extrapolated to all.

The load average is printed before and after: the machine may be shared.
"""

import argparse
import datetime
import json
import os
import platform
import random
import sys
import time
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402
from django.utils import timezone  # noqa: E402
from machine import database_version, load_average  # noqa: E402

from fangyi.core.bulk import time_ordered_ids  # noqa: E402
from fangyi.core.context import acting  # noqa: E402
from fangyi.health.models import Fact, FactKind, Policy  # noqa: E402
from fangyi.health.services import record_facts_in_bulk  # noqa: E402
from fangyi.isolation import readiness, rules, sweep  # noqa: E402
from fangyi.isolation.models import CheckIn, Order, OrderEvent, OrderState  # noqa: E402
from fangyi.people.models import Person  # noqa: E402

GOALS = {"readiness": 5.0, "sweep": 60.0}
DAY = datetime.timedelta(days=1)
BATCH = 5000


def timed(run):
    wall, cpu = time.monotonic(), time.process_time()
    value = run()
    return value, round(time.monotonic() - wall, 2), round(time.process_time() - cpu, 2)


def make_orders(count: int, seed: int, now: datetime.datetime) -> dict:
    """The orders, their test results and check-ins, written in bulk (untimed)."""
    rng = random.Random(seed)
    policy = Policy.objects.in_force()
    term = rules.term_for(policy.parameters, "close_contact")
    assert term is not None, "the plan in force isolates no close contacts"
    people = list(
        Person.objects.exclude(Exists(Order.objects.filter(person=OuterRef("pk"))))
        .order_by("id")
        .values_list("id", "household_id", "region_path")[:count]
    )
    if len(people) < count:
        raise SystemExit(f"only {len(people):,} residents are under no order; fewer --orders")
    ids = time_ordered_ids(len(people))
    orders, tests, check_ins = [], [], []
    kinds = {"ready": 0, "missing": 0, "positive": 0, "fever": 0, "running": 0, "released": 0}
    for pk, (person_id, household_id, path) in zip(ids, people, strict=True):
        draw = rng.random()
        state = OrderState.ACTIVE
        if draw < 0.2:
            kind = "released"
            start = now - (term.days + 0.5) * DAY
            state = OrderState.RELEASED
        elif draw < 0.4:
            kind = "running"
            start = now - rng.uniform(0.1, term.days - 0.1) * DAY
        else:
            kind = rng.choices(["ready", "missing", "positive", "fever"], [70, 15, 5, 10])[0]
            start = now - (term.days + rng.uniform(0.01, 2)) * DAY
        kinds[kind] += 1
        order = Order(
            id=uuid.UUID(pk),
            person_id=person_id,
            household_id=household_id,
            region_path=path,
            kind=term.kind,
            reason="close_contact",
            policy=policy,
            term_days=term.days,
            test_days=list(term.test_days),
            state=state,
            state_changed_at=now,
            started_at=start,
            planned_end_at=rules.planned_end(start, term.days),
            ended_at=now - rng.uniform(0, 0.9) * DAY if state == OrderState.RELEASED else None,
            created_at=start,
        )
        orders.append(order)
        skipped = rng.choice(term.test_days) if kind == "missing" else None
        for day in term.test_days:
            at = start + (day - 1) * DAY + datetime.timedelta(hours=rng.uniform(0, 20))
            if day == skipped or at > now:
                continue
            outcome = "positive" if kind == "positive" and day == term.test_days[-1] else "negative"
            tests.append((person_id, path, at, outcome))
        if kind == "fever":
            check_ins.append(
                CheckIn(
                    order=order,
                    person_id=person_id,
                    region_path=path,
                    day=timezone.localdate(),
                    slot=1,
                    temperature=38.2,
                    fever=True,
                    channel="staff",
                    reported_at=now - datetime.timedelta(hours=rng.uniform(0, 23)),
                )
            )
    for start in range(0, len(orders), BATCH):
        with transaction.atomic():
            Order.objects.bulk_create(orders[start : start + BATCH])
    fact_ids = iter(time_ordered_ids(len(tests)))
    rows = [
        (next(fact_ids), person_id, path, FactKind.TEST_RESULT, at, now, outcome, "single",
         "bench", {})
        for person_id, path, at, outcome in tests
    ]  # fmt: skip
    rows.sort(key=lambda row: row[1])
    for start in range(0, len(rows), 50_000):
        with transaction.atomic():
            record_facts_in_bulk(
                actor=None, source="benchmark", rows=rows[start : start + 50_000], authorised=True
            )
    CheckIn.objects.bulk_create(check_ins, batch_size=BATCH)
    return {"orders": len(orders), "tests": len(rows), "check_ins": len(check_ins), **kinds}


def baseline(sample: int, due_total: int, now: datetime.datetime) -> dict:
    """The per-order ORM way over a sample of due orders, rolled back, extrapolated."""
    due = list(readiness.due(Order.objects.all(), now).select_related("person")[:sample])
    started_wall = time.monotonic()
    with transaction.atomic():
        for order in due:
            assert order.started_at is not None
            tests = [
                rules.LabResult(at, outcome)
                for at, outcome in Fact.objects.filter(
                    person_id=order.person_id,
                    kind=FactKind.TEST_RESULT,
                    occurred_at__gte=order.started_at,
                    occurred_at__lte=now,
                ).values_list("occurred_at", "outcome")
            ]
            fevers = list(
                CheckIn.objects.filter(
                    order=order, fever=True, reported_at__gt=now - rules.FEVER_WINDOW
                ).values_list("reported_at", flat=True)
            )
            verdict = rules.readiness(
                start=order.started_at, test_days=order.test_days, tests=tests, fevers=fevers,
                now=now,
            )  # fmt: skip
            if (
                not verdict.ready
                and not OrderEvent.objects.filter(order=order, details__mark="baseline").exists()
            ):
                OrderEvent(
                    order=order,
                    from_state=order.state,
                    to_state=order.state,
                    reason="baseline",
                    details={"mark": "baseline"},
                ).save()
        transaction.set_rollback(True)
    seconds = time.monotonic() - started_wall
    per_order = seconds / max(len(due), 1)
    return {
        "orders": len(due),
        "seconds": round(seconds, 2),
        "ms_per_order": round(per_order * 1000, 2),
        "extrapolated_seconds": round(per_order * due_total, 1),
    }


def lists_only(times: int) -> None:
    print(f"{database_version()}; {platform.node()}, {os.cpu_count()} cores")
    for _ in range(times):
        load = load_average()
        (ready, overdue), wall, cpu = timed(lambda: readiness.split_due(Order.objects.all()))
        print(
            f"lists: {len(ready) + len(overdue):,} due ({len(ready):,} ready, "
            f"{len(overdue):,} overdue) in {wall} s, CPU {cpu} s; load {load}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--baseline-orders", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument(
        "--lists-only",
        type=int,
        metavar="N",
        help="make nothing: time the ready and overdue lists N times over the orders already "
        "there (a database an earlier run left)",
    )
    options = parser.parse_args()
    if options.lists_only:
        lists_only(options.lists_only)
        return

    load_before = load_average()
    now = timezone.now()
    print(f"{database_version()}; load {load_before}; making orders…", file=sys.stderr)
    with acting(via="cli"):
        made, make_wall, _cpu = timed(lambda: make_orders(options.orders, options.seed, now))
        (ready, overdue), ready_wall, ready_cpu = timed(
            lambda: readiness.split_due(Order.objects.all(), now)
        )
        first, sweep_wall, sweep_cpu = timed(lambda: sweep.sweep(now=now))
        second, again_wall, _again_cpu = timed(lambda: sweep.sweep(now=now))
        base = baseline(options.baseline_orders, len(ready) + len(overdue), now)
    results = {
        "database": database_version(),
        "date": timezone.localdate().isoformat(),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_before": load_before,
        "made": made | {"seconds": make_wall},
        "readiness": {
            "due": len(ready) + len(overdue),
            "ready": len(ready),
            "overdue": len(overdue),
            "wall_seconds": ready_wall,
            "cpu_seconds": ready_cpu,
        },
        "sweep": {
            "next_stages": first.next_stages,
            "newly_overdue": first.newly_overdue,
            "wall_seconds": sweep_wall,
            "cpu_seconds": sweep_cpu,
            "again_wall_seconds": again_wall,
            "again_newly_overdue": second.newly_overdue,
        },
        "baseline": base,
        "load_after": load_average(),
    }

    def mark(met: bool) -> str:
        return "✓" if met else "✗"

    r, s = results["readiness"], results["sweep"]
    print(
        f"{results['database']}; {results['machine']}; "
        f"load average {load_before} before, {results['load_after']} after"
    )
    print(
        f"{made['orders']:,} orders made in {make_wall} s ({made['tests']:,} tests, "
        f"{made['check_ins']:,} feverish check-ins)"
    )
    print("| measure | goal | result | note |")
    print("| --- | ---: | ---: | --- |")
    print(
        f"| ready / overdue lists, {r['due']:,} due orders | ≤ {GOALS['readiness']:.0f} s "
        f"| {r['wall_seconds']} s {mark(r['wall_seconds'] <= GOALS['readiness'])} "
        f"| {r['ready']:,} ready, {r['overdue']:,} overdue; CPU {r['cpu_seconds']} s |"
    )
    print(
        f"| nightly sweep | ≤ {GOALS['sweep']:.0f} s "
        f"| {s['wall_seconds']} s {mark(s['wall_seconds'] <= GOALS['sweep'])} "
        f"| {s['next_stages']:,} next stages started, {s['newly_overdue']:,} overdue marked; "
        f"again with nothing to do: {s['again_wall_seconds']} s |"
    )
    speedup = base["extrapolated_seconds"] / max(r["wall_seconds"] + s["wall_seconds"], 0.01)
    print(
        f"| baseline: ORM per order, {base['orders']:,} sampled |  "
        f"| {base['ms_per_order']} ms/order → {base['extrapolated_seconds']:,} s for {r['due']:,} "
        f"| set-wise lists and sweep {speedup:.0f}× faster |"
    )
    text = json.dumps(results, ensure_ascii=False, indent=2)
    print(text)
    if options.json:
        with open(options.json, "w", encoding="utf-8") as out:
            out.write(text)


if __name__ == "__main__":
    main()

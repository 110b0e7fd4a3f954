"""Registering a city's samples: 1,000,000 swabs in 100,000 pooled tubes of 10.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_1m \\
        .venv/bin/python benchmarks/screening_samples.py [--tubes 100000] [--json results.json]

The database must hold a city made by `fangyi seed --demo-staff` (1,000,000 residents for
the issue's figure). The script creates a campaign over the whole city with one round running
now and one sampling site per district, then:

- batch service: `screening.services.record_samples`, the function behind
  `POST /api/v1/screening/samples`, called with batches of `--batch-tubes` tubes (1,000 tubes,
  10,000 samples: the API's largest batch), as sampling devices upload them. Each batch is its
  own transaction with its audit rows, as in the API. Residents are taken household by
  household in region order, ten to a tube. Timed over every batch; samples per second.
- baseline: the same service one scan at a time (`open_tube` then `add_to_tube` for each
  person, as the sampling screen does), over `--baseline-tubes` tubes of the first residents
  again (sampled a second time in the round, as after a positive pool), extrapolated.

Then everything it created is deleted (samples, tubes, their audit rows, the campaign), so the
database can be used again. Runs in this process, one core; the database shares the machine.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from machine import database_version, load_average  # noqa: E402
from screening_city import (  # noqa: E402
    city_campaign,
    residents_in_queue_order,
)

from fangyi.accounts.models import User  # noqa: E402
from fangyi.core.context import acting  # noqa: E402
from fangyi.core.models import ObjectChange  # noqa: E402
from fangyi.people.models import Person  # noqa: E402
from fangyi.screening.models import Campaign, Sample, Tube  # noqa: E402
from fangyi.screening.sampling import services as sampling_services  # noqa: E402

GOAL = {"postgresql": 20_000}
NAME = "基准测试：样本登记"


def site_for(sites, path: str):
    return next((site for site in sites if path.startswith(site.region_path)), sites[0])


def batch_service(admin, sites, people, *, batch_tubes: int, prefix: str) -> dict:
    sampled_at = timezone.now() - datetime.timedelta(minutes=30)
    tubes = [people[start : start + 10] for start in range(0, len(people), 10)]
    batches = [tubes[start : start + batch_tubes] for start in range(0, len(tubes), batch_tubes)]
    spent: list[float] = []
    written = 0
    started = time.perf_counter()
    cpu = time.process_time()
    for number, batch in enumerate(batches):
        items = [
            batches.SampleInput(
                tube=f"{prefix}{number:04d}-{index:04d}",
                persons=[pk for pk, _path in members],
                site=site_for(sites, members[0][1]),
                sampled_at=sampled_at,
            )
            for index, members in enumerate(batch)
        ]
        before = time.perf_counter()
        _received, new = batches.record_samples(actor=admin, items=items)
        spent.append(time.perf_counter() - before)
        written += new
        if number % 10 == 9:
            print(f"  {written:,} samples, {time.perf_counter() - started:.1f} s", file=sys.stderr)
    wall = time.perf_counter() - started
    spent.sort()
    return {
        "samples": written,
        "tubes": len(tubes),
        "batches": len(batches),
        "seconds": round(wall, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "samples_per_second": round(written / wall),
        "batch_seconds_median": round(spent[len(spent) // 2], 3),
        "batch_seconds_max": round(spent[-1], 3),
    }


def baseline(admin, current, sites, people, *, prefix: str) -> dict:
    """One request per scan, as a sampler's phone makes them."""
    # People in quarantine go alone in a tube; the baseline fills pools of ten.
    quarantined = sampling_services.in_quarantine([pk for pk, _path in people])
    people = [(pk, path) for pk, path in people if pk not in quarantined]
    tubes = [people[start : start + 10] for start in range(0, len(people) - 9, 10)]
    started = time.perf_counter()
    count = 0
    persons = Person.objects.in_bulk([pk for pk, _path in people])
    for index, members in enumerate(tubes):
        tube = sampling_services.open_tube(
            actor=admin,
            barcode=f"{prefix}{index:05d}",
            site=site_for(sites, members[0][1]),
            round=current,
            pool_size=10,
        )
        for pk, _path in members:
            sampling_services.add_to_tube(actor=admin, tube=tube, person=persons[pk])
            count += 1
    wall = time.perf_counter() - started
    return {"samples": count, "seconds": round(wall, 2), "samples_per_second": round(count / wall)}


def clean_up(campaign, request_id: str) -> float:
    """Deletes what the run wrote; its audit rows are those of its one request id."""
    started = time.perf_counter()
    with transaction.atomic():
        ObjectChange.objects.filter(
            time__gte=campaign.created_at,
            request_id=request_id,
            object_type__in=[Sample._meta.label_lower, Tube._meta.label_lower],
        )._raw_delete(ObjectChange.objects.db)
        Sample.objects.filter(round__campaign=campaign)._raw_delete(Sample.objects.db)
        Tube.objects.filter(round__campaign=campaign)._raw_delete(Tube.objects.db)
        campaign.delete()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tubes", type=int, default=100_000)
    parser.add_argument("--batch-tubes", type=int, default=1_000)
    parser.add_argument("--baseline-tubes", type=int, default=500)
    parser.add_argument("--json", type=argparse.FileType("w"))
    args = parser.parse_args()

    for leftover in Campaign.objects.filter(name=NAME):
        clean_up(leftover, "")
    admin = User.objects.get(username="admin")
    results: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "database": database_version(),
        "residents": Person.objects.count(),
        "date": datetime.date.today().isoformat(),
        "load_before": load_average(),
    }
    with acting(via="benchmark") as context:
        campaign, current, sites = city_campaign(
            admin, name=NAME, started_hours_ago=1, site_name="基准采样点"
        )
        try:
            people = residents_in_queue_order(limit=args.tubes * 10)
            print(f"batch service: {args.tubes:,} tubes", file=sys.stderr)
            results["batch"] = batch_service(
                admin, sites, people[: args.tubes * 10], batch_tubes=args.batch_tubes, prefix="BB"
            )
            print(f"  {results['batch']}", file=sys.stderr)
            print(f"baseline: {args.baseline_tubes:,} tubes one scan at a time", file=sys.stderr)
            results["baseline"] = baseline(
                admin, current, sites, people[: args.baseline_tubes * 11], prefix="BS"
            )
            results["baseline"]["extrapolated_seconds"] = round(
                results["batch"]["samples"] / results["baseline"]["samples_per_second"]
            )
            print(f"  {results['baseline']}", file=sys.stderr)
        finally:
            results["clean_up_seconds"] = round(clean_up(campaign, context.request_id), 1)
    results["load_after"] = load_average()
    goal = GOAL.get(connection.vendor)
    results["goal_samples_per_second"] = goal
    results["speedup_over_baseline"] = round(
        results["batch"]["samples_per_second"] / results["baseline"]["samples_per_second"], 1
    )
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.json:
        json.dump(results, args.json, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()

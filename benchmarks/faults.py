"""A task worker killed (SIGKILL) in the middle of each kind of background job, on PostgreSQL:
the time from the kill until the job was resumed (or failed) and finished, and the rows
counted before and after.

    PYTHONPATH=src .venv/bin/python benchmarks/faults.py [--residents 20000] [--rows 100000]
        [--database postgres://postgres@127.0.0.1:5432/faults_bench]

A fresh database is migrated and seeded with the demo city (its demo campaign has a round
running now). Then, one kind after another, with the production chunk sizes:

1. import: a residents ledger of `--rows` new residents of the campaign's first building;
2. export: every resident of the city, CSV;
3. recompute: every person's status (recompute_all, as the worker runs it);
4. lab import: a lab-results ledger for `--rows / 5` single tubes sampled in the round;
5. home tasks: `fangyi screening home-tasks --running`, the imported residents who were not
   sampled being bedridden (a command, not a worker task: the next sweep is its recovery).

Each job is started with a worker (or the sweep) in a process of its own, which is killed
once a third of the job is committed; a new worker is started at once (it recovers the
job as it starts) or the sweep is run again. "resumed" is the time from the kill until the
job runs again, "done" until it finished. Counts are checked against what the job must leave.
"""

import argparse
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import FANGYI, ROOT, fresh_postgres, run  # noqa: E402

WORK = ROOT / "var" / "bench-faults"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/faults_bench"
WORKER = ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", "-v", "0"]


def start(database_url: str, args: list[str]) -> subprocess.Popen:
    env = os.environ | {
        "FANGYI_DATABASE_URL": database_url,
        "FANGYI_LEDGER_DIR": str(WORK / "jobs"),
        "FANGYI_LOG_LEVEL": "WARNING",
    }
    env.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
    return subprocess.Popen([str(FANGYI), *args], env=env, stdout=subprocess.DEVNULL)


def wait_for(condition, *, timeout: float = 600, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(every)
    return value


def kill(process: subprocess.Popen) -> float:
    process.send_signal(signal.SIGKILL)
    process.wait()
    return time.monotonic()


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=20000)
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    options = parser.parse_args()
    url, _size = fresh_postgres(options.database)
    run(url, "migrate", "--no-input", "-v", "0")
    run(url, "seed", "--residents", str(options.residents), "--demo-staff", "--no-health")
    os.environ["FANGYI_DATABASE_URL"] = url
    os.environ["FANGYI_LEDGER_DIR"] = str(WORK / "jobs")
    os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
    import django

    django.setup()
    from machine import database_version, load_average

    load_before = load_average()
    results = [kind(url, options) for kind in KINDS]
    print(
        json.dumps(
            {
                "machine": platform.node(),
                "cpus": os.cpu_count(),
                "database": database_version(),
                "date": datetime.date.today().isoformat(),
                "residents": options.residents,
                "rows": options.rows,
                "load_before": load_before,
                "load_after": load_average(),
                "kinds": results,
            },
            ensure_ascii=False,
            indent=1,
        )
    )


def _worker_job(url, name, model, job, *, total, committed, counts, expected):
    """Runs a job with a worker, kills it a third of the way, starts another worker."""
    worker = start(url, WORKER)
    wait_for(lambda: committed(model.objects.get(pk=job.pk)) >= total // 3)
    killed = kill(worker)
    before = counts()
    job.refresh_from_db()
    at_kill = committed(job)
    worker = start(url, WORKER)
    try:
        wait_for(lambda: model.objects.get(pk=job.pk).attempts >= 2, every=0.02)
        resumed = time.monotonic() - killed
        wait_for(lambda: model.objects.get(pk=job.pk).status in ("done", "failed"))
        done = time.monotonic() - killed
    finally:
        stop(worker)
    job.refresh_from_db()
    after = counts()
    return {
        "kind": name,
        "total": total,
        "committed_at_kill": at_kill,
        "resumed_s": round(resumed, 2),
        "done_s": round(done, 2),
        "status": job.status,
        "before": before,
        "after": after,
        "expected": expected,
        "ok": after == expected and job.status == "done",
    }


def _admin():
    from fangyi.accounts.models import User

    return User.objects.get(username="admin")


def _round_and_building():
    from fangyi.regions.models import Level, Region
    from fangyi.screening.models import Campaign

    campaign = Campaign.objects.get(name__contains="演示")
    round_ = campaign.rounds.order_by("-starts_at").first()
    site = campaign.sites.first()
    building = Region.objects.filter(level=Level.BUILDING, path__startswith=site.region.path)
    return round_, site, building.order_by("code").first()


def _file(rows: list[list], name: str) -> Path:
    import csv

    path = WORK / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _upload(path: Path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def import_kind(url, options):
    from django.db.models import Count

    from fangyi.core.models import ObjectChange
    from fangyi.ledgers import services
    from fangyi.ledgers.models import ImportJob
    from fangyi.people.models import Person
    from fangyi.people.validation import make_resident_id

    _round, _site, building = _round_and_building()
    born = datetime.date(1960, 1, 1)
    rows = [["姓名", "证件号码", "楼栋代码", "单元", "房号"]]
    for n in range(options.rows):
        number = make_resident_id("110101", born + datetime.timedelta(days=n // 400), n % 1000)
        rows.append([f"故障{n}", number, building.code, str(n // 100_000 + 7), f"{n // 4 % 25000}"])
    path = _file(rows, "residents.csv")
    job = services.start_import(
        actor=_admin(), ledger="residents", upload=_upload(path), dry_run=False
    )

    def counts():
        persons = Person.objects.filter(name__startswith="故障")
        return {
            "persons": persons.count(),
            "person audit rows": ObjectChange.objects.filter(
                object_type="people.person", action=ObjectChange.CREATE
            ).count()
            - baseline_audit,
            "ids twice": persons.values("id_number")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count(),
        }

    baseline_audit = ObjectChange.objects.filter(
        object_type="people.person", action=ObjectChange.CREATE
    ).count()
    expected = {"persons": options.rows, "person audit rows": options.rows, "ids twice": 0}
    return _worker_job(
        url,
        "ledger import",
        ImportJob,
        job,
        total=options.rows,
        committed=lambda j: j.rows_written,
        counts=counts,
        expected=expected,
    )


def export_kind(url, options):
    from fangyi.ledgers import services
    from fangyi.ledgers.models import ExportJob
    from fangyi.people.models import Person
    from fangyi.regions.models import Region

    city = Region.objects.filter(parent=None).order_by("code").first()
    total = Person.objects.count()
    job = services.start_export(
        actor=_admin(), ledger="residents", region=city, fmt="csv", inline=False
    )

    def counts():
        job.refresh_from_db()
        if not job.file_path.exists():
            return {"file rows": None}
        with job.file_path.open(encoding="utf-8-sig") as handle:
            return {"file rows": sum(1 for _line in handle) - 1}

    return _worker_job(
        url,
        "ledger export",
        ExportJob,
        job,
        total=total,
        committed=lambda j: j.rows_written,
        counts=counts,
        expected={"file rows": total},
    )


def recompute_kind(url, options):
    from fangyi.health.models import RecomputeRun, Status
    from fangyi.health.tasks import recompute_all_task
    from fangyi.people.models import Person

    Status.objects.all().delete()
    total = Person.objects.count()
    recompute_all_task.enqueue()
    worker = start(url, WORKER)
    run_ = wait_for(lambda: RecomputeRun.objects.filter(persons_done__gte=total // 3).first())
    killed = kill(worker)
    before = {"statuses": Status.objects.count()}
    worker = start(url, WORKER)
    try:
        wait_for(lambda: RecomputeRun.objects.get(pk=run_.pk).attempts >= 2, every=0.02)
        resumed = time.monotonic() - killed
        wait_for(lambda: RecomputeRun.objects.get(pk=run_.pk).state in ("done", "failed"))
        done = time.monotonic() - killed
    finally:
        stop(worker)
    run_.refresh_from_db()
    after = {"statuses": Status.objects.count()}
    return {
        "kind": "recompute",
        "total": total,
        "committed_at_kill": before["statuses"],
        "resumed_s": round(resumed, 2),
        "done_s": round(done, 2),
        "status": run_.state,
        "before": before,
        "after": after,
        "expected": {"statuses": total},
        "ok": after == {"statuses": total} and run_.state == "done",
    }


def lab_kind(url, options):
    from django.db.models import Count
    from django.utils import timezone

    from fangyi.accounts.models import User
    from fangyi.health.models import Fact
    from fangyi.ledgers import services
    from fangyi.ledgers.models import ImportJob
    from fangyi.people.models import Person
    from fangyi.screening.models import Tube, TubeState
    from fangyi.screening.sampling import batches

    _round, site, _building = _round_and_building()
    tubes = options.rows // 5
    persons = list(Person.objects.filter(name__startswith="故障").order_by("id")[:tubes])
    sampled = timezone.now() - datetime.timedelta(minutes=30)
    sampler = User.objects.get(username="sampler")
    for start_at in range(0, len(persons), 5000):
        batches.record_samples(
            actor=sampler,
            items=[
                batches.SampleInput(
                    tube=f"FAULT-{n:07d}",
                    persons=[person.pk],
                    site=site,
                    sampled_at=sampled,
                    pool_size=1,
                )
                for n, person in enumerate(persons[start_at : start_at + 5000], start=start_at)
            ],
        )
    tested = (timezone.localtime() - datetime.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M")
    rows = [["试管条码", "检测结果", "检测时间"]]
    rows += [[f"FAULT-{n:07d}", "阴性", tested] for n in range(len(persons))]
    path = _file(rows, "lab-results.csv")
    job = services.start_import(
        actor=User.objects.get(username="lab"),
        ledger="lab-results",
        upload=_upload(path),
        dry_run=False,
    )

    def counts():
        ours = Tube.objects.filter(barcode__startswith="FAULT-")
        facts = Fact.objects.filter(source="lab", source_ref__startswith="FAULT-")
        return {
            "tubes resulted": ours.filter(state=TubeState.RESULTED).count(),
            "facts": facts.count(),
            "facts twice": facts.values("person_id", "source_ref")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count(),
        }

    n = len(persons)
    return _worker_job(
        url,
        "lab-results import",
        ImportJob,
        job,
        total=n,
        committed=lambda j: j.rows_written,
        counts=counts,
        expected={"tubes resulted": n, "facts": n, "facts twice": 0},
    )


def home_tasks_kind(url, options):
    from django.db.models import Count

    from fangyi.fieldwork.models import Task
    from fangyi.people.models import Person
    from fangyi.screening.models import Sample

    round_, _site, _building = _round_and_building()
    sampled = Sample.objects.filter(round=round_).values("person_id")
    Person.objects.filter(name__startswith="故障").exclude(pk__in=sampled).update(is_bedridden=True)
    source = f"screening:{round_.pk}"
    existing = Task.objects.filter(source=source).count()
    sweep = ["screening", "home-tasks", "--running"]
    first = start(url, sweep)
    wait_for(lambda: Task.objects.filter(source=source).count() - existing >= 2000 * 3)
    killed = kill(first)

    def counts():
        made = Task.objects.filter(source=source)
        return {
            "tasks": made.count(),
            "tasks twice": made.values("source_ref")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count(),
        }

    before = counts()
    again = start(url, sweep)
    resumed = time.monotonic() - killed
    again.wait()
    done = time.monotonic() - killed
    after = counts()
    # An uninterrupted sweep: the same persons are missing; a third run must add nothing.
    third = start(url, sweep)
    third.wait()
    return {
        "kind": "home-task sweep",
        "total": after["tasks"],
        "committed_at_kill": before["tasks"],
        "resumed_s": round(resumed, 2),
        "done_s": round(done, 2),
        "status": "done" if again.returncode == 0 else f"exit {again.returncode}",
        "before": before,
        "after": after,
        "expected": counts(),
        "ok": counts() == after and after["tasks twice"] == 0,
    }


KINDS = [import_kind, export_kind, recompute_kind, lab_kind, home_tasks_kind]

if __name__ == "__main__":
    main()

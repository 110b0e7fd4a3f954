"""Enterprises back at work: the figures for every region at once, and one enterprise's
employee list at 5,000 employees.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a copy of fangyi_bench_1m> \\
        .venv/bin/python benchmarks/enterprises.py [--enterprises 2000] [--per-enterprise 40]
        [--big 5000] [--rounds 5] [--json out.json]

Works on a migrated city with residents and statuses (a copy made with `CREATE DATABASE x
TEMPLATE fangyi_bench_1m`; it is migrated first, and everything is written into it). Setup,
not timed: `--enterprises` enterprises spread over the grids (three in five reopened), the
first with `--big` confirmed employees, every other with `--per-enterprise`, all residents of
the city taken in id order, written in bulk. Then, each over `--rounds` rounds (best and
median):

- figures: `figures.by_region()`, the four counts of every region path (registered, reopened,
  employees linked, employees able to work), as the command centre reads them;
- employees: the big enterprise's list through the API (`GET /api/v1/enterprises/{id}/
  employees`, token, schema, JSON, an AccessEvent per row): the first page, and the whole
  list walked page by page (100 a page).

The load average is printed before and after: the machine may be shared.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")
os.environ.setdefault("FANGYI_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from machine import database_version, load_average  # noqa: E402
from stdnum.cn import uscc  # noqa: E402

from fangyi.accounts.models import RoleAssignment, User  # noqa: E402
from fangyi.accounts.services import issue_token  # noqa: E402
from fangyi.enterprises import figures  # noqa: E402
from fangyi.enterprises.area import ACCOUNT  # noqa: E402
from fangyi.enterprises.models import Employment, Enterprise, Membership  # noqa: E402
from fangyi.people.models import Person  # noqa: E402
from fangyi.regions.models import Level, Region  # noqa: E402


def credit_code(serial: int) -> str:
    body = f"91350100MA{serial:07d}"
    return body + uscc.calc_check_digit(body)


def setup(enterprises: int, per_enterprise: int, big: int) -> Enterprise:
    grids = list(Region.objects.filter(level=Level.GRID).order_by("path"))
    now = timezone.now()
    made = [
        Enterprise(
            name=f"基准企业{n}",
            credit_code=credit_code(n),
            region=grids[n * len(grids) // enterprises],
            region_path=grids[n * len(grids) // enterprises].path,
            contact_name="陈经理",
            contact_phone="13905910001",
            standing="reopened" if n % 5 < 3 else "registered",
            created_at=now,
        )
        for n in range(enterprises)
    ]
    Enterprise.objects.bulk_create(made, batch_size=2000)
    wanted = big + per_enterprise * (enterprises - 1)
    persons = list(Person.objects.order_by("id").values_list("id", flat=True)[:wanted])
    links = []
    for n, person_id in enumerate(persons):
        owner = made[0] if n < big else made[1 + (n - big) // per_enterprise]
        links.append(
            Employment(
                enterprise=owner,
                person_id=person_id,
                region_path=owner.region_path,
                state="confirmed",
                linked_at=now,
                answered_at=now,
            )
        )
    Employment.objects.bulk_create(links, batch_size=5000)
    return made[0]


def rounds(function, count: int) -> dict:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return {
        "best_ms": round(min(times) * 1000, 1),
        "median_ms": round(statistics.median(times) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=2000)
    parser.add_argument("--per-enterprise", type=int, default=40)
    parser.add_argument("--big", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json")
    args = parser.parse_args()
    print("load before", load_average())
    call_command("migrate", "--no-input", "-v", "0")
    start = time.perf_counter()
    with transaction.atomic():
        biggest = setup(args.enterprises, args.per_enterprise, args.big)
    print(f"setup {time.perf_counter() - start:.1f} s")
    account = User.objects.create(username=f"bench-enterprise-{uuid.uuid4().hex[:8]}")
    RoleAssignment.objects.create(
        user=account, role=ACCOUNT, region=biggest.region, region_path=biggest.region_path
    )
    Membership.objects.create(user=account, enterprise=biggest)
    client = Client(headers={"Authorization": f"Bearer {issue_token(actor=None, user=account)}"})
    url = f"/api/v1/enterprises/{biggest.pk}/employees"

    counted = figures.by_region()
    city = min(counted, key=len)

    def first_page():
        response = client.get(url, {"limit": 100})
        assert response.status_code == 200, response.content

    def whole_list():
        cursor, seen = None, 0
        while True:
            response = client.get(url, {"limit": 100, **({"cursor": cursor} if cursor else {})})
            body = response.json()
            seen += len(body["items"])
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert seen == args.big, seen

    result = {
        "date": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "machine": platform.node(),
        "database": database_version(),
        "residents": Person.objects.count(),
        "enterprises": args.enterprises,
        "employments": Employment.objects.count(),
        "region_paths": len(counted),
        "city": {"path": city, **counted[city].__dict__},
        "figures": rounds(figures.by_region, args.rounds),
        "employees_first_page": rounds(first_page, args.rounds),
        "employees_whole_list": rounds(whole_list, max(1, args.rounds // 2)),
    }
    print("load after", load_average())
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

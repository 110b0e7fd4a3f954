"""Writes a generated city into the database, in bulk.

Seeding is a system bootstrap, not a change anyone made, so it bypasses the per-row services
(and their audit rows): regions go in with bulk_create, households and persons with COPY on
PostgreSQL and executemany elsewhere, then the region counts are rebuilt once. The whole load
is one transaction: a failed seed leaves the database as it was.
"""

import contextlib
import gc
import logging
import time

from django.db import connection, transaction
from django.utils import timezone

from fangyi.core.bulk import TableWriter
from fangyi.core.paths import under
from fangyi.people.models import (
    PERSON_ROW_COLUMNS,
    TAG_SLUGS,
    Household,
    IdType,
    Person,
    ResidenceStatus,
)
from fangyi.regions.models import Level, Region
from fangyi.regions.services import refresh_counts

from .city import CITY, PROVINCE, CityGenerator, CityPlan
from .health import HealthSeed

logger = logging.getLogger(__name__)

BATCH_ROWS = 20_000
HOUSEHOLD_COLUMNS = ["id", "building_id", "unit", "room", "region_path"]
# What every seeded row shares; "" for notes, the load's start for the timestamps.
CONSTANT_COLUMNS = ["notes", "created_at", "updated_at"]
# A SQLite page cache big enough to hold the person indexes while they grow (negative: KiB).
SQLITE_LOAD_CACHE_KIB = 2 * 1024 * 1024


class AlreadyHasRegions(Exception):
    """Regions below the demo city's districts exist, but no residents: not ours to extend."""


@contextlib.contextmanager
def _fast_bulk_load():
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            (previous,) = cursor.fetchone()
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_LOAD_CACHE_KIB}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {previous}")
    else:
        with connection.cursor() as cursor:
            # The load is one transaction that either commits whole or not at all, so waiting
            # for the WAL flush of each COPY buys nothing.
            cursor.execute("SET LOCAL synchronous_commit = off")
        yield


@contextlib.contextmanager
def _without_cycle_collection():
    # The load keeps millions of container objects alive until it ends (the generator's state,
    # row buffers); the cyclic collector would walk them over and over and find next to
    # nothing: at 300,000 residents it was about 30 % of the seed's time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _existing_top(plan: CityPlan) -> dict[str, Region]:
    """The province, city and district rows that already exist (e.g. made by hand)."""
    codes = [PROVINCE[0], CITY[0], *(d.code for d in plan.districts)]
    existing = {r.code: r for r in Region.objects.filter(code__in=codes)}
    below = Region.objects.filter(under("path", plan.city.path), level__gt=Level.DISTRICT)
    if below.exists():
        raise AlreadyHasRegions(
            f"regions below the districts of {CITY[1]} already exist; seed into an empty database"
        )
    return existing


def _write_regions(plan: CityPlan) -> None:
    existing = _existing_top(plan)
    rows = []
    for node in [plan.province, plan.city, *plan.walk()]:
        if node.code in existing:
            node.id = existing[node.code].id
            continue
        rows.append(
            Region(
                id=node.id,
                code=node.code,
                name=node.name,
                level=node.level,
                parent_id=node.parent.id if node.parent else None,
                path=node.path,
            )
        )
    Region.objects.bulk_create(rows, batch_size=2000)


def seed_city(generator: CityGenerator, health: HealthSeed | None = None) -> float:
    """Loads the generated city, with `health`'s facts, zones and statuses if given; returns
    the seconds it took."""
    started = time.monotonic()
    now = timezone.now()
    constants = {"notes": "", "created_at": now, "updated_at": now}
    with transaction.atomic(), _fast_bulk_load(), _without_cycle_collection():
        _write_regions(generator.plan)
        households = TableWriter(Household, HOUSEHOLD_COLUMNS, constants)
        persons = TableWriter(Person, PERSON_ROW_COLUMNS, constants)
        household_rows: list[tuple] = []
        person_rows: list[tuple] = []
        resident_id = IdType.RESIDENT_ID
        for household in generator.households():
            building = household.building
            path = building.path
            household_rows.append((household.id, building.id, household.unit, household.room, path))
            for p in household.members:
                person_rows.append(
                    (
                        p.id,
                        household.id,
                        path,
                        p.name,
                        p.gender,
                        p.birth_date,
                        resident_id,
                        p.id_number,
                        p.id_number[-4:],
                        p.phone,
                        p.residence_status,
                        p.is_pregnant,
                        p.is_disabled,
                        p.is_bedridden,
                        p.has_chronic_illness,
                        p.on_dialysis,
                        p.lives_alone,
                        p.is_infant,
                    )
                )
            if health is not None:
                health.add(household)
            if len(person_rows) >= BATCH_ROWS:
                households.write(household_rows)
                persons.write(person_rows)
                household_rows, person_rows = [], []
                if health is not None:
                    health.write()
        households.write(household_rows)
        persons.write(person_rows)
        refresh_counts()
        if health is not None:
            health.finish()
    with connection.cursor() as cursor:
        # Fresh statistics, so the planner knows a grid is a thousand rows of a million.
        cursor.execute("ANALYZE")
    seconds = time.monotonic() - started
    logger.info(
        "seeded the demo city: %d residents, seed %d, as of %s, in %.1f s",
        generator.residents,
        generator.seed,
        generator.as_of,
        seconds,
    )
    return seconds


def city_summary() -> dict:
    """Counts and codes of the demo city as the database holds it."""
    city_path = CITY[0][:4]
    regions = Region.objects.filter(under("path", city_path)).order_by("path")
    codes = {
        level: list(regions.filter(level=value).values_list("code", flat=True))
        for level, value in (
            ("districts", Level.DISTRICT),
            ("streets", Level.STREET),
            ("communities", Level.COMMUNITY),
            ("grids", Level.GRID),
        )
    }
    counts = {level: len(found) for level, found in codes.items()}
    counts["buildings"] = regions.filter(level=Level.BUILDING).count()
    people = Person.objects.filter(under("region_path", city_path))
    counts["households"] = Household.objects.filter(under("region_path", city_path)).count()
    counts["residents"] = people.count()
    return {
        "counts": counts,
        "tags": {slug: people.with_tag(slug).count() for slug in TAG_SLUGS},
        "residence_status": {
            status: people.filter(residence_status=status).count()
            for status in ResidenceStatus.values
        },
        "regions": {"province": PROVINCE[0], "city": CITY[0], **codes},
    }

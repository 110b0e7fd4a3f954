"""Synthetic health facts for the demo city: the last ten days or so of a small outbreak.

`HealthGenerator` works like `city.CityGenerator`: no database access, one `random.Random`
(its own, so the city is the same with or without health data) and times relative to the
seed's as-of date, so the same seed and date give the same facts on any database. Every fact
happens before 18:00 on the day before the as-of date (local time) and is recorded a few
hours later, so none is in the future when the city is seeded on that date.

Most residents have one to three negative tests (pooled ten to a tube in the order they live,
some single) and a health declaration or two. A few are confirmed cases (the oldest sometimes
recovered), close contacts (the cases' households and people traced to cases elsewhere; about
half quarantined, centralised or at home), secondary contacts, arrivals from risk areas (most
followed by two negative tests a day apart), fever-clinic visitors, or members of a positive
pooled tube awaiting their retest. Quarantines last as the 9th edition says (7 days
centralised, then 3 of home monitoring); the colours come from whichever plan is in force
when the statuses are computed.

`HealthSeed` writes the facts in bulk while `load.seed_city` writes the households, then draws
a high-risk zone on the building of the latest case and a medium-risk zone on its grid, and
computes every status. Like the rest of the seed it is a bootstrap, not an audited change.
"""

import bisect
import contextlib
import datetime
import itertools
import json
import logging
import operator
import random
import time
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count

from fangyi.core.bulk import JSONText
from fangyi.core.paths import under
from fangyi.health import recompute
from fangyi.health.models import Fact, FactKind, Policy, Status, Zone, ZoneRegion
from fangyi.health.services import BULK_FACT_COLUMNS, record_facts_in_bulk

from .city import CITY, CityGenerator, HouseholdRecord, RegionNode, Resident

logger = logging.getLogger(__name__)

MINUTE = 60
HOUR = 3600
DAY = 86400

ROUTINE_DAYS = range(1, 11)  # days before the as-of date with routine tests and declarations
EXPOSURE_DAYS = 12
OPENS, CLOSES = 7 * HOUR, 18 * HOUR  # sampling sites, clinics and investigators keep day hours
OPEN_MINUTES = (CLOSES - OPENS) // MINUTE
RECORDED_AFTER = (60, 300)  # minutes

# Cumulative shares of residents with 0, 1, 2 and 3 routine tests, and 0, 1, 2 declarations:
# about two tests and one declaration each, three facts with the rare ones.
TEST_COUNTS = (0.04, 0.26, 0.70)
DECLARATION_COUNTS = (0.30, 0.75)
# Every set of up to three distinct days among the routine ones, by size.
DAY_SETS = [list(itertools.combinations(ROUTINE_DAYS, size)) for size in range(4)]
SINGLE_TUBE_SHARE = 0.10
POOL_SIZE = 10
SYMPTOM_SHARE = 0.01

# Plain strings: the kinds as the database stores them, whatever the driver makes of enums.
TEST = FactKind.TEST_RESULT.value
CASE = FactKind.CASE_CONFIRMED.value
RECOVERED = FactKind.RECOVERED.value
CLOSE_CONTACT = FactKind.CLOSE_CONTACT.value
SECONDARY_CONTACT = FactKind.SECONDARY_CONTACT.value
ARRIVAL = FactKind.ARRIVAL_FROM_RISK_AREA.value
FEVER_CLINIC = FactKind.FEVER_CLINIC_VISIT.value
POOLED_POSITIVE = FactKind.POOLED_POSITIVE.value
QUARANTINE_START = FactKind.QUARANTINE_START.value
QUARANTINE_END = FactKind.QUARANTINE_END.value
DECLARATION = FactKind.HEALTH_DECLARATION.value
# Shares of residents picked for each rare kind; each kind gets at least one.
RARE_RATES = {
    CASE: 0.0005,
    # The cases' households add about 0.08 %: about 0.3 % of residents are close contacts.
    CLOSE_CONTACT: 0.0022,
    SECONDARY_CONTACT: 0.005,
    ARRIVAL: 0.002,
    FEVER_CLINIC: 0.001,
    POOLED_POSITIVE: 0.0005,
}
RECOVERED_SHARE = 0.5  # of the cases confirmed at least 8 days ago
QUARANTINED_SHARE = 0.5  # of the close contacts
HOME_QUARANTINE_SHARE = 0.2  # of the others quarantined; special-needs residents stay home
ARRIVAL_FOLLOWED_SHARE = 0.8  # of the arrivals at least 3 days ago
# The 9th edition: centralised quarantine, then home monitoring, tests on these days.
CENTRALISED_DAYS = 7
MONITORING_DAYS = 3
QUARANTINE_TEST_DAYS = (1, 2, 3, 5, 7)

TEMPERATURES = [round(36.0 + tenth / 10, 1) for tenth in range(13)]
FEVERS = [round(37.3 + tenth / 10, 1) for tenth in range(18)]
SYMPTOMS = [["咳嗽"], ["咽痛"], ["乏力"], ["咳嗽", "咽痛"], ["发热", "咳嗽"], ["鼻塞", "流涕"]]
# Details repeat: most facts share a few documents, encoded once here rather than per row.
EMPTY = JSONText("{}")
WELL = [JSONText(json.dumps({"temperature": t, "symptoms": []})) for t in TEMPERATURES]
UNWELL = [
    JSONText(json.dumps({"temperature": t, "symptoms": symptoms}))
    for t in FEVERS
    for symptoms in SYMPTOMS
]
CONTACT_RELATIONS = ["同事", "同乘交通工具", "同一场所", "共同就餐", "同一楼层"]
SECONDARY_RELATIONS = ["密接的同住人员", "密接的同事", "密接的同乘人员"]
RISK_AREAS = ["上海市浦东新区", "广州市海珠区", "北京市朝阳区", "重庆市沙坪坝区", "郑州市金水区"]
HOSPITAL = "福州市定点医院"

# A fact's columns as health.services.record_facts_in_bulk takes them.
FACT_COLUMNS = BULK_FACT_COLUMNS
SOURCE = "demo"

# uuid4 from the seeded generator: 128 random bits with the version and variant bits set.
_UUID_CLEAR = ~((0xF << 76) | (0x3 << 62))
_UUID_SET = (0x4 << 76) | (0x2 << 62)

NEGATIVE, POSITIVE = "negative", "positive"
SINGLE, POOLED = "single", "pooled"
CENTRALISED, HOME, HOME_MONITORING = "centralised", "home", "home_monitoring"


@dataclass
class Case:
    """A confirmed case, remembered to draw the demo zones around the latest one."""

    building: RegionNode
    confirmed_at: int
    recovered: bool


# (kind, at, outcome, variant, source_ref, details): one fact before it gets its row.
Event = tuple[str, int, str, str, str, dict | JSONText]
NO_SPAN = (0, 0)


class HealthGenerator:
    """The facts of each household the city generator yields, called in the same order."""

    def __init__(self, city: CityGenerator):
        self.rng = random.Random(f"fangyi-health-{city.seed}")
        local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        midnight = datetime.datetime.combine(city.as_of, datetime.time(), tzinfo=local)
        self.as_of = city.as_of
        self.midnight = int(midnight.timestamp())
        # Sampling sites close at 18:00 the day before the as-of date: nothing happens later.
        self.latest = self.midnight - DAY + CLOSES
        self.opening = [self.midnight - day * DAY + OPENS for day in range(EXPOSURE_DAYS + 1)]
        self.cases: list[Case] = []
        self._index = 0
        self._times: dict[int, datetime.datetime] = {}
        self._tubes: dict[int, list] = {}
        self._case_numbers = 0
        residents = city.residents
        self.rare: dict[int, list[str]] = {}
        for kind, rate in RARE_RATES.items():
            count = min(residents, max(1, round(rate * residents)))
            for index in self.rng.sample(range(residents), count):
                self.rare.setdefault(index, []).append(kind)

    # Drawing times and codes

    def _day_time(self, days_before: int) -> int:
        """A minute within opening hours, `days_before` days before the as-of date."""
        return self.opening[days_before] + MINUTE * int(self.rng.random() * OPEN_MINUTES)

    def _tube(self, day: int, variant: str, *, alone: bool = False) -> str:
        """The code of the tube a sample taken `day` days before the as-of date goes into: a
        new one if single, else the day's open pooled tube until it holds ten. A sample
        `alone` opens a pooled tube that no other resident joins (the others' are not ours)."""
        state = self._tubes.get(day)
        if state is None:
            date = self.as_of - datetime.timedelta(days=day)
            # [date, last serial, code of the open pooled tube, samples in it]
            state = self._tubes[day] = [f"{date:%y%m%d}", 0, "", POOL_SIZE]
        if variant == POOLED and not alone and state[3] < POOL_SIZE:
            state[3] += 1
            return state[2]
        state[1] += 1
        if variant != POOLED:
            return f"S{state[0]}{state[1]:06d}"
        state[2], state[3] = f"P{state[0]}{state[1]:06d}", POOL_SIZE if alone else 1
        return state[2]

    def _tube_at(self, at: int, variant: str, *, alone: bool = False) -> str:
        return self._tube((self.midnight - at) // DAY + 1, variant, alone=alone)

    def _datetime(self, at: int) -> datetime.datetime:
        found = self._times.get(at)
        if found is None:
            found = self._times[at] = datetime.datetime.fromtimestamp(at, datetime.UTC)
        return found

    # Everyone

    def _routine(self) -> list[Event]:
        # random() and arithmetic rather than randrange() and sample(): this runs per resident.
        random = self.rng.random
        opening = self.opening
        events: list[Event] = []
        choices = DAY_SETS[bisect.bisect(TEST_COUNTS, random())]
        for day in choices[int(random() * len(choices))]:
            at = opening[day] + MINUTE * int(random() * OPEN_MINUTES)
            variant = SINGLE if random() < SINGLE_TUBE_SHARE else POOLED
            events.append((TEST, at, NEGATIVE, variant, self._tube(day, variant), EMPTY))
        choices = DAY_SETS[bisect.bisect(DECLARATION_COUNTS, random())]
        for day in choices[int(random() * len(choices))]:
            at = opening[day] + MINUTE * int(random() * OPEN_MINUTES)
            documents = UNWELL if random() < SYMPTOM_SHARE else WELL
            events.append((DECLARATION, at, "", "", "", documents[int(random() * len(documents))]))
        return events

    # The rare ones. Each returns its events and the span (start, end) in which the person's
    # routine tests and declarations are dropped: in hospital, in quarantine, or not tested
    # since arriving or since their pooled tube was positive.

    def _case(self, household: HouseholdRecord) -> tuple[list[Event], tuple[int, int]]:
        rng = self.rng
        days = rng.randint(2, 10)
        confirmed = self._day_time(days)
        sampled = confirmed - rng.randint(4, 8) * HOUR
        self._case_numbers += 1
        number = f"CASE-{self._case_numbers:04d}"
        events: list[Event] = [
            (TEST, sampled, POSITIVE, SINGLE, self._tube_at(sampled, SINGLE), EMPTY),
            (CASE, confirmed, "", "", number, {"hospital": HOSPITAL}),
        ]
        # The first case is still in hospital, so that every city has one.
        recovered = self._case_numbers > 1 and days >= 8 and rng.random() < RECOVERED_SHARE
        if recovered:
            discharged = confirmed + rng.randint(7, days - 1) * DAY
            for before in (2 * DAY, DAY):
                at = discharged - before
                events.append((TEST, at, NEGATIVE, SINGLE, self._tube_at(at, SINGLE), EMPTY))
            events.append((RECOVERED, discharged, "", "", number, {"hospital": HOSPITAL}))
        self.cases.append(Case(household.building, confirmed, recovered))
        return events, (sampled, self.latest)

    def _close_contact(
        self, person: Resident, exposed: int | None, details: dict
    ) -> tuple[list[Event], tuple[int, int]]:
        rng = self.rng
        if exposed is None:
            exposed = self._day_time(rng.randint(1, EXPOSURE_DAYS))
        events: list[Event] = [(CLOSE_CONTACT, exposed, "", "", "", details)]
        if rng.random() >= QUARANTINED_SHARE:
            return events, NO_SPAN
        special = person.is_bedridden or person.on_dialysis or person.is_pregnant
        setting = HOME if special or rng.random() < HOME_QUARANTINE_SHARE else CENTRALISED
        site = {"site": f"第{rng.randint(1, 12)}集中隔离点"} if setting == CENTRALISED else EMPTY
        started = exposed + rng.randint(6, 18) * HOUR
        ends = exposed + CENTRALISED_DAYS * DAY
        events.append((QUARANTINE_START, started, "", setting, "", site))
        for day in QUARANTINE_TEST_DAYS:
            at = exposed + day * DAY
            events.append((TEST, at, NEGATIVE, SINGLE, self._tube_at(at, SINGLE), EMPTY))
        events += [
            (QUARANTINE_END, ends, "", setting, "", EMPTY),
            (QUARANTINE_START, ends, "", HOME_MONITORING, "", EMPTY),
            (QUARANTINE_END, ends + MONITORING_DAYS * DAY, "", HOME_MONITORING, "", EMPTY),
        ]
        return events, (exposed, ends)

    def _arrival(self) -> tuple[list[Event], tuple[int, int]]:
        rng = self.rng
        days = rng.randint(1, 10)
        arrived = self._day_time(days)
        events: list[Event] = [(ARRIVAL, arrived, "", "", "", {"area": rng.choice(RISK_AREAS)})]
        if days >= 3 and rng.random() < ARRIVAL_FOLLOWED_SHARE:
            for at in (arrived + DAY, arrived + 2 * DAY + HOUR):
                events.append((TEST, at, NEGATIVE, SINGLE, self._tube_at(at, SINGLE), EMPTY))
            return events, NO_SPAN
        # Not tested since: routine tests would count towards the two negatives.
        return events, (arrived, self.latest)

    def _rare(self, kind: str, person: Resident) -> tuple[list[Event], tuple[int, int]]:
        rng = self.rng
        if kind == CLOSE_CONTACT:
            return self._close_contact(person, None, {"relation": rng.choice(CONTACT_RELATIONS)})
        if kind == ARRIVAL:
            return self._arrival()
        if kind == SECONDARY_CONTACT:
            at = self._day_time(rng.randint(1, 10))
            return [(kind, at, "", "", "", {"relation": rng.choice(SECONDARY_RELATIONS)})], NO_SPAN
        if kind == FEVER_CLINIC:
            at = self._day_time(rng.randint(1, 10))
            return [(kind, at, "", "", "", {"temperature": rng.choice(FEVERS)})], NO_SPAN
        at = self._day_time(rng.randint(1, 2))
        tube = self._tube_at(at, POOLED, alone=True)
        return [(kind, at, "", "", tube, {"pool_size": POOL_SIZE})], (at, self.latest)

    # Rows

    def facts(self, household: HouseholdRecord) -> list[tuple]:
        """The household's facts as rows in FACT_COLUMNS order, details as encoded JSON."""
        rng = self.rng
        random, getrandbits = rng.random, rng.getrandbits
        times, latest = self._times, self.latest
        recorded_spread = RECORDED_AFTER[1] - RECORDED_AFTER[0]
        path = household.building.path
        first = self._index
        self._index += len(household.members)
        rare = [self.rare.get(index, ()) for index in range(first, self._index)]
        cases = {n: self._case(household) for n, kinds in enumerate(rare) if CASE in kinds}
        exposure = None
        if cases:
            # The household was with the case from the positive sample until the result came.
            events, _span = min(cases.values(), key=lambda case: case[0][0][1])
            sampled, confirmed = events[0][1], events[1][1]
            exposed = sampled + HOUR * rng.randint(0, (confirmed - sampled) // HOUR)
            exposure = exposed, {"relation": "同住家属", "case": events[1][4]}
        rows = []
        for n, person in enumerate(household.members):
            routine = self._routine()
            special: list[Event] = []
            spans = []
            for kind in rare[n]:
                if kind == CASE:
                    events, span = cases[n]
                elif kind == CLOSE_CONTACT and exposure and n not in cases:
                    continue
                else:
                    events, span = self._rare(kind, person)
                special += events
                spans.append(span)
            if exposure and n not in cases:
                events, span = self._close_contact(person, *exposure)
                special += events
                spans.append(span)
            if spans:
                routine = [
                    event
                    for event in routine
                    if not any(start <= event[1] < end for start, end in spans)
                ]
            person_id = person.id.hex
            for kind, at, outcome, variant, source_ref, details in routine + special:
                if at >= latest:
                    continue
                recorded = at + MINUTE * int(RECORDED_AFTER[0] + random() * recorded_spread)
                rows.append(
                    (
                        f"{(getrandbits(128) & _UUID_CLEAR) | _UUID_SET:032x}",
                        person_id,
                        path,
                        kind,
                        times.get(at) or self._datetime(at),
                        times.get(recorded) or self._datetime(recorded),
                        outcome,
                        variant,
                        source_ref,
                        details if details.__class__ is JSONText else JSONText(json.dumps(details)),
                    )
                )
        return rows

    def latest_case(self) -> Case | None:
        """The case the demo zones are drawn around: the latest still in hospital, if any."""
        if not self.cases:
            return None
        return max(self.cases, key=lambda case: (not case.recovered, case.confirmed_at))


class HealthSeed:
    """Writes the generated facts during the city's load, then the zones and the statuses.

    The fact table of a fresh seed is empty, so its secondary indexes (and on PostgreSQL its
    foreign keys) are set aside before the first row and restored once the last is written
    (see `_set_aside`). `steps` holds the seconds spent in each step, for the seed's summary.
    """

    def __init__(self, city: CityGenerator):
        self.generator = HealthGenerator(city)
        self.started = False
        self.set_aside: list[str] = []
        self.rows: list[tuple] = []
        self.facts = 0
        self.zones: list[Zone] = []
        self.outcome: recompute.Outcome | None = None
        self.steps: dict[str, float] = {}

    @property
    def seconds(self) -> float:
        return sum(self.steps.values())

    @contextlib.contextmanager
    def _step(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.steps[name] = self.steps.get(name, 0.0) + time.monotonic() - started

    def add(self, household: HouseholdRecord) -> None:
        with self._step("generate"):
            self.rows += self.generator.facts(household)

    def write(self) -> None:
        """Writes the facts added so far; call it once their persons are written. (While a
        fact waits for its person, SQLite searches the facts for every person it inserts.)"""
        with self._step("write"):
            if not self.started:
                self.started = True
                if not Fact.objects.exists():
                    self.set_aside = _set_aside(Fact._meta.db_table)
            # In person order, the person indexes are walked once per batch, not once per row.
            self.rows.sort(key=operator.itemgetter(1))
            # The seed is a bootstrap, not anyone's act: no actor, and no permission to check.
            self.facts += record_facts_in_bulk(
                actor=None, source=SOURCE, rows=self.rows, authorised=True, actor_name=SOURCE
            )
            self.rows = []

    def finish(self) -> None:
        """Writes what is left, draws the zones and computes every status (in the load's
        transaction: the statuses must not outlive a failed seed)."""
        self.write()
        with self._step("restore"):
            _restore(self.set_aside)
        with self._step("zones"):
            self.zones = draw_zones(self.generator.latest_case())
        if connection.vendor == "postgresql":
            # The recompute's queries are planned from statistics, which tables filled in this
            # transaction do not have yet.
            with self._step("statistics"), connection.cursor() as cursor:
                cursor.execute("ANALYZE people_person, health_fact")
        with self._step("statuses"):
            self.outcome = recompute.recompute_all()
        logger.info(
            "seeded %d health facts, %d zones and %d statuses in %.1f s (%s)",
            self.facts,
            len(self.zones),
            self.outcome.persons,
            self.seconds,
            ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.steps.items()),
        )


def _set_aside(table: str) -> list[str]:
    """Drops the table's secondary indexes and, on PostgreSQL, its foreign keys; returns the
    statements that restore them, written from the definitions the database itself states.

    Building an index is one sort of the finished table, and adding a foreign key checks
    every row in one join, where a row-by-row load costs a B-tree insert per index and, on
    PostgreSQL, a trigger and a locking lookup of the person per foreign key.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            # Indexes that back a primary key or unique constraint have no SQL of their own.
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
            return [definition for _name, definition in indexes]
        # Foreign keys are altered on both tables they join, and PostgreSQL alters no table
        # with checks still pending (the persons' own, on their households): run those now.
        connection.check_constraints()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    return [definition for _name, definition in indexes] + [
        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
        for name, definition in keys
    ]


def _restore(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        if statements and connection.vendor == "postgresql":
            connection.check_constraints()
            # Each index and each key check is one sort or join of the whole table: in memory.
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET LOCAL work_mem = '256MB'")
        for statement in statements:
            cursor.execute(statement)


def _kind_of_colour(policy: Policy, colour: str) -> str | None:
    return next(
        (kind["code"] for kind in policy.parameters["zone_kinds"] if kind.get("colour") == colour),
        None,
    )


def draw_zones(case: Case | None) -> list[Zone]:
    """A high-risk zone on the case's building and a medium-risk one on its grid, in whichever
    kinds of the plan in force colour red and yellow (a plan without one draws one zone)."""
    if case is None:
        return []
    policy = Policy.objects.in_force()
    building = case.building
    grid = building.parent
    # The demo city's buildings are in grids, and its grids in communities.
    assert grid is not None and grid.parent is not None
    community = grid.parent.name
    starts_at = datetime.datetime.fromtimestamp(case.confirmed_at + 2 * HOUR, datetime.UTC)
    date = starts_at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
    day = f"{date.month}月{date.day}日"
    plans = [
        ("red", building, f"{day}确诊病例居住楼栋，足不出户、上门服务。"),
        ("yellow", grid, f"{day}确诊病例居住楼栋所在网格，人不出区。"),
    ]
    zones = []
    for colour, region, reason in plans:
        kind = _kind_of_colour(policy, colour)
        if kind is None:
            continue
        zone = Zone.objects.create(
            kind=kind,
            policy=policy,
            name=f"{community}{region.name}",
            reason=reason,
            starts_at=starts_at,
            region_path=region.path,
        )
        ZoneRegion.objects.create(zone=zone, region_id=region.id, path=region.path)
        zones.append(zone)
    return zones


def health_summary() -> dict:
    """Facts by kind, statuses by colour and active zones of the demo city."""
    city_path = CITY[0][:4]
    by_kind = dict(
        Fact.objects.filter(under("region_path", city_path))
        .values_list("kind")
        .annotate(count=Count("id"))
        .order_by("kind")
    )
    by_colour = dict(
        Status.objects.filter(under("region_path", city_path))
        .values_list("colour")
        .annotate(count=Count("person_id"))
        .order_by("colour")
    )
    return {
        "facts": sum(by_kind.values()),
        "facts_by_kind": by_kind,
        "statuses": sum(by_colour.values()),
        "statuses_by_colour": by_colour,
        "zones": Zone.objects.active().filter(under("region_path", city_path)).count(),
    }

"""`fangyi seed` with health data: about three facts a resident, a status each, every fact as
the services would accept it, and the same facts on SQLite and PostgreSQL.

Run on both databases: the digest test compares what the database holds with what the
generator makes without a database, so it passing on each means both hold the same facts.
"""

import datetime
import hashlib
import io
import json
import uuid
import zoneinfo
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from fangyi.demo.city import CityGenerator
from fangyi.demo.health import FACT_COLUMNS, HealthGenerator
from fangyi.health.models import Colour, Fact, FactKind, Status, Zone
from fangyi.health.services import FactInput, check_fact
from fangyi.people.models import Person

RESIDENTS = 2000
SEED = 5
AS_OF = datetime.date(2026, 11, 20)
RARE_KINDS = {
    FactKind.CASE_CONFIRMED,
    FactKind.CLOSE_CONTACT,
    FactKind.SECONDARY_CONTACT,
    FactKind.ARRIVAL_FROM_RISK_AREA,
    FactKind.FEVER_CLINIC_VISIT,
    FactKind.POOLED_POSITIVE,
}


def seed(*args) -> dict:
    out = io.StringIO()
    call_command(
        "seed",
        "--residents",
        str(RESIDENTS),
        "--seed",
        str(SEED),
        "--as-of",
        AS_OF.isoformat(),
        "--json",
        *args,
        stdout=out,
    )
    return json.loads(out.getvalue())


@pytest.fixture
def summary(db):
    return seed()


def normalised(fact_id, person_id, path, kind, occurred, recorded, outcome, variant, ref, details):
    return (
        str(uuid.UUID(str(fact_id))),
        str(uuid.UUID(str(person_id))),
        path,
        kind,
        occurred.astimezone(datetime.UTC).isoformat(),
        recorded.astimezone(datetime.UTC).isoformat(),
        outcome,
        variant,
        ref,
        # The generator hands details over encoded; the database gives them back decoded.
        json.dumps(
            json.loads(details) if isinstance(details, str) else details,
            sort_keys=True,
            ensure_ascii=False,
        ),
    )


def digest(rows) -> str:
    sha = hashlib.sha256()
    for row in sorted(normalised(*row) for row in rows):
        sha.update(repr(row).encode())
    return sha.hexdigest()


def generated_facts() -> list[tuple]:
    city = CityGenerator(residents=RESIDENTS, seed=SEED, as_of=AS_OF)
    health = HealthGenerator(city)
    return [row for household in city.households() for row in health.facts(household)]


def test_about_three_facts_a_resident_and_a_status_each(summary):
    health = summary["health"]
    facts = Fact.objects.count()
    assert health["facts"] == facts
    assert 2.7 * RESIDENTS < facts < 3.3 * RESIDENTS
    assert RARE_KINDS | {FactKind.TEST_RESULT, FactKind.HEALTH_DECLARATION} <= set(
        health["facts_by_kind"]
    )
    assert health["statuses"] == Status.objects.count() == Person.objects.count() == RESIDENTS
    assert not Person.objects.filter(health_status__isnull=True).exists()
    by_colour = health["statuses_by_colour"]
    assert by_colour[Colour.RED] > 0 and by_colour[Colour.YELLOW] > 0
    assert sum(by_colour.values()) == RESIDENTS
    assert health["recompute_seconds"] <= health["seconds"] <= summary["seconds"]


def test_the_database_holds_exactly_the_generated_facts(summary):
    stored = Fact.objects.values_list(*(f"{c}_id" if c == "person" else c for c in FACT_COLUMNS))
    expected = generated_facts()
    assert len(stored) == len(expected)
    assert digest(stored) == digest(expected)


def test_another_seed_gives_other_facts():
    other = CityGenerator(residents=RESIDENTS, seed=SEED + 1, as_of=AS_OF)
    health = HealthGenerator(other)
    rows = [row for household in other.households() for row in health.facts(household)]
    assert digest(rows) != digest(generated_facts())


def test_every_fact_is_one_the_services_would_record(summary):
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    midnight = datetime.datetime.combine(AS_OF, datetime.time(), tzinfo=local)
    persons = Person.objects.in_bulk()
    tubes = Counter()
    for fact in Fact.objects.all():
        person = persons[fact.person_id]
        item = FactInput(
            person=person,
            kind=fact.kind,
            occurred_at=fact.occurred_at,
            outcome=fact.outcome,
            variant=fact.variant,
            details=fact.details,
        )
        assert check_fact(item, now=midnight) == {}, fact
        assert fact.occurred_at < midnight - datetime.timedelta(hours=6)
        delay = fact.recorded_at - fact.occurred_at
        assert datetime.timedelta(hours=1) <= delay <= datetime.timedelta(hours=5)
        assert (fact.source, fact.actor_id, fact.actor_name) == ("demo", None, "demo")
        assert fact.region_path == person.region_path and fact.retracts_id is None
        if fact.kind == FactKind.TEST_RESULT:
            tubes[(fact.variant, fact.source_ref)] += 1
    assert max(n for (variant, _ref), n in tubes.items() if variant == "pooled") == 10
    assert max(n for (variant, _ref), n in tubes.items() if variant == "single") == 1
    pooled = sum(n for (variant, _ref), n in tubes.items() if variant == "pooled")
    assert 0.8 < pooled / tubes.total() < 0.95


def test_zones_around_the_latest_case_colour_its_building_and_grid(summary):
    zones = {zone.kind: zone for zone in Zone.objects.active()}
    assert set(zones) == {"high", "medium"} and summary["health"]["zones"] == 2
    building = zones["high"].areas.get().region
    grid = zones["medium"].areas.get().region
    assert building.parent == grid and zones["high"].reason and zones["medium"].reason
    assert Fact.objects.filter(kind=FactKind.CASE_CONFIRMED, region_path=building.path).exists()
    in_building = Status.objects.filter(region_path=building.path)
    assert in_building.exists()
    assert set(in_building.values_list("colour", flat=True)) == {Colour.RED}
    in_grid = Status.objects.filter(region_path__startswith=grid.path)
    assert Colour.GREEN not in set(in_grid.values_list("colour", flat=True))
    assert in_grid.count() == grid.resident_count
    # Away from the zones, the rare facts leave almost everyone green.
    elsewhere = Status.objects.exclude(region_path__startswith=grid.path)
    assert elsewhere.filter(colour=Colour.GREEN).count() > 0.95 * elsewhere.count()


def test_statuses_rest_on_the_seeded_facts(summary):
    codes = Counter()
    for status in Status.objects.exclude(colour=Colour.GREEN):
        assert status.reasons
        for reason in status.reasons:
            codes[reason["code"]] += 1
            if reason["code"] != "zone":
                assert (
                    Fact.objects.filter(pk__in=reason["facts"], person_id=status.person_id).count()
                    == len(reason["facts"])
                    > 0
                )
    # Whatever the date the test runs: cases still in hospital, tubes awaiting their retest
    # and the zones never expire by themselves.
    assert {"case", "pooled_positive", "zone"} <= set(codes)


def test_the_fact_table_gets_back_the_indexes_and_keys_the_load_went_without(db):
    def constraints():
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, Fact._meta.db_table)
        return {
            name: (tuple(c["columns"]), c["index"], c["foreign_key"], c["primary_key"])
            for name, c in found.items()
        }

    before = constraints()
    assert {"fact_person_time", "fact_new_positive"} <= set(before)
    # The person has no database constraint (see Fact.person); the actor still has one.
    assert ("accounts_user", "id") in {c[2] for c in before.values()}
    seed()
    assert constraints() == before


def test_no_health_leaves_the_city_without_facts_zones_or_statuses(db):
    health = seed("--no-health")["health"]
    assert Person.objects.count() == RESIDENTS
    assert not Fact.objects.exists() and not Status.objects.exists()
    assert not Zone.objects.exists()
    assert (health["facts"], health["statuses"], health["zones"]) == (0, 0, 0)
    assert "recompute_seconds" not in health

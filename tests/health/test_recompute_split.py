"""A city-wide recompute split into ranges of ids over processes (PostgreSQL only)."""

import pytest
from django.db import connection, transaction

from fangyi.health import recompute, services
from fangyi.health.models import Policy, RecomputeRun, Status
from fangyi.health.runs import tracked
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="recomputes are split on PostgreSQL only"
    ),
]


def statuses() -> list[tuple]:
    return sorted(
        Status.objects.values_list(
            "person_id", "region_path", "colour", "valid_until", "policy_version", "manual"
        )
    )


def test_a_new_plan_split_over_processes_writes_what_one_process_writes(settings, city, officer):
    settings.FANGYI_HEALTH_SPLIT_MIN_PERSONS = 1
    household = HouseholdFactory(building=city.building_a, room="901")
    for _ in range(40):
        PersonFactory(household=household)
    recompute.recompute_all(processes=1)
    services.draw_zone(actor=officer, kind="high", regions=[city.building_b], reason="x")
    twenty = Policy.objects.get(code="2022-11-20m")
    with transaction.atomic():
        alone = recompute.recompute_all(policy=twenty, processes=3)
        expected = statuses()
        transaction.set_rollback(True)

    split = recompute.recompute_all(policy=twenty, processes=3)

    assert recompute._parts(3) == 3
    assert statuses() == expected
    assert (split.persons, split.written, split.by_colour) == (42, 42, alone.by_colour)
    assert split.by_colour == {"green": 41, "red": 1}
    assert {row[4] for row in expected} == {"2022-11-20m.v1"}


def test_every_part_keeps_the_run_s_heartbeat_and_count(settings, city):
    settings.FANGYI_HEALTH_SPLIT_MIN_PERSONS = 1
    household = HouseholdFactory(building=city.building_a, room="901")
    for _ in range(40):
        PersonFactory(household=household)

    with tracked("all", [], None) as progress:
        split = recompute.recompute_all(processes=3, on_batch=progress)

    run = RecomputeRun.objects.get()
    assert split.persons == 42
    assert run.persons_done == 42 and run.state == RecomputeRun.State.DONE

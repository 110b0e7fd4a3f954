"""Keeping statuses current: batches, the due sweep, the task path and the command."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangyi.health import recompute, services
from fangyi.health.models import FactKind, Status
from tests.factories import HouseholdFactory, PersonFactory
from tests.support import run_queued_tasks


@pytest.fixture
def crowd(city):
    """Twelve more residents of building_a, so small batches have to walk several pages."""
    household = HouseholdFactory(building=city.building_a, room="901")
    return [PersonFactory(household=household) for _ in range(12)]


@pytest.mark.parametrize("batch", [1, 5, 5000])
def test_every_person_is_computed_whatever_the_batch(city, crowd, monkeypatch, batch):
    monkeypatch.setattr(recompute, "BATCH", batch)
    outcome = recompute.recompute_all()
    assert outcome.persons == 14
    assert Status.objects.count() == 14
    Status.objects.all().delete()
    assert recompute.recompute_under([city.building_a.path]).persons == 13
    assert recompute.recompute_persons([p.pk for p in crowd]).persons == 12


def test_a_status_is_rewritten_in_place(city, officer):
    recompute.recompute_all()
    services.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="x")
    recompute.recompute_all()
    assert Status.objects.count() == 2
    assert Status.objects.get(person=city.person_a).colour == "red"


def test_the_sweep_picks_up_periods_that_ended(city, officer):
    exposed = timezone.now() - datetime.timedelta(days=6, hours=23)
    services.record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind=FactKind.CLOSE_CONTACT,
        occurred_at=exposed,
    )
    status = Status.objects.get(person=city.person_a)
    assert status.colour == "red"
    assert status.valid_until == exposed + datetime.timedelta(days=7)
    recompute.recompute_due(now=timezone.now() + datetime.timedelta(hours=2))
    status = Status.objects.get(person=city.person_a)
    assert status.colour == "yellow"
    assert status.valid_until == exposed + datetime.timedelta(days=10)


@pytest.mark.tasks
@pytest.mark.django_db(transaction=True)
def test_large_sets_go_to_the_task_worker(city, officer, settings):
    settings.FANGYI_HEALTH_INLINE_PERSONS = 0
    services.draw_zone(actor=officer, kind="high", regions=[city.community], reason="x")
    assert not Status.objects.exists()
    run_queued_tasks()
    assert set(Status.objects.values_list("colour", flat=True)) == {"red"}


def test_the_command_reports_what_it_did(city, officer, capsys):
    services.draw_zone(actor=officer, kind="medium", regions=[city.building_b], reason="x")
    call_command("health", "recompute", "--all", "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["persons"] == 2
    assert summary["by_colour"] == {"green": 1, "yellow": 1}
    call_command("health", "recompute", "--region", city.grid_b.code)
    assert "recomputed 1 statuses" in capsys.readouterr().out
    call_command("health", "recompute", "--due")


def test_the_command_refuses_an_unknown_region(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no region"):
        call_command("health", "recompute", "--region", "999999")


def test_a_first_computation_that_meets_stored_rows_falls_back_to_the_upsert(
    city, officer, monkeypatch
):
    recompute.recompute_all()
    # As if another recompute wrote these rows after this batch looked.
    monkeypatch.setattr(recompute, "_stored", lambda person_ids, id_range: {})
    services.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="x")
    assert Status.objects.get(person=city.person_a).colour == "red"
    assert Status.objects.count() == 2


def test_an_unchanged_result_is_not_rewritten_but_a_new_plan_is_recorded(city, commander):
    from fangyi.health.models import Policy

    first = recompute.recompute_all()
    assert first.written == 2
    again = recompute.recompute_all()
    assert (again.persons, again.written) == (2, 0)
    switched = recompute.recompute_all(policy=Policy.objects.get(code="2022-11-20m"))
    assert switched.written == 2
    assert set(Status.objects.values_list("policy_version", flat=True)) == {"2022-11-20m.v1"}

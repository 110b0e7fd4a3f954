"""Starting a sweep: a door and a visit task per household of its regions, bulk and idempotent."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.fieldwork.models import Task, TaskKind, TaskStatus
from fangyi.sweeps import services
from fangyi.sweeps.models import Door
from tests.factories import HouseholdFactory
from tests.support import ago
from tests.sweeps.support import start

pytestmark = pytest.mark.django_db


def test_every_household_of_the_regions_gets_a_door_and_a_task_on_its_grids_worklist(city, officer):
    second = HouseholdFactory(building=city.building_a, room="102")
    sweep = start(officer, city.grid_a)
    doors = set(Door.objects.filter(sweep=sweep).values_list("household_id", flat=True))
    assert doors == {city.household_a.pk, second.pk}
    assert sweep.household_count == 2
    tasks = Task.objects.filter(source=sweep.source)
    assert {t.household_id for t in tasks} == doors
    assert {(t.kind, t.status, t.region_path) for t in tasks} == {
        (TaskKind.FOLLOW_UP_VISIT, TaskStatus.OPEN, city.building_a.path)
    }


def test_worklists_are_made_once(city, officer):
    sweep = start(officer, city.community)
    assert services.ensure_worklists(actor=officer, sweep=sweep) == 0
    assert services._write_doors(sweep) == 0
    assert Task.objects.filter(source=sweep.source).count() == 2


def test_nested_regions_are_swept_once(city, officer):
    sweep = start(officer, city.community, city.grid_a)
    assert sweep.region_paths == [city.community.path]
    assert sweep.region == city.community
    assert Door.objects.filter(sweep=sweep).count() == 2


def test_the_question_set_offers_the_risk_levels_of_the_plan_in_force(city, officer):
    sweep = start(officer, city.grid_a)
    arrival = next(q for q in sweep.questions if q["key"] == "arrival")
    assert [c["code"] for c in arrival["choices"]] == ["high", "medium", "none"]
    assert sweep.policy_code == "2022-06-9th"


def test_only_the_sections_chosen_are_asked(city, officer):
    sweep = start(officer, city.grid_a, sections=["members"])
    assert [q["key"] for q in sweep.questions] == ["members"]


def test_grid_staff_cannot_start_a_sweep(city, worker_a, leader_a):
    for user in (worker_a, leader_a):
        with pytest.raises(PermissionDenied):
            start(user, city.grid_a)


def test_an_officer_cannot_sweep_outside_their_street(city, officer):
    with pytest.raises(PermissionDenied):
        start(officer, city.district)


def test_a_deadline_in_the_past_is_refused(city, officer):
    with pytest.raises(ValidationError) as raised:
        services.start_sweep(actor=officer, title="x", regions=[city.grid_a], deadline=ago(hours=1))
    assert "deadline" in raised.value.message_dict

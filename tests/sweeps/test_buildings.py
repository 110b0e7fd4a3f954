"""Grid leaders split buildings among their team; a worker's sheet holds their buildings only,
masked."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.fieldwork.models import Task
from fangyi.sweeps import services, sheets
from tests.factories import staff
from tests.sweeps.support import start

pytestmark = pytest.mark.django_db


def test_a_leader_gives_a_building_and_its_visit_tasks_follow(city, officer, leader_a, worker_a):
    sweep = start(officer, city.community)
    services.assign_building(
        actor=leader_a, sweep=sweep, building=city.building_a, assignee=worker_a
    )
    task = Task.objects.get(source=sweep.source, household=city.household_a)
    assert task.assignee == worker_a and task.status == "assigned"
    sheet = sheets.sheet(worker_a, sweep)
    assert [h["id"] for h in sheet["households"]] == [city.household_a.pk]
    [member] = sheet["households"][0]["members"]
    assert member["name"] == "王*明"


def test_a_worker_without_buildings_has_an_empty_sheet(city, officer, worker_a):
    sweep = start(officer, city.community)
    assert sheets.sheet(worker_a, sweep)["households"] == []


def test_a_leader_cannot_give_another_grids_building(city, officer, leader_a, worker_b):
    sweep = start(officer, city.community)
    with pytest.raises(PermissionDenied):
        services.assign_building(
            actor=leader_a, sweep=sweep, building=city.building_b, assignee=worker_b
        )


def test_only_the_grid_team_may_be_given_a_building(city, officer, leader_a, worker_b):
    sweep = start(officer, city.community)
    with pytest.raises(ValidationError):
        services.assign_building(
            actor=leader_a, sweep=sweep, building=city.building_a, assignee=worker_b
        )


def test_a_volunteer_may_be_given_a_building(city, officer, leader_a, volunteer_a):
    sweep = start(officer, city.community)
    services.assign_building(
        actor=leader_a, sweep=sweep, building=city.building_a, assignee=volunteer_a
    )
    assert len(sheets.sheet(volunteer_a, sweep)["households"]) == 1


def test_moving_a_building_to_another_worker(city, officer, leader_a, worker_a):
    sweep = start(officer, city.community)
    other = staff("grid_worker", city.grid_a, username="other_a")
    services.assign_building(
        actor=leader_a, sweep=sweep, building=city.building_a, assignee=worker_a
    )
    services.assign_building(actor=leader_a, sweep=sweep, building=city.building_a, assignee=other)
    assert sheets.sheet(worker_a, sweep)["households"] == []
    assert Task.objects.get(source=sweep.source, household=city.household_a).assignee == other

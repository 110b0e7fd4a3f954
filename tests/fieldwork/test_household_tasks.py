"""create_household_tasks: a task per household of a queryset made in SQL, idempotent on the
household, with the same task rows and audit rows that create_tasks writes for the same
households."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.fieldwork import services
from fangyi.fieldwork.models import Task
from fangyi.fieldwork.services import TaskInput
from fangyi.people.models import Household
from tests.factories import HouseholdFactory
from tests.support import later

pytestmark = pytest.mark.django_db
SOURCE = "sweeps:bulk"
TITLE = "入户排查：全员排查"


def _create(actor, households, source=SOURCE, **extra):
    return services.create_household_tasks(
        actor=actor,
        source=source,
        kind="follow_up_visit",
        due_at=later(days=2),
        title=TITLE,
        households=households,
        **extra,
    )


def test_a_task_per_household_once(city, officer):
    households = Household.objects.filter(region_path__startswith=city.community.path)
    assert _create(officer, households) == 2
    assert _create(officer, households) == 0
    tasks = Task.objects.filter(source=SOURCE).order_by("region_path")
    assert [task.household for task in tasks] == [city.household_a, city.household_b]
    task = tasks[0]
    assert (task.kind, task.status, task.title, task.assignee) == (
        "follow_up_visit",
        "open",
        TITLE,
        None,
    )
    assert (task.region, task.region_path) == (city.building_a, city.building_a.path)
    assert task.source_ref == str(city.household_a.pk) and task.created_by == officer
    assert ObjectChange.objects.filter(object_type="fieldwork.task").count() == 2


def test_rows_and_audit_as_create_tasks_writes_them(city, officer):
    unit = HouseholdFactory(building=city.building_a, unit="2", room="301")
    due = later(days=2)
    for household in (city.household_a, unit):
        item = TaskInput(
            kind="follow_up_visit",
            due_at=due,
            household=household,
            title=TITLE,
            source_ref=str(household.pk),
        )
        services.create_tasks(actor=officer, source="one-by-one", items=[item])
    services.create_household_tasks(
        actor=officer,
        source=SOURCE,
        kind="follow_up_visit",
        due_at=due,
        title=TITLE,
        households=Household.objects.filter(pk__in=[city.household_a.pk, unit.pk]),
    )
    for household in (city.household_a, unit):
        bulk = Task.objects.get(source=SOURCE, household=household)
        single = Task.objects.get(source="one-by-one", household=household)
        assert bulk.due_at == single.due_at and str(bulk) == str(single)
        bulk_row = ObjectChange.objects.get(object_id=str(bulk.pk))
        single_row = ObjectChange.objects.get(object_id=str(single.pk))
        assert bulk_row.object_repr == single_row.object_repr == f"随访 {household}"
        assert bulk_row.after == single_row.after | {"source": SOURCE}
        assert (bulk_row.action, bulk_row.region_path, bulk_row.actor) == (
            "create",
            city.building_a.path,
            officer,
        )


def test_a_household_outside_the_leaders_grid_is_refused(city, leader_a):
    with pytest.raises(PermissionDenied):
        _create(leader_a, Household.objects.all())
    assert _create(leader_a, Household.objects.filter(pk=city.household_a.pk)) == 1


def test_bad_arguments_are_refused_before_anything_is_written(city, officer):
    with pytest.raises(ValidationError) as caught:
        services.create_household_tasks(
            actor=officer,
            source=" ",
            kind="nonsense",
            due_at=later(days=1),
            title="长" * 101,
            households=Household.objects.all(),
        )
    assert set(caught.value.message_dict) == {"source", "kind", "title"}
    assert not Task.objects.exists()

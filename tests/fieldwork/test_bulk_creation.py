"""create_tasks, for other areas: idempotent on (kind, source, source_ref), one audit row per
new task, all or nothing with errors naming the item's index."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.fieldwork import services
from fangyi.fieldwork.models import Task
from fangyi.fieldwork.services import TaskInput
from fangyi.people.models import Person
from tests.factories import PersonFactory
from tests.support import later

SOURCE = "screening:round-1"


def _items(persons, kind="home_sampling"):
    return [
        TaskInput(kind=kind, person=person, due_at=later(hours=6), source_ref=str(person.pk))
        for person in persons
    ]


def test_running_twice_creates_each_task_once(city, officer):
    persons = [city.person_a, city.person_b]
    assert services.create_tasks(actor=officer, source=SOURCE, items=_items(persons)) == 2
    assert services.create_tasks(actor=officer, source=SOURCE, items=_items(persons)) == 0
    assert Task.objects.count() == 2
    assert ObjectChange.objects.filter(object_type="fieldwork.task").count() == 2
    task = Task.objects.get(person=city.person_a)
    assert task.source == SOURCE and task.source_ref == str(city.person_a.pk)
    assert task.region == city.building_a and task.status == "open"


def test_a_new_person_in_a_later_run_is_added(city, officer):
    services.create_tasks(actor=officer, source=SOURCE, items=_items([city.person_a]))
    newcomer = PersonFactory(household=city.household_b, name="赵六")
    created = services.create_tasks(
        actor=officer, source=SOURCE, items=_items([city.person_a, newcomer])
    )
    assert created == 1 and Task.objects.filter(person=newcomer).exists()


def test_the_same_reference_twice_in_a_batch_is_one_task(city, officer):
    items = _items([city.person_a, city.person_a])
    assert services.create_tasks(actor=officer, source=SOURCE, items=items) == 1


def test_another_source_or_kind_is_another_task(city, officer):
    services.create_tasks(actor=officer, source=SOURCE, items=_items([city.person_a]))
    other_round = services.create_tasks(
        actor=officer, source="screening:round-2", items=_items([city.person_a])
    )
    visit = services.create_tasks(
        actor=officer, source=SOURCE, items=_items([city.person_a], kind="follow_up_visit")
    )
    assert other_round == 1 and visit == 1


def test_items_without_a_reference_are_always_created(city, officer):
    items = [TaskInput(kind="delivery", household=city.household_a, due_at=later(days=1))]
    services.create_tasks(actor=officer, source="supply", items=items)
    services.create_tasks(actor=officer, source="supply", items=items)
    assert Task.objects.filter(kind="delivery").count() == 2


def test_errors_name_the_index_and_nothing_is_created(city, officer):
    items = [*_items([city.person_a]), TaskInput(kind="home_sampling", due_at=later(hours=1))]
    with pytest.raises(ValidationError) as caught:
        services.create_tasks(actor=officer, source=SOURCE, items=items)
    assert set(caught.value.message_dict) == {"1.person"}
    assert not Task.objects.exists()


def test_a_source_is_required(city, officer):
    with pytest.raises(ValidationError) as caught:
        services.create_tasks(actor=officer, source=" ", items=_items([city.person_a]))
    assert "source" in caught.value.message_dict


def test_the_actor_must_lead_every_region(city, leader_a):
    with pytest.raises(PermissionDenied):
        services.create_tasks(
            actor=leader_a, source=SOURCE, items=_items([city.person_a, city.person_b])
        )
    assert not Task.objects.exists()


def test_an_area_that_checked_its_caller_creates_on_their_behalf(city):
    # A background job after a lab import: no user of its own.
    created = services.create_tasks(
        actor=None, source=SOURCE, items=_items([city.person_a]), authorised=True
    )
    assert created == 1
    change = ObjectChange.objects.get(object_type="fieldwork.task")
    assert change.actor is None and change.after["source"] == SOURCE
    with pytest.raises(PermissionDenied):
        services.create_tasks(actor=None, source="x", items=_items([city.person_b]))


def test_the_number_of_queries_does_not_grow_with_the_batch(
    city, officer, django_assert_max_num_queries
):
    PersonFactory.create_batch(300, household=city.household_a)
    persons = list(Person.objects.filter(household=city.household_a).exclude(pk=city.person_a.pk))
    with django_assert_max_num_queries(12):
        created = services.create_tasks(actor=officer, source=SOURCE, items=_items(persons))
    assert created == 300

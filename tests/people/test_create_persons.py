"""new_person / create_persons: many newcomers checked one by one and written together, with
the counts, audit rows and refusals create_person gives one at a time."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.people import services
from fangyi.people.models import Person
from fangyi.regions.models import Region

from ..factories import resident_id

pytestmark = pytest.mark.django_db


def _residents(code):
    return Region.objects.get(code=code).resident_count


def test_written_together_counted_and_audited_each(city, officer):
    before = _residents(city.city.code), _residents(city.grid_a.code)
    persons = [
        services.new_person(
            actor=officer, household=household, name="新居民", id_number=resident_id()
        )
        for household in (city.household_a, city.household_a, city.household_b)
    ]
    assert not Person.objects.filter(pk__in=[p.pk for p in persons]).exists()
    services.create_persons(actor=officer, persons=persons)
    assert Person.objects.filter(pk__in=[p.pk for p in persons]).count() == 3
    assert _residents(city.city.code) == before[0] + 3
    assert _residents(city.grid_a.code) == before[1] + 2
    for person in persons:
        row = ObjectChange.objects.get(object_id=str(person.pk))
        assert (row.action, row.object_repr, row.actor) == ("create", "新*民", officer)
        assert row.after["household"] == str(person.household_id)
        assert row.region_path == person.region_path


def test_the_same_id_number_twice_refuses_the_batch(city, officer):
    number = resident_id()
    persons = [
        services.new_person(actor=officer, household=household, name="新居民", id_number=number)
        for household in (city.household_a, city.household_b)
    ]
    with pytest.raises(ValidationError) as caught:
        services.create_persons(actor=officer, persons=persons)
    assert "id_number" in caught.value.message_dict
    assert not Person.objects.filter(id_number=number).exists()


def test_a_number_registered_since_the_check_refuses_the_batch(city, officer):
    person = services.new_person(
        actor=officer, household=city.household_a, name="新居民", id_number=resident_id()
    )
    services.create_person(
        actor=officer, household=city.household_b, name="先到者", id_number=person.id_number
    )
    with pytest.raises(ValidationError):
        services.create_persons(actor=officer, persons=[person])


def test_the_right_to_add_at_each_building(city, worker_a, officer):
    with pytest.raises(PermissionDenied):
        services.new_person(
            actor=worker_a, household=city.household_b, name="新居民", id_number=resident_id()
        )
    theirs = services.new_person(
        actor=officer, household=city.household_b, name="新居民", id_number=resident_id()
    )
    with pytest.raises(PermissionDenied):
        services.create_persons(actor=worker_a, persons=[theirs])


def test_counted_together_writes_the_counts_as_the_block_ends(city, officer):
    before = _residents(city.city.code)
    person = services.new_person(
        actor=officer, household=city.household_a, name="新居民", id_number=resident_id()
    )
    with services.counted_together():
        services.create_persons(actor=officer, persons=[person])
        assert _residents(city.city.code) == before
    assert _residents(city.city.code) == before + 1


def test_counted_together_writes_nothing_when_left_by_an_error(city, officer):
    before = _residents(city.city.code)
    person = services.new_person(
        actor=officer, household=city.household_a, name="新居民", id_number=resident_id()
    )
    with pytest.raises(RuntimeError), services.counted_together():
        services.create_persons(actor=officer, persons=[person])
        raise RuntimeError("the upload failed")
    assert _residents(city.city.code) == before

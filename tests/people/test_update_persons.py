"""check_person_change / update_persons: many persons' changes checked as update_person checks
one and written together: counts moved once, one residents_moved, an audit row per person."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.people import services
from fangyi.people.signals import residents_moved
from fangyi.regions.models import Region

pytestmark = pytest.mark.django_db


def _residents(code):
    return Region.objects.get(code=code).resident_count


def test_changes_written_together_and_audited_each(city, officer):
    moved_ids = []

    def receiver(sender, *, person_ids, **kwargs):
        moved_ids.append(list(person_ids))

    residents_moved.connect(receiver)
    try:
        changed = services.update_persons(
            actor=officer,
            changes=[
                (city.person_a, {"household": city.household_b, "residence_status": "resident"}),
                (city.person_b, {"tags": ["bedridden"]}),
            ],
        )
    finally:
        residents_moved.disconnect(receiver)
    assert changed == 2
    assert moved_ids == [[city.person_a.pk]]
    assert city.person_a.region_path == city.building_b.path
    assert city.person_a.household == city.household_b
    assert city.person_b.is_bedridden
    assert _residents(city.grid_a.code) == 0 and _residents(city.grid_b.code) == 2
    city.person_b.refresh_from_db()
    assert city.person_b.is_bedridden
    row = ObjectChange.objects.get(object_id=str(city.person_a.pk), action="update")
    assert row.before["household"] == str(city.household_a.pk)
    assert row.after["household"] == str(city.household_b.pk)
    assert row.region_path == city.building_b.path and row.object_repr == "王*明"


def test_a_change_that_changes_nothing_writes_nothing(city, officer):
    assert (
        services.update_persons(actor=officer, changes=[(city.person_a, {"name": "王小明"})]) == 0
    )
    assert not ObjectChange.objects.filter(object_id=str(city.person_a.pk)).exists()


def test_checked_without_changing_the_callers_object(city, officer):
    with pytest.raises(ValidationError):
        services.check_person_change(actor=officer, person=city.person_a, changes={"phone": "12"})
    services.check_person_change(
        actor=officer, person=city.person_a, changes={"tags": ["pregnant"]}
    )
    assert not city.person_a.is_pregnant and city.person_a.phone == "13800000001"


def test_a_person_outside_the_actors_grid_refuses_all(city, worker_a):
    with pytest.raises(PermissionDenied):
        services.update_persons(
            actor=worker_a,
            changes=[
                (city.person_a, {"tags": ["bedridden"]}),
                (city.person_a.__class__.objects.get(pk=city.person_b.pk), {"tags": ["pregnant"]}),
            ],
        )
    city.person_a.refresh_from_db()
    assert not city.person_a.is_bedridden

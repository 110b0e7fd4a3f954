import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import AccessEvent, ObjectChange
from fangyi.people import services
from fangyi.regions.models import Region

from ..factories import resident_id


def counts(code):
    region = Region.objects.get(code=code)
    return region.resident_count, region.household_count


def test_create_keeps_counts_current_up_the_tree(city, officer):
    before_grid, before_city = counts(city.grid_a.code), counts(city.city.code)
    services.create_person(
        actor=officer, household=city.household_a, name="新居民", id_number=resident_id()
    )
    assert counts(city.grid_a.code)[0] == before_grid[0] + 1
    assert counts(city.city.code)[0] == before_city[0] + 1
    assert counts(city.grid_b.code)[0] == 1


def test_update_is_audited_with_before_and_after(city, officer):
    services.update_person(
        actor=officer, person=city.person_a, changes={"phone": "13912345678", "tags": ["bedridden"]}
    )
    change = ObjectChange.objects.get(object_id=str(city.person_a.pk), action="update")
    assert change.actor == officer
    assert change.before["phone"] == "13800000001"
    assert change.after["phone"] == "13912345678"
    assert change.after["is_bedridden"] is True
    assert change.object_repr == "王*明"


def test_identical_update_writes_nothing(city, officer):
    services.update_person(actor=officer, person=city.person_a, changes={"name": "王小明"})
    assert not ObjectChange.objects.filter(object_id=str(city.person_a.pk)).exists()


def test_moving_a_person_moves_the_counts(city, officer):
    services.update_person(
        actor=officer, person=city.person_a, changes={"household": city.household_b}
    )
    city.person_a.refresh_from_db()
    assert city.person_a.region_path == city.building_b.path
    assert counts(city.grid_a.code)[0] == 0
    assert counts(city.grid_b.code)[0] == 2
    assert counts(city.community.code)[0] == 2


def test_worker_cannot_move_a_person_out_of_their_grid(city, worker_a):
    with pytest.raises(PermissionDenied):
        services.update_person(
            actor=worker_a, person=city.person_a, changes={"household": city.household_b}
        )


def test_reveal_needs_a_reason_and_is_logged(city, worker_a):
    with pytest.raises(ValidationError):
        services.reveal_person(actor=worker_a, person=city.person_a, reason=" ")
    plain = services.reveal_person(
        actor=worker_a, person=city.person_a, reason="上门核酸采样联系", fields=["phone"]
    )
    assert plain == {"phone": "13800000001"}
    event = AccessEvent.objects.get()
    assert (event.actor, event.fields, event.reason) == (worker_a, ["phone"], "上门核酸采样联系")


def test_reveal_outside_scope_is_refused(city, worker_a):
    with pytest.raises(PermissionDenied):
        services.reveal_person(actor=worker_a, person=city.person_b, reason="好奇")
    assert not AccessEvent.objects.exists()


def test_household_room_is_unique_in_a_building(city, officer):
    with pytest.raises(ValidationError):
        services.create_household(actor=officer, building=city.building_a, unit="1", room="101")


def test_household_must_hang_on_a_building(city, officer):
    with pytest.raises(ValidationError):
        services.create_household(actor=officer, building=city.grid_a, room="1")


def test_household_address_is_one_line(city):
    assert city.household_a.address == "东街街道三坊社区1号楼1单元101"

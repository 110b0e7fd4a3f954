"""Officers keep the whitelist: a holder named by person or by ID number and name (found, or
registered in a household), a valid plate, areas within the region, dates in order, one live
pass a person; edits, suspensions and revocations need the right and are audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangyi.core.models import ObjectChange
from fangyi.passes import services
from fangyi.passes.models import PassState
from fangyi.people.models import Person
from tests.factories import HouseholdFactory, resident_id
from tests.passes.support import whitelist

pytestmark = pytest.mark.django_db


def test_an_officer_whitelists_a_resident_and_it_is_audited(officer, city):
    supply_pass = whitelist(officer, city, person=city.person_a)
    assert supply_pass.state == PassState.ACTIVE
    assert supply_pass.region_path == city.street.path
    assert list(supply_pass.areas.all()) == [city.street]
    change = ObjectChange.objects.get(object_id=str(supply_pass.pk))
    assert change.action == ObjectChange.CREATE
    assert change.after["areas"] == [city.street.code]
    assert change.after["plate"] == "闽A12345"


def test_an_id_number_and_name_find_the_registered_person(officer, city):
    supply_pass = whitelist(
        officer, city, id_number=city.person_a.id_number.lower(), name=city.person_a.name
    )
    assert supply_pass.person == city.person_a


def test_an_id_number_with_another_name_is_refused(officer, city):
    with pytest.raises(ValidationError) as refused:
        whitelist(officer, city, id_number=city.person_a.id_number, name="赵六")
    assert "name" in refused.value.message_dict


def test_someone_not_registered_is_registered_in_the_household_given(officer, city):
    number = resident_id(datetime.date(1990, 3, 8))
    with pytest.raises(ValidationError) as refused:
        whitelist(officer, city, id_number=number, name="陈快递")
    assert "household" in refused.value.message_dict
    household = HouseholdFactory(building=city.building_b, room="602")
    supply_pass = whitelist(officer, city, id_number=number, name="陈快递", household=household)
    person = Person.objects.get(id_number=number)
    assert supply_pass.person == person
    assert person.household == household


def test_a_bad_id_number_is_refused_on_its_field(officer, city):
    with pytest.raises(ValidationError) as refused:
        whitelist(officer, city, id_number="350102199001011234", name="陈快递")
    assert "id_number" in refused.value.message_dict


@pytest.mark.parametrize(
    "plate", ["闽 A·12345", "闽a12345", "闽AD12345", "闽A12345D", "闽A1234挂", ""]
)
def test_plates_are_read_as_people_write_them(officer, city, plate):
    supply_pass = whitelist(officer, city, plate=plate)
    assert supply_pass.plate == plate.replace(" ", "").replace("·", "").upper()


@pytest.mark.parametrize(
    "plate", ["A12345", "闽I12345", "闽A1234", "闽A123456", "闽AO2345", "X闽A12345"]
)
def test_a_plate_in_no_chinese_format_is_refused(officer, city, plate):
    with pytest.raises(ValidationError) as refused:
        whitelist(officer, city, plate=plate)
    assert "plate" in refused.value.message_dict


def test_areas_must_lie_within_the_region_and_be_few(officer, city):
    with pytest.raises(ValidationError) as refused:
        whitelist(officer, city, region=city.community, areas=[city.street])
    assert "areas" in refused.value.message_dict
    with pytest.raises(ValidationError):
        whitelist(officer, city, areas=[])


def test_dates_must_be_in_order_not_past_and_not_too_long(officer, city):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    for start, end in (
        (today, today - day),
        (today - 10 * day, today - day),
        (today, today + 100 * day),
    ):
        with pytest.raises(ValidationError) as refused:
            whitelist(officer, city, valid_from=start, valid_until=end)
        assert "valid_until" in refused.value.message_dict


def test_one_live_pass_a_person(officer, city):
    first = whitelist(officer, city, person=city.person_a)
    with pytest.raises(ValidationError) as refused:
        whitelist(officer, city, person=city.person_a)
    assert "person" in refused.value.message_dict
    services.revoke_pass(actor=officer, supply_pass=first, reason="离职")
    assert whitelist(officer, city, person=city.person_a).state == PassState.ACTIVE


def test_staff_without_the_right_cannot_whitelist_or_change(officer, leader_a, worker_a, city):
    for user in (leader_a, worker_a):
        with pytest.raises(PermissionDenied):
            whitelist(user, city)
    supply_pass = whitelist(officer, city)
    with pytest.raises(PermissionDenied):
        services.suspend_pass(actor=leader_a, supply_pass=supply_pass, reason="投诉")


def test_suspend_resume_and_revoke_need_a_reason_and_follow_the_states(officer, city):
    supply_pass = whitelist(officer, city)
    with pytest.raises(ValidationError):
        services.suspend_pass(actor=officer, supply_pass=supply_pass, reason=" ")
    with pytest.raises(ValidationError):
        services.resume_pass(actor=officer, supply_pass=supply_pass)
    services.suspend_pass(actor=officer, supply_pass=supply_pass, reason="同事阳性")
    assert supply_pass.state == PassState.SUSPENDED
    services.resume_pass(actor=officer, supply_pass=supply_pass)
    assert supply_pass.state == PassState.ACTIVE
    services.revoke_pass(actor=officer, supply_pass=supply_pass, reason="离职")
    assert supply_pass.state == PassState.REVOKED
    assert supply_pass.state_reason == "离职"
    with pytest.raises(ValidationError):
        services.update_pass(actor=officer, supply_pass=supply_pass, changes={"plate": ""})
    states = [
        change.after["state"]
        for change in ObjectChange.objects.filter(object_id=str(supply_pass.pk)).order_by("time")
    ]
    assert states == ["active", "suspended", "active", "revoked"]


def test_an_edit_is_audited_with_before_and_after(officer, city):
    supply_pass = whitelist(officer, city)
    services.update_pass(
        actor=officer,
        supply_pass=supply_pass,
        changes={"plate": "闽B54321", "areas": [city.grid_a, city.grid_b]},
    )
    change = ObjectChange.objects.filter(
        object_id=str(supply_pass.pk), action=ObjectChange.UPDATE
    ).get()
    assert change.before["plate"] == "闽A12345"
    assert change.after["plate"] == "闽B54321"
    assert change.after["areas"] == [city.grid_a.code, city.grid_b.code]

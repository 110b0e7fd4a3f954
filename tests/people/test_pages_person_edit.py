import datetime

from django.urls import reverse

from fangyi.core.models import ObjectChange
from fangyi.people.models import Person
from tests.support import signed_in

from ..factories import resident_id


def form_data(person, **overrides) -> dict:
    data = {
        "name": person.name,
        "id_type": person.id_type,
        "id_number": person.id_number,
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat(),
        "phone": person.phone,
        "residence_status": person.residence_status,
        "notes": person.notes,
    }
    data.update(overrides)
    return data


def test_edit_form_shows_personal_fields_masked_only(city, officer):
    html = signed_in(officer).get(reverse("people:person-edit", args=[city.person_a.pk]))
    html = html.content.decode()
    person = city.person_a
    assert "王小明" not in html and person.id_number not in html and person.phone not in html
    assert person.birth_date.isoformat() not in html
    assert 'placeholder="王*明"' in html and 'placeholder="138****0001"' in html
    assert 'name="tags"' in html and "卧床" in html


def test_blank_personal_fields_stay_unchanged(city, officer):
    response = signed_in(officer).post(
        reverse("people:person-edit", args=[city.person_a.pk]),
        {"id_type": "resident_id", "gender": "M", "residence_status": "away", "notes": "外出务工"},
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=city.person_a.pk)
    assert (person.name, person.phone) == ("王小明", "13800000001")
    assert person.id_number == city.person_a.id_number
    assert person.residence_status == "away"
    change = ObjectChange.objects.get(object_id=str(person.pk))
    assert change.changed_fields() == ["notes", "residence_status"]


def test_new_resident_id_brings_its_birth_date_and_gender(city, officer):
    number = resident_id(datetime.date(1975, 8, 9), male=False)
    response = signed_in(officer).post(
        reverse("people:person-edit", args=[city.person_a.pk]),
        {
            "id_type": "resident_id",
            "id_number": number,
            "gender": "M",
            "residence_status": "resident",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=city.person_a.pk)
    assert person.id_number == number
    assert (person.birth_date, person.gender) == (datetime.date(1975, 8, 9), "F")


def test_edit_saves_through_the_service_and_is_audited(city, officer):
    client = signed_in(officer)
    response = client.post(
        reverse("people:person-edit", args=[city.person_a.pk]),
        form_data(city.person_a, phone="13912345678", tags=["bedridden", "lives_alone"]),
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=city.person_a.pk)
    assert person.phone == "13912345678" and person.is_bedridden and person.lives_alone
    change = ObjectChange.objects.get(object_id=str(person.pk), action=ObjectChange.UPDATE)
    assert change.actor == officer
    audit = client.get(reverse("core:audit-log"), {"object": str(person.pk)}).content.decode()
    assert "139****5678" in audit and "138****0001" in audit
    assert "13912345678" not in audit
    assert "卧床" in audit


def test_service_errors_show_next_to_fields(city, officer):
    response = signed_in(officer).post(
        reverse("people:person-edit", args=[city.person_a.pk]),
        form_data(city.person_a, phone="12345", id_number="350102198005170000"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "phone" in form.errors and "id_number" in form.errors
    assert Person.objects.get(pk=city.person_a.pk).phone == "13800000001"


def test_create_person_in_a_household(city, worker_a):
    number = resident_id(datetime.date(1990, 3, 4), male=False)
    residents_before = city.grid_a.resident_count
    response = signed_in(worker_a).post(
        f"{reverse('people:person-create')}?household={city.household_a.pk}",
        {
            "name": "周小红",
            "id_type": "resident_id",
            "id_number": number,
            "phone": "",
            "residence_status": "resident",
            "tags": ["pregnant"],
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(id_number=number)
    assert person.household == city.household_a and person.is_pregnant
    assert person.gender == "F" and person.birth_date == datetime.date(1990, 3, 4)
    city.grid_a.refresh_from_db()
    assert city.grid_a.resident_count == residents_before + 1


def test_create_household_under_a_building(city, worker_a):
    response = signed_in(worker_a).post(
        f"{reverse('people:household-create')}?building={city.building_a.code}",
        {"unit": "2", "room": "303"},
    )
    assert response.status_code == 302
    household = city.building_a.households.get(room="303")
    assert response.url == reverse("people:household-detail", args=[household.pk])
    duplicate = signed_in(worker_a).post(
        f"{reverse('people:household-create')}?building={city.building_a.code}",
        {"unit": "2", "room": "303"},
    )
    assert duplicate.status_code == 200 and duplicate.context["form"].errors
    assert city.building_a.households.filter(room="303").count() == 1


def test_volunteer_may_not_edit(city, volunteer_a):
    client = signed_in(volunteer_a)
    assert client.get(reverse("people:person-edit", args=[city.person_a.pk])).status_code == 403
    url = f"{reverse('people:person-create')}?household={city.household_a.pk}"
    assert client.get(url).status_code == 403

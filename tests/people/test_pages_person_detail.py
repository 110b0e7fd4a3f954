from django.urls import reverse

from tests.support import signed_in


def test_detail_is_masked(city, worker_a):
    html = signed_in(worker_a).get(reverse("people:person-detail", args=[city.person_a.pk]))
    html = html.content.decode()
    assert "王*明" in html and "王小明" not in html
    assert city.person_a.id_number not in html and "13800000001" not in html
    assert reverse("people:person-reveal", args=[city.person_a.pk]) in html
    assert city.household_a.address in html


def test_volunteer_sees_no_reveal_or_edit(city, volunteer_a):
    html = signed_in(volunteer_a).get(reverse("people:person-detail", args=[city.person_a.pk]))
    html = html.content.decode()
    assert reverse("people:person-reveal", args=[city.person_a.pk]) not in html
    assert reverse("people:person-edit", args=[city.person_a.pk]) not in html


def test_malformed_ids_are_not_found(city, officer):
    client = signed_in(officer)
    assert client.get("/people/not-a-uuid/").status_code == 404
    assert client.get("/people/new/?household=not-a-uuid").status_code == 404
    assert client.get("/people/households/new/?building=999").status_code == 404
    assert client.get("/people/households/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_household_page_lists_members_masked(city, worker_a):
    html = signed_in(worker_a).get(reverse("people:household-detail", args=[city.household_a.pk]))
    html = html.content.decode()
    assert city.household_a.address in html
    assert "王*明" in html and "王小明" not in html
    assert f"{reverse('people:person-create')}?household={city.household_a.pk}" in html

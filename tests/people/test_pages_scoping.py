"""A grid worker of grid A can neither list, open, reveal, edit nor find a person of grid B."""

from django.urls import reverse

from fangyi.core.models import AccessEvent
from fangyi.people.models import Person
from tests.support import signed_in


def test_other_grid_is_absent_from_lists_and_search(city, worker_a):
    client = signed_in(worker_a)
    person_b = city.person_b
    for params in ({}, {"q": "李"}, {"q": person_b.id_tail}, {"q": person_b.phone}):
        html = client.get(reverse("people:person-list"), params).content.decode()
        assert "李*英" not in html, params
    assert "王*明" in client.get(reverse("people:person-list")).content.decode()


def test_other_grid_person_cannot_be_opened_revealed_or_edited(city, worker_a):
    client = signed_in(worker_a)
    pk = city.person_b.pk
    assert client.get(reverse("people:person-detail", args=[pk])).status_code == 404
    reveal = client.post(reverse("people:person-reveal", args=[pk]), {"reason": "核对信息"})
    assert reveal.status_code == 404
    assert client.get(reverse("people:person-edit", args=[pk])).status_code == 404
    edit = client.post(reverse("people:person-edit", args=[pk]), {"name": "改名"})
    assert edit.status_code == 404
    assert not AccessEvent.objects.exists()
    assert Person.objects.get(pk=pk).name == "李秀英"


def test_other_grid_household_is_out_of_reach(city, worker_a):
    client = signed_in(worker_a)
    assert (
        client.get(reverse("people:household-detail", args=[city.household_b.pk])).status_code
        == 404
    )
    url = f"{reverse('people:person-create')}?household={city.household_b.pk}"
    assert client.get(url).status_code == 404
    url = f"{reverse('people:household-create')}?building={city.building_b.code}"
    assert client.get(url).status_code == 404

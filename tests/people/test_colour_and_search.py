"""The person list and API by health colour, and search by whole ID number or part of a name."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangyi.accounts.services import issue_token
from fangyi.health.models import Status

from ..factories import PersonFactory, staff


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_token(actor=None, user=user)}"})


def coloured(person, colour: str) -> Status:
    return Status.objects.create(
        person=person,
        region_path=person.region_path,
        colour=colour,
        policy_version="test",
        computed_at=timezone.now(),
    )


@pytest.fixture
def colours(city):
    coloured(city.person_a, "red")
    coloured(city.person_b, "green")


def api_ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_person_list_shows_and_filters_by_colour(city, officer, colours):
    client = signed_in(officer)
    everyone = client.get(reverse("people:person-list")).content.decode()
    assert 'data-colour="red"' in everyone and 'data-colour="green"' in everyone
    red = client.get(reverse("people:person-list"), {"colour": "red"}).content.decode()
    assert "王*明" in red and "李*英" not in red
    green = client.get(
        reverse("people:person-list"), {"colour": "green", "region": city.grid_b.code}
    )
    assert "李*英" in green.content.decode() and "王*明" not in green.content.decode()


def test_api_gives_and_filters_by_colour(city, officer, colours):
    client = api_client(officer)
    uncoloured = PersonFactory(household=city.household_a, name="赵无码")
    items = client.get("/api/v1/persons").json()["items"]
    assert {item["id"]: item["colour"] for item in items} == {
        str(city.person_a.pk): "red",
        str(uncoloured.pk): None,
        str(city.person_b.pk): "green",
    }
    assert api_ids(client.get("/api/v1/persons", {"colour": "red"})) == [str(city.person_a.pk)]
    assert client.get("/api/v1/persons", {"colour": "purple"}).status_code == 422


def test_colour_filter_keeps_keyset_pages(city, officer):
    reds = [PersonFactory(household=city.household_a) for _ in range(3)]
    for person in reds:
        coloured(person, "red")
    coloured(city.person_a, "green")
    client = api_client(officer)
    first = client.get("/api/v1/persons", {"colour": "red", "limit": 2}).json()
    second = client.get(
        "/api/v1/persons", {"colour": "red", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    seen = [item["id"] for item in first["items"] + second["items"]]
    assert sorted(seen) == sorted(str(p.pk) for p in reds)
    assert second["next_cursor"] is None


def test_region_colour_counts_link_to_the_filtered_person_list(city, officer, colours):
    html = signed_in(officer).get(
        reverse("health:region-counts", args=[city.community.code]), HTTP_HX_REQUEST="true"
    )
    page = html.content.decode()
    list_url = reverse("people:person-list")
    assert f'href="{list_url}?region={city.community.code}&amp;colour=red"' in page
    assert f'href="{list_url}?region={city.grid_b.code}&amp;colour=green"' in page


def test_search_by_whole_id_number(city, officer):
    client = signed_in(officer)
    number = city.person_b.id_number
    html = client.get(reverse("people:person-list"), {"q": number.lower()}).content.decode()
    assert "李*英" in html and "王*明" not in html
    grouped = f" {number[:6]} {number[6:14]} {number[14:]} "
    assert api_ids(api_client(officer).get("/api/v1/persons", {"q": grouped})) == [
        str(city.person_b.pk)
    ]


@pytest.mark.parametrize("part", ["秀英", "秀", "李秀英", "英"])
def test_search_by_any_part_of_a_name(city, officer, part):
    html = signed_in(officer).get(reverse("people:person-list"), {"q": part}).content.decode()
    assert "李*英" in html and "王*明" not in html
    assert api_ids(api_client(officer).get("/api/v1/persons", {"q": part})) == [
        str(city.person_b.pk)
    ]


def test_search_stays_in_the_users_regions(city):
    worker = staff("grid_worker", city.grid_a, username="searcher_a")
    client = api_client(worker)
    assert api_ids(client.get("/api/v1/persons", {"q": city.person_b.id_number})) == []
    assert api_ids(client.get("/api/v1/persons", {"q": "秀英"})) == []
    assert api_ids(client.get("/api/v1/persons", {"q": "小明"})) == [str(city.person_a.pk)]


def test_a_name_with_a_space_is_found_by_part_of_it(city, officer):
    anna = PersonFactory(
        household=city.household_a, name="Anna Example", id_type="passport", id_number="E1234567"
    )
    assert api_ids(api_client(officer).get("/api/v1/persons", {"q": "a Ex"})) == [str(anna.pk)]

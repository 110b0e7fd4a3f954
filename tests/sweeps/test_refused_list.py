"""Every visit of a sweep with refused parts, for an officer to find: which part, whose and
why; a clean visit and a visit set aside as a conflict are not on it; in the user's scope
only; in keyset pages, on the page and through the API; linked from the sweep's page with its
count."""

import pytest
from django.urls import reverse
from django.utils import translation

from fangyi.sweeps import problems, refused
from fangyi.sweeps.models import Door, Visit
from tests.factories import HouseholdFactory, resident_id
from tests.support import client_for, signed_in
from tests.sweeps.support import start, upload, visit

pytestmark = pytest.mark.django_db


def bad_id() -> str:
    """A resident ID number whose check digit is wrong."""
    number = resident_id()
    return number[:17] + ("0" if number[17] != "0" else "1")


def newcomer(name: str = "赵新来", number: str | None = None) -> dict:
    return {"newcomers": [{"name": name, "id_number": number or bad_id(), "phone": ""}]}


def listed(user, sweep) -> list:
    return [v.pk for v in refused.refused_visits(user, sweep, sweep.region).order_by("id")]


@pytest.fixture
def sweep(city, officer):
    # A second household in grid A, for a visit with nothing refused.
    city.household_c = HouseholdFactory(building=city.building_a, room="102")
    return start(officer, city.community)


def test_a_refused_newcomer_is_listed_with_its_reason_and_a_clean_visit_is_not(
    city, sweep, officer, worker_a
):
    wrong = visit(city.household_a, answers=newcomer())
    clean = visit(
        city.household_c,
        answers={"newcomers": [{"name": "钱多多", "id_number": resident_id(), "phone": ""}]},
    )
    upload(worker_a, sweep, wrong, clean)
    assert Visit.objects.get(pk=clean.id).refused == 0
    assert listed(officer, sweep) == [wrong.id]
    [row] = refused.rows_for(list(refused.refused_visits(officer, sweep, sweep.region)))
    [part] = row.parts
    assert (part.what, part.who, part.name) == ("newcomers", "new:0", "赵*来")
    assert part.message == "身份证号校验位错误。"
    assert row.household == city.household_a and row.grid == city.grid_a
    assert row.visit.worker_name == "worker_a"


def test_a_volunteers_facts_are_listed_under_the_persons_masked_name(
    city, sweep, officer, volunteer_a
):
    recorded = visit(
        city.household_a,
        answers={"health": [{"who": str(city.person_a.pk), "temperature": 38.5}]},
    )
    upload(volunteer_a, sweep, recorded)
    [row] = refused.rows_for(list(refused.refused_visits(officer, sweep, sweep.region)))
    [part] = row.parts
    assert (part.what, part.who, part.name) == ("facts", str(city.person_a.pk), "王*明")
    assert "无权记录健康事实" in part.message


def test_a_conflict_is_not_refused_until_the_visit_set_aside_is_kept(
    city, sweep, officer, worker_a, leader_a
):
    upload(worker_a, sweep, visit(city.household_a))
    second = visit(city.household_a, answers=newcomer())
    upload(leader_a, sweep, second)
    assert Visit.objects.get(pk=second.id).conflict
    assert listed(officer, sweep) == []
    door = Door.objects.get(sweep=sweep, household=city.household_a)
    problems.keep_visit(actor=officer, sweep=sweep, door=door, visit_id=second.id)
    assert listed(officer, sweep) == [second.id]
    assert Visit.objects.get(pk=second.id).refused == 1


def test_each_sees_the_refused_visits_of_their_own_grid_only(
    city, sweep, officer, worker_a, worker_b, leader_b
):
    in_a, in_b = (
        visit(city.household_a, answers=newcomer()),
        visit(city.household_b, answers=newcomer()),
    )
    upload(worker_a, sweep, in_a)
    upload(worker_b, sweep, in_b)
    assert listed(worker_a, sweep) == [in_a.id]
    assert listed(worker_b, sweep) == [in_b.id]
    assert sorted(listed(officer, sweep)) == sorted([in_a.id, in_b.id])
    # Grid B's leader, through the API, and on the page.
    api = client_for(leader_b).get(f"/api/v1/sweeps/{sweep.pk}/refused").json()
    assert [item["id"] for item in api["items"]] == [str(in_b.id)]
    assert api["items"][0]["grid"] == city.grid_b.code
    page = signed_in(leader_b).get(reverse("sweeps:refused", args=[sweep.pk])).content.decode()
    assert str(in_b.id) in page and str(in_a.id) not in page
    # Narrowed to grid A, which is not theirs: the sweep's own region, their rows only.
    api = (
        client_for(officer)
        .get(f"/api/v1/sweeps/{sweep.pk}/refused", {"region": city.grid_a.code})
        .json()
    )
    assert [item["id"] for item in api["items"]] == [str(in_a.id)]


def test_an_empty_list_says_so(city, sweep, officer, worker_a):
    upload(worker_a, sweep, visit(city.household_a))
    page = signed_in(officer).get(reverse("sweeps:refused", args=[sweep.pk])).content.decode()
    assert 'id="no-refused"' in page and "refused-visit" not in page
    assert client_for(officer).get(f"/api/v1/sweeps/{sweep.pk}/refused").json() == {
        "items": [],
        "next_cursor": None,
    }


def test_pages_of_the_list_on_the_page_and_the_api(city, sweep, officer, worker_a, settings):
    households = [HouseholdFactory(building=city.building_a, room=f"3{n:02d}") for n in range(3)]
    sweep = start(officer, city.grid_a, title="再次排查")
    uploaded = [visit(household, answers=newcomer()) for household in households]
    upload(worker_a, sweep, *uploaded)
    expected = {str(item.id) for item in uploaded}

    api = client_for(officer)
    url = f"/api/v1/sweeps/{sweep.pk}/refused"
    first = api.get(url, {"limit": 2}).json()
    second = api.get(url, {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert second["next_cursor"] is None
    assert {item["id"] for item in first["items"] + second["items"]} == expected
    assert api.get(url, {"cursor": "garbage"}).status_code == 422

    settings.FANGYI_PAGE_SIZE = 2
    client = signed_in(officer)
    page_url = reverse("sweeps:refused", args=[sweep.pk])
    response = client.get(page_url)
    cursor = response.context["next_cursor"]
    shown = [str(row.visit.pk) for row in response.context["rows"]]
    response = client.get(page_url, {"cursor": cursor})
    shown += [str(row.visit.pk) for row in response.context["rows"]]
    assert response.context["next_cursor"] is None
    assert len(shown) == 3 and set(shown) == expected


def test_the_sweeps_page_links_to_the_list_with_its_count(city, sweep, officer, worker_a):
    upload(worker_a, sweep, visit(city.household_a, answers=newcomer()))
    client = signed_in(officer)
    page = client.get(sweep.get_absolute_url()).content.decode()
    assert 'id="refused-count">1<' in page
    assert reverse("sweeps:refused", args=[sweep.pk]) in page
    # Grid B's part of the sweep has none.
    page = client.get(sweep.get_absolute_url(), {"region": city.grid_b.code}).content.decode()
    assert 'id="refused-count">0<' in page


def test_the_list_in_english(city, sweep, officer, worker_a):
    upload(worker_a, sweep, visit(city.household_a, answers=newcomer()))
    client = signed_in(officer)
    with translation.override("en"):
        page = client.get(
            reverse("sweeps:refused", args=[sweep.pk]), headers={"accept-language": "en"}
        ).content.decode()
    assert "Answers not taken" in page and "Newcomers" in page

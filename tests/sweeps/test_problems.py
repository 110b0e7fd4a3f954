"""The community's list of a sweep's problems: households missed twice, marked handled with a
note; households visited twice, both visits side by side, settled by keeping one (a visit set
aside is applied then); each settlement audited; in the officer's scope only; pages in Chinese
and English, the API beside them."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from fangyi.core.models import ObjectChange
from fangyi.people.models import Person, ResidenceStatus
from fangyi.sweeps import problems
from fangyi.sweeps.models import Door, ProblemKind, Settlement, Visit
from tests.factories import HouseholdFactory, PersonFactory, resident_id
from tests.support import client_for, post, signed_in
from tests.sweeps.support import start, upload, visit

pytestmark = pytest.mark.django_db


def here(person, status: str = "here") -> dict:
    return {"members": [{"person": str(person.pk), "status": status}]}


@pytest.fixture
def sweep(city, officer):
    return start(officer, city.community)


@pytest.fixture
def conflict(city, sweep, worker_a, leader_a):
    """Household A visited by the worker (resident here), then by the leader (resident away)."""
    first = visit(city.household_a, answers=here(city.person_a))
    second = visit(city.household_a, answers=here(city.person_a, "away"))
    upload(worker_a, sweep, first)
    upload(leader_a, sweep, second)
    return first.id, second.id


@pytest.fixture
def missed(city, sweep, worker_b):
    """Household B: two doors not answered, listed for the community."""
    upload(worker_b, sweep, visit(city.household_b, outcome="not_answered"))
    upload(worker_b, sweep, visit(city.household_b, outcome="not_answered"))
    return Door.objects.get(sweep=sweep, household=city.household_b)


def door(sweep, household) -> Door:
    return Door.objects.get(sweep=sweep, household=household)


def listed_households(user, sweep, kind, *, settled=False) -> list:
    return [
        d.household_id
        for d in problems.problem_doors(user, sweep, sweep.region, kind=kind, settled=settled)
    ]


def test_both_problems_are_listed_in_the_officers_scope_only(
    city, sweep, conflict, missed, officer, leader_a
):
    assert listed_households(officer, sweep, ProblemKind.CONFLICT) == [city.household_a.pk]
    assert listed_households(officer, sweep, ProblemKind.LISTED) == [city.household_b.pk]
    # Grid A's leader sees grid A's conflict, not grid B's household.
    assert listed_households(leader_a, sweep, ProblemKind.CONFLICT) == [city.household_a.pk]
    assert listed_households(leader_a, sweep, ProblemKind.LISTED) == []


def test_keeping_the_applied_visit_changes_nobody(city, sweep, conflict, officer):
    first, _second = conflict
    changes = ObjectChange.objects.count()
    settlement = problems.keep_visit(
        actor=officer, sweep=sweep, door=door(sweep, city.household_a), visit_id=first
    )
    assert settlement.kind == ProblemKind.CONFLICT and settlement.kept_id == first
    city.person_a.refresh_from_db()
    assert city.person_a.residence_status == ResidenceStatus.RESIDENT
    found = door(sweep, city.household_a)
    assert not found.conflict and found.confirmed == 1
    # The door's update and the settlement: nothing else.
    assert ObjectChange.objects.count() == changes + 2
    assert listed_households(officer, sweep, ProblemKind.CONFLICT) == []
    assert listed_households(officer, sweep, ProblemKind.CONFLICT, settled=True) == [
        city.household_a.pk
    ]


def test_keeping_the_visit_set_aside_applies_it_then(city, sweep, conflict, officer):
    _first, second = conflict
    problems.keep_visit(
        actor=officer, sweep=sweep, door=door(sweep, city.household_a), visit_id=second
    )
    city.person_a.refresh_from_db()
    assert city.person_a.residence_status == ResidenceStatus.AWAY
    found = door(sweep, city.household_a)
    assert (found.conflict, found.confirmed) == (False, 0)
    kept = Visit.objects.get(pk=second)
    assert kept.effects["changed"] == [str(city.person_a.pk)]
    assert ObjectChange.objects.filter(object_id=str(second), action=ObjectChange.UPDATE).exists()


def test_a_newcomer_of_the_visit_set_aside_is_registered_once(city, sweep, officer, worker_a):
    number = resident_id()
    newcomer = {"newcomers": [{"name": "赵新来", "id_number": number, "phone": ""}]}
    upload(worker_a, sweep, visit(city.household_a, answers=here(city.person_a)))
    second = visit(city.household_a, answers=newcomer)
    upload(officer, sweep, second)
    assert not Person.objects.filter(id_number=number).exists()
    problems.keep_visit(
        actor=officer, sweep=sweep, door=door(sweep, city.household_a), visit_id=second.id
    )
    assert Person.objects.get(id_number=number).household_id == city.household_a.pk
    assert door(sweep, city.household_a).newcomers == 1


def test_a_conflict_is_settled_once_and_only_with_its_own_visits(
    city, sweep, conflict, missed, officer
):
    first, _second = conflict
    with pytest.raises(ValidationError) as refused:
        problems.keep_visit(
            actor=officer, sweep=sweep, door=door(sweep, city.household_a), visit_id=uuid.uuid4()
        )
    assert "visit" in refused.value.message_dict
    with pytest.raises(ValidationError):
        problems.keep_visit(actor=officer, sweep=sweep, door=missed, visit_id=first)
    problems.keep_visit(
        actor=officer, sweep=sweep, door=door(sweep, city.household_a), visit_id=first
    )
    with pytest.raises(ValidationError):
        problems.keep_visit(
            actor=officer, sweep=sweep, door=door(sweep, city.household_a), visit_id=first
        )


def test_a_household_missed_twice_is_marked_handled_with_a_note(
    city, sweep, missed, officer, conflict
):
    with pytest.raises(ValidationError) as refused:
        problems.mark_handled(actor=officer, sweep=sweep, door=missed, note="  ")
    assert "note" in refused.value.message_dict
    settlement = problems.mark_handled(
        actor=officer, sweep=sweep, door=missed, note="电话联系，住户外出务工"
    )
    assert settlement.note == "电话联系，住户外出务工" and settlement.settled_by == officer
    assert ObjectChange.objects.filter(object_id=str(settlement.pk)).count() == 1
    assert listed_households(officer, sweep, ProblemKind.LISTED) == []
    assert listed_households(officer, sweep, ProblemKind.LISTED, settled=True) == [
        city.household_b.pk
    ]
    with pytest.raises(ValidationError):
        problems.mark_handled(actor=officer, sweep=sweep, door=missed, note="再次")
    with pytest.raises(ValidationError):
        problems.mark_handled(
            actor=officer, sweep=sweep, door=door(sweep, city.household_a), note="不是交社区的户"
        )


def test_a_worker_may_read_the_list_but_not_settle(city, sweep, missed, worker_b, leader_a):
    with pytest.raises(PermissionDenied):
        problems.mark_handled(actor=worker_b, sweep=sweep, door=missed, note="我去过了")
    # Grid A's leader changes sweeps, but not at grid B's building.
    with pytest.raises(PermissionDenied):
        problems.mark_handled(actor=leader_a, sweep=sweep, door=missed, note="我去过了")
    assert not Settlement.objects.exists()


def test_the_page_shows_both_visits_side_by_side_and_keeps_one(city, sweep, conflict, officer):
    first, second = conflict
    client = signed_in(officer)
    url = reverse("sweeps:problems", args=[sweep.pk])
    page = client.get(url, {"kind": "conflict"}).content.decode()
    assert f'data-visit="{first}"' in page and f'data-visit="{second}"' in page
    assert "王*明 在住" in page and "王*明 外出" in page
    assert "王小明" not in page
    response = client.post(
        reverse("sweeps:problem-keep", args=[sweep.pk, city.household_a.pk]),
        {"visit": str(second)},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已采用所选走访记录" in page and 'id="no-problems"' in page


def test_the_page_marks_a_missed_household_handled(city, sweep, missed, officer):
    client = signed_in(officer)
    url = reverse("sweeps:problems", args=[sweep.pk])
    page = client.get(url).content.decode()
    assert f'data-household="{city.household_b.pk}"' in page and "两次未应" in page
    handled = reverse("sweeps:problem-handled", args=[sweep.pk, city.household_b.pk])
    assert client.post(handled, {"note": ""}).status_code == 302
    assert not Settlement.objects.exists()
    client.post(handled, {"note": "物业核实：已搬离"})
    page = client.get(url, {"settled": "1"}).content.decode()
    assert "物业核实：已搬离" in page


def test_an_empty_list_says_so_and_the_coverage_links_to_it(city, sweep, officer):
    client = signed_in(officer)
    page = client.get(reverse("sweeps:problems", args=[sweep.pk])).content.decode()
    assert "没有两次敲门未应、待社区处理的户。" in page
    detail = client.get(sweep.get_absolute_url()).content.decode()
    assert reverse("sweeps:problems", args=[sweep.pk]) in detail


@override_settings(FANGYI_PAGE_SIZE=2)
def test_the_list_comes_in_keyset_pages(city, sweep, officer, worker_a):
    households = [HouseholdFactory(building=city.building_a, room=f"3{n}") for n in range(3)]
    sweep = start(officer, city.grid_a, title="再次排查")
    for household in households:
        PersonFactory(household=household)
        upload(worker_a, sweep, visit(household, outcome="not_answered"))
        upload(worker_a, sweep, visit(household, outcome="not_answered"))
    client = signed_in(officer)
    url = reverse("sweeps:problems", args=[sweep.pk])
    first = client.get(url)
    assert first.content.decode().count('class="card mb-2 problem"') == 2
    cursor = first.context["next_cursor"]
    second = client.get(url, {"cursor": cursor}).content.decode()
    assert second.count('class="card mb-2 problem"') == 1


def test_the_page_in_english(city, sweep, missed, officer):
    client = signed_in(officer)
    with translation.override("en"):
        page = client.get(
            reverse("sweeps:problems", args=[sweep.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "For the community" in page and "Mark handled" in page


def test_the_api_lists_and_settles(city, sweep, conflict, missed, officer, worker_a):
    _first, second = conflict
    client = client_for(officer)
    base = f"/api/v1/sweeps/{sweep.pk}/problems"
    found = client.get(base, {"kind": "conflict"}).json()
    [item] = found["items"]
    assert [v["id"] for v in item["visits"]] == [str(_first), str(second)]
    assert [v["applied"] for v in item["visits"]] == [True, False]
    assert item["visits"][1]["members"][0]["name"] == "王*明"
    kept = post(client, f"{base}/{city.household_a.pk}/keep", {"visit": str(second)}).json()
    assert kept["kept"] == str(second)
    refused = post(client, f"{base}/{city.household_b.pk}/handled", {"note": ""})
    assert refused.status_code == 422
    done = post(client, f"{base}/{city.household_b.pk}/handled", {"note": "已电话联系"})
    assert done.status_code == 200 and done.json()["note"] == "已电话联系"
    assert client.get(base).json()["items"] == []
    worker = client_for(worker_a)
    assert post(worker, f"{base}/{city.household_b.pk}/handled", {"note": "x"}).status_code in (
        403,
        404,
    )
    assert client.get(f"{base}/{uuid.uuid4()}/keep").status_code == 405
    assert post(client, f"{base}/not-an-id/keep", {"visit": str(second)}).status_code == 404

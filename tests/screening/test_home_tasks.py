"""Home-sampling tasks for the missing persons who cannot come to a site: bedridden, disabled,
elderly living alone, in quarantine. Once per person and round; for grid leaders and above,
or the background job."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.fieldwork.models import Task
from fangyi.health import services as health
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.coverage import services as coverage
from tests.factories import HouseholdFactory, PersonFactory
from tests.support import ago

from .coverage_support import ELDERLY_BIRTH, record, result

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(city, officer, sampler, site, campaign, round_now):
    a = HouseholdFactory(building=city.building_a, room="301")
    b = HouseholdFactory(building=city.building_b, room="302")
    found = {
        "bedridden": PersonFactory(household=a, is_bedridden=True),
        "disabled_b": PersonFactory(household=b, is_disabled=True),
        "elderly_alone": PersonFactory(household=a, birth_date=ELDERLY_BIRTH, lives_alone=True),
        "elderly_not_alone": PersonFactory(household=a, birth_date=ELDERLY_BIRTH),
        "young_alone": PersonFactory(household=a, lives_alone=True),
        "quarantined": PersonFactory(household=a),
        "released": PersonFactory(household=a),
        "sampled_bedridden": PersonFactory(household=a, is_bedridden=True),
        "invalid_bedridden": PersonFactory(household=a, is_bedridden=True),
        "away_disabled": PersonFactory(household=a, is_disabled=True, residence_status="away"),
        "exempted_bedridden": PersonFactory(household=a, is_bedridden=True),
    }
    health.record_facts(
        actor=officer,
        items=[
            health.FactInput(found["quarantined"], "quarantine_start", ago(days=2), variant="home"),
            health.FactInput(found["released"], "quarantine_start", ago(days=9), variant="home"),
            health.FactInput(found["released"], "quarantine_end", ago(days=1), variant="home"),
        ],
        source="manual",
    )
    record(sampler, site, "T0001", [found["sampled_bedridden"]], pool_size=1)
    record(sampler, site, "T0002", [found["invalid_bedridden"]], pool_size=1)
    result("T0002", "invalid")
    campaign_services.exempt_person(
        actor=officer, campaign=campaign, person=found["exempted_bedridden"], reason="住院"
    )
    return found


def _tasked(round) -> dict:
    return {task.person_id: task for task in Task.objects.filter(source=f"screening:{round.pk}")}


def test_tasks_for_the_vulnerable_missing_only(people, round_now):
    counts = coverage.create_home_sampling_tasks(actor=None, round=round_now)
    assert counts == coverage.HomeTaskCounts(eligible=5, created=5, existing=0)
    tasks = _tasked(round_now)
    names = {name for name, person in people.items() if person.pk in tasks}
    assert names == {"bedridden", "disabled_b", "elderly_alone", "quarantined", "invalid_bedridden"}
    task = tasks[people["elderly_alone"].pk]
    assert task.kind == "home_sampling" and task.status == "open"
    assert task.due_at == round_now.deadline
    assert task.source_ref == str(people["elderly_alone"].pk)
    assert task.notes == "独居老人"
    assert task.title == "上门采样：三坊社区全员核酸第1轮"
    assert task.household_id == people["elderly_alone"].household_id
    assert tasks[people["quarantined"].pk].notes == "隔离中"


def test_running_again_adds_only_the_newly_vulnerable(people, round_now):
    coverage.create_home_sampling_tasks(actor=None, round=round_now)
    people["young_alone"].is_disabled = True
    people["young_alone"].save()
    again = coverage.create_home_sampling_tasks(actor=None, round=round_now)
    assert again == coverage.HomeTaskCounts(eligible=6, created=1, existing=5)
    assert Task.objects.filter(person=people["bedridden"]).count() == 1


def test_a_grid_leader_arranges_their_grid(city, people, leader_a, round_now):
    counts = coverage.create_home_sampling_tasks(actor=leader_a, round=round_now)
    assert counts.created == 4
    assert people["disabled_b"].pk not in _tasked(round_now)
    assert {task.created_by_id for task in _tasked(round_now).values()} == {leader_a.pk}
    with pytest.raises(PermissionDenied):
        coverage.create_home_sampling_tasks(actor=leader_a, round=round_now, region=city.grid_b)


def test_an_officer_over_one_region(city, people, officer, round_now):
    counts = coverage.create_home_sampling_tasks(
        actor=officer, round=round_now, region=city.building_b
    )
    assert counts == coverage.HomeTaskCounts(eligible=1, created=1, existing=0)


def test_a_grid_worker_may_not(people, worker_a, round_now):
    with pytest.raises(PermissionDenied):
        coverage.create_home_sampling_tasks(actor=worker_a, round=round_now)
    assert not Task.objects.exists()


def test_not_after_the_deadline(people, round_now):
    with pytest.raises(ValidationError) as raised:
        coverage.create_home_sampling_tasks(
            actor=None, round=round_now, now=round_now.deadline + datetime.timedelta(minutes=1)
        )
    assert raised.value.message_dict == {"round": ["第1轮已截止，不再安排上门采样。"]}

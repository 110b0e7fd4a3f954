"""A visit's answers become what they mean, through the owning services, and nothing else."""

import datetime

import pytest
from django.utils import timezone

from fangyi.core.models import ObjectChange
from fangyi.fieldwork.models import Task, TaskKind
from fangyi.health.models import Fact, FactKind, Status
from fangyi.isolation.models import Order, OrderState
from fangyi.people.models import Person, ResidenceStatus
from fangyi.sweeps.models import Door, DoorState
from tests.factories import PersonFactory, resident_id
from tests.sweeps.support import start, upload, visit

pytestmark = pytest.mark.django_db

BORN = datetime.date(1990, 2, 3)
NEWCOMER_ID = resident_id(BORN, district="350102")


@pytest.fixture
def household(city):
    return city.household_a


def test_confirmed_members_only_count_and_change_nobody(city, officer, worker_a, household):
    sweep = start(officer, city.grid_a)
    facts, persons = Fact.objects.count(), Person.objects.count()
    changes = ObjectChange.objects.filter(object_type="people.person").count()
    upload(
        worker_a,
        sweep,
        visit(
            household, answers={"members": [{"person": str(city.person_a.pk), "status": "here"}]}
        ),
    )
    door = Door.objects.get(sweep=sweep, household=household)
    assert (door.state, door.confirmed, door.newcomers, door.arrivals) == (
        DoorState.VISITED,
        1,
        0,
        0,
    )
    assert Fact.objects.count() == facts
    assert Person.objects.count() == persons
    assert ObjectChange.objects.filter(object_type="people.person").count() == changes


def test_away_member_is_marked_away_through_people_services(city, officer, worker_a, household):
    sweep = start(officer, city.grid_a)
    upload(
        worker_a,
        sweep,
        visit(
            household, answers={"members": [{"person": str(city.person_a.pk), "status": "away"}]}
        ),
    )
    city.person_a.refresh_from_db()
    assert city.person_a.residence_status == ResidenceStatus.AWAY
    change = ObjectChange.objects.filter(object_id=str(city.person_a.pk)).latest("time")
    assert change.after["residence_status"] == "away"
    assert Door.objects.get(sweep=sweep, household=household).confirmed == 0


def test_newcomer_from_a_high_risk_area_is_registered_coloured_and_proposed(
    city, officer, worker_a, household, django_capture_on_commit_callbacks
):
    sweep = start(officer, city.grid_a)
    arrived = timezone.now() - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        result = upload(
            worker_a,
            sweep,
            visit(
                household,
                answers={
                    "members": [{"person": str(city.person_a.pk), "status": "here"}],
                    "newcomers": [{"name": "赵新来", "id_number": NEWCOMER_ID, "phone": ""}],
                    "arrivals": [
                        {
                            "who": "new:0",
                            "from": "上海市浦东新区",
                            "risk": "high",
                            "arrived_at": arrived.isoformat(),
                        }
                    ],
                },
            ),
        )
    assert not result.problems
    newcomer = Person.objects.get(id_number=NEWCOMER_ID)
    assert newcomer.household_id == household.pk
    assert ObjectChange.objects.filter(object_id=str(newcomer.pk), action="create").exists()
    [fact] = Fact.objects.filter(person=newcomer)
    assert fact.kind == FactKind.ARRIVAL_FROM_RISK_AREA
    assert fact.details["area"].startswith("上海市浦东新区")
    assert Status.objects.get(person=newcomer).colour in ("yellow", "red")
    order = Order.objects.get(person=newcomer)
    assert order.state == OrderState.TO_PLACE and order.reason_fact_id == fact.pk
    door = Door.objects.get(sweep=sweep, household=household)
    assert (door.confirmed, door.newcomers, door.arrivals) == (1, 1, 1)
    # Nobody else gained a fact or an order.
    assert Fact.objects.exclude(person=newcomer).filter(source="sweep").count() == 0
    assert Order.objects.count() == 1


def test_newcomer_known_elsewhere_is_moved_not_duplicated(city, officer, household):
    sweep = start(officer, city.grid_a)
    elsewhere = PersonFactory(
        household=city.household_b, id_number=NEWCOMER_ID, birth_date=BORN, gender="M"
    )
    persons = Person.objects.count()
    result = upload(
        officer,
        sweep,
        visit(
            household,
            answers={"newcomers": [{"name": "赵新来", "id_number": NEWCOMER_ID, "phone": ""}]},
        ),
    )
    assert not result.problems
    elsewhere.refresh_from_db()
    assert elsewhere.household_id == household.pk
    assert Person.objects.count() == persons


def test_a_worker_cannot_move_someone_from_another_grid_and_the_visit_says_so(
    city, officer, worker_a, household
):
    sweep = start(officer, city.grid_a)
    elsewhere = PersonFactory(
        household=city.household_b, id_number=NEWCOMER_ID, birth_date=BORN, gender="M"
    )
    result = upload(
        worker_a,
        sweep,
        visit(household, answers={"newcomers": [{"name": "赵新来", "id_number": NEWCOMER_ID}]}),
    )
    [(visit_id, problems)] = result.problems.items()
    assert problems[0]["what"] == "newcomers"
    elsewhere.refresh_from_db()
    assert elsewhere.household_id == city.household_b.pk


def test_fever_is_a_declaration_fact_and_a_referral_task(city, officer, worker_a, household):
    sweep = start(officer, city.grid_a)
    upload(
        worker_a,
        sweep,
        visit(
            household,
            answers={
                "health": [
                    {"who": str(city.person_a.pk), "temperature": 38.2, "symptoms": ["咳嗽"]}
                ]
            },
        ),
    )
    [fact] = Fact.objects.filter(person=city.person_a, source="sweep")
    assert fact.kind == FactKind.HEALTH_DECLARATION
    assert fact.details == {"temperature": 38.2, "symptoms": ["咳嗽"]}
    assert Task.objects.filter(person=city.person_a, kind=TaskKind.FEVER_REFERRAL).count() == 1


def test_a_normal_temperature_makes_no_referral(city, officer, worker_a, household):
    sweep = start(officer, city.grid_a)
    upload(
        worker_a,
        sweep,
        visit(household, answers={"health": [{"who": str(city.person_a.pk), "temperature": 36.5}]}),
    )
    assert not Task.objects.filter(kind=TaskKind.FEVER_REFERRAL).exists()


def test_special_needs_are_added_to_the_persons_tags(city, officer, worker_a, household):
    city.person_a.lives_alone = True
    city.person_a.save()
    sweep = start(officer, city.grid_a)
    upload(
        worker_a,
        sweep,
        visit(
            household, answers={"needs": [{"who": str(city.person_a.pk), "tags": ["bedridden"]}]}
        ),
    )
    city.person_a.refresh_from_db()
    assert city.person_a.is_bedridden and city.person_a.lives_alone


def test_a_trip_from_no_risk_area_is_kept_but_colours_nobody(
    city, officer, worker_a, household, django_capture_on_commit_callbacks
):
    sweep = start(officer, city.grid_a)
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            worker_a,
            sweep,
            visit(
                household,
                answers={
                    "arrivals": [
                        {
                            "who": str(city.person_a.pk),
                            "from": "厦门市",
                            "risk": "none",
                            "arrived_at": timezone.now().isoformat(),
                        }
                    ]
                },
            ),
        )
    [fact] = Fact.objects.filter(person=city.person_a, source="sweep")
    assert fact.kind == FactKind.HEALTH_DECLARATION
    assert not Order.objects.exists()
    assert Door.objects.get(sweep=sweep, household=household).arrivals == 0

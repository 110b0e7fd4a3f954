"""A person with a slot of the day unreported after the missed hour becomes a follow-up task
for their grid team, once per person and day; the counts are real."""

import datetime

from django.utils import timezone

from fangyi.core.areas import periodic_jobs
from fangyi.fieldwork.models import Task, TaskKind
from fangyi.isolation.followup import services
from fangyi.isolation.followup.home import missed_today
from fangyi.isolation.followup.services import CheckInInput
from fangyi.isolation.followup.tasks import daily_sweep_task
from fangyi.isolation.models import Order
from tests.factories import PersonFactory
from tests.support import client_for

from .followup_support import at, days_ago, running_order

MISSED = "/api/v1/isolation/check-ins/missed"


def test_nobody_has_missed_before_the_missed_hour(city, settings):
    running_order(city.person_a, started_at=days_ago(2))
    day = timezone.localdate()
    before = at(day, settings.FANGYI_CHECK_IN_MISSED_HOUR) - datetime.timedelta(minutes=1)

    assert services.missed(Order.objects.all(), day, before).count() == 0
    assert services.create_missed_tasks(day=day, now=before) == 0


def test_a_missed_slot_is_counted_and_becomes_one_task_a_day(city, worker_a, settings):
    day = timezone.localdate() - datetime.timedelta(days=1)
    after = at(day, settings.FANGYI_CHECK_IN_MISSED_HOUR, 5)
    reported_both = running_order(city.person_a, started_at=days_ago(3))
    missed_afternoon = running_order(
        PersonFactory(household=city.household_a), started_at=days_ago(3)
    )
    silent = running_order(PersonFactory(household=city.household_b), started_at=days_ago(3))
    for slot in (1, 2):
        services.record(
            actor=worker_a,
            items=[CheckInInput(order_id=reported_both.pk)],
            slot=slot,
            now=at(day, 15),
        )
    services.record(
        actor=worker_a, items=[CheckInInput(order_id=missed_afternoon.pk)], slot=1, now=at(day, 9)
    )

    missed = set(services.missed(Order.objects.all(), day, after).values_list("pk", flat=True))
    first = services.create_missed_tasks(day=day, now=after)
    second = services.create_missed_tasks(day=day, now=after + datetime.timedelta(hours=1))

    assert missed == {missed_afternoon.pk, silent.pk}
    assert (first, second) == (2, 0)
    tasks = Task.objects.filter(kind=TaskKind.FOLLOW_UP_VISIT)
    assert {task.person_id for task in tasks} == {missed_afternoon.person_id, silent.person_id}
    # In the person's own grid, for its team.
    assert {task.region_path for task in tasks} == {
        missed_afternoon.region_path,
        silent.region_path,
    }


def test_an_order_begun_after_the_afternoon_slot_opened_has_not_missed_it(city, settings):
    day = timezone.localdate() - datetime.timedelta(days=1)
    late = at(day, settings.FANGYI_CHECK_IN_SLOTS[1], 30)
    running_order(city.person_a, started_at=late)
    after = at(day, settings.FANGYI_CHECK_IN_MISSED_HOUR, 5)

    assert services.missed(Order.objects.all(), day, after).count() == 0


def test_the_missed_list_and_card_count_what_is_missed(city, officer, worker_a, settings):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    running_order(city.person_a, started_at=days_ago(3))
    running_order(city.person_b, started_at=days_ago(3))

    listed = client_for(officer).get(MISSED, {"day": yesterday.isoformat()}).json()["items"]

    assert len(listed) == 2
    assert {item["person_name"] for item in listed} == {"王*明", "李*英"}
    worker_view = client_for(worker_a).get(MISSED, {"day": yesterday.isoformat()}).json()
    assert [item["person_name"] for item in worker_view["items"]] == ["王*明"]
    settings.FANGYI_CHECK_IN_MISSED_HOUR = 0
    settings.FANGYI_CHECK_IN_SLOTS = (0, 0)
    assert missed_today(officer).count == 2


def test_the_periodic_sweep_makes_the_days_tasks(city, settings):
    running_order(city.person_a, started_at=days_ago(3), test_days=[4])
    settings.FANGYI_CHECK_IN_SLOTS = (0, 0)
    settings.FANGYI_CHECK_IN_MISSED_HOUR = 0
    job = next(job for job in periodic_jobs() if job.name == "isolation.follow-up")

    done = daily_sweep_task.call()

    assert job.task == "fangyi.isolation.followup.tasks.daily_sweep_task"
    # Nothing reported yesterday nor today: one follow-up task for each day.
    assert done == {"tests": 1, "missed": 2}
    assert daily_sweep_task.call() == {"tests": 0, "missed": 0}

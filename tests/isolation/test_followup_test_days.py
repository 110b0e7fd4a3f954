"""On an order's test days the home-isolated get a home-sampling task (once a day), and a
site's sampling list shows who is due a test today and whether the result is in."""

import datetime

from django.utils import timezone

from fangyi.fieldwork.models import Task, TaskKind
from fangyi.health import services as health
from fangyi.isolation.followup import services
from tests.factories import PersonFactory, staff
from tests.support import signed_in

from .followup_support import days_ago, local_midnight, quarantine_site, room, running_order


def test_day_of_the_term():
    started = days_ago(3)
    assert services.day_of_order(started, timezone.localdate()) == 4


def test_home_isolated_get_a_sampling_task_on_their_test_days_once(city):
    due = running_order(city.person_a, started_at=days_ago(3), test_days=[1, 4, 7])
    running_order(city.person_b, started_at=days_ago(2), test_days=[1, 4, 7])

    first = services.create_test_tasks()
    second = services.create_test_tasks()

    assert (first, second) == (1, 0)
    task = Task.objects.get(kind=TaskKind.HOME_SAMPLING)
    assert task.person_id == due.person_id
    assert task.source_ref == f"test:{due.pk.hex}:{timezone.localdate().isoformat()}"


def test_people_at_a_site_get_no_home_task(city):
    site = quarantine_site(city.grid_a)
    running_order(city.person_a, site=site, room=room(site), started_at=days_ago(3))

    assert services.create_test_tasks() == 0


def test_the_sites_sampling_list_shows_who_is_due_and_whose_result_is_in(city):
    site = quarantine_site(city.grid_a)
    tested = running_order(city.person_a, site=site, room=room(site, "201"), started_at=days_ago(3))
    waiting = running_order(
        PersonFactory(household=city.household_a, name="赵一"),
        site=site,
        room=room(site, "202"),
        started_at=days_ago(3),
    )
    running_order(
        PersonFactory(household=city.household_a, name="钱二"),
        site=site,
        room=room(site, "203"),
        started_at=days_ago(1),
    )
    admin = staff("admin", city.city)
    health.record_fact(
        actor=admin,
        source="manual",
        person=tested.person,
        kind="test_result",
        # Today's, even just after midnight.
        occurred_at=max(timezone.now() - datetime.timedelta(minutes=5), local_midnight()),
        outcome="negative",
        variant="single",
    )
    site_staff = staff("site_staff", city.grid_a)

    page = signed_in(site_staff).get(f"/isolation/check-ins/sites/{site.pk}/sampling/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "王*明" in html and "赵*" in html and "钱*" not in html
    assert html.count("结果已出") == 1 and html.count("待出结果") == 1
    assert waiting.room.number in html


def test_another_sites_sampling_list_is_not_found(city):
    site = quarantine_site(city.grid_b)
    site_staff = staff("site_staff", city.grid_a)

    page = signed_in(site_staff).get(f"/isolation/check-ins/sites/{site.pk}/sampling/")

    assert page.status_code == 404

"""The setup each process holds (categories, units, rules, calendar days): read again after a
change made here, in another process, or rolled back, and not read again otherwise."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fangyi.hotline import services, setup_cache
from fangyi.hotline.models import CalendarDay, HandlingUnit, SetupVersion
from tests.hotline.support import beijing, category, take

pytestmark = pytest.mark.django_db


def test_the_setup_is_read_once_until_it_changes(city, hotline):
    setup_cache.current()
    with CaptureQueriesContext(connection) as queries:
        setup_cache.current()
    # Only the version: outside a request each call checks it.
    assert len(queries.captured_queries) == 1
    services.create_rule(
        actor=hotline.admin, region=city.street, category=category("food"), unit=hotline.health
    )
    assert services.route(take(hotline.operator, city.building_a, "food")) == hotline.health


def test_a_unit_stopped_by_saving_it_is_no_longer_routed_to(city, hotline):
    assert services.route(take(hotline.operator, city.building_a)) == hotline.team
    hotline.team.active = False
    hotline.team.save()
    assert services.route(take(hotline.operator, city.building_a)) is None


def test_a_bulk_update_is_seen_once_it_says_so(city, hotline):
    assert services.route(take(hotline.operator, city.building_a)) == hotline.team
    HandlingUnit.objects.filter(pk=hotline.team.pk).update(active=False)
    setup_cache.changed()
    assert services.route(take(hotline.operator, city.building_a)) is None


def test_a_change_by_another_process_is_seen(city, hotline):
    take(hotline.operator, city.building_a, received_at=beijing("2026-03-09 09:00"))
    # Another process entered a day off in bulk (no signal here) and wrote a new version.
    CalendarDay.objects.bulk_create(
        [CalendarDay(day=datetime.date(2026, 3, 10), is_workday=False, note="本地调休")]
    )
    SetupVersion.objects.update(version="another-process")
    food = take(hotline.operator, city.building_a, received_at=beijing("2026-03-09 09:00"))
    assert food.due_at == beijing("2026-03-12 18:00")


def test_a_change_rolled_back_is_forgotten(city, hotline):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_rule(
            actor=hotline.admin, region=city.street, category=category("food"), unit=hotline.health
        )
        assert services.route(take(hotline.operator, city.building_a, "food")) == hotline.health
        raise RuntimeError
    assert services.route(take(hotline.operator, city.building_a, "food")) == hotline.team

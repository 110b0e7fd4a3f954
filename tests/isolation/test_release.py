"""Releasing in bulk: only ready orders, or with an officer's stated reason; the quarantine
ends by a fact, and the next stage of the plan starts by itself."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangyi.health.models import Fact
from fangyi.isolation import services
from fangyi.isolation.models import CheckIn, Order, OrderState
from tests.isolation.support_orders import results_on, site_with_rooms, started

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(city, officer):
    return site_with_rooms(officer, city.community)


def test_a_ready_order_is_released_and_home_monitoring_starts(city, officer, site):
    order = started(officer, city.person_a, site, days_ago=7.1)
    results_on(officer, order, order.test_days)
    services.release(actor=officer, orders=[order])
    order.refresh_from_db()
    assert order.state == OrderState.RELEASED
    end = Fact.objects.get(pk=order.end_fact_id)
    assert (end.kind, end.variant) == ("quarantine_end", "centralised")
    stage = Order.objects.get(previous=order)
    assert (stage.state, stage.kind, stage.term_days, stage.test_days) == (
        "active",
        "home_monitoring",
        3,
        [3],
    )
    assert Fact.objects.get(pk=stage.start_fact_id).variant == "home_monitoring"
    assert stage.events.get().to_state == "active"


def test_an_order_not_ready_is_refused_naming_the_person(city, officer, site):
    order = started(officer, city.person_a, site, days_ago=7.1)
    results_on(officer, order, [1, 2])
    with pytest.raises(ValidationError) as refused:
        services.release(actor=officer, orders=[order])
    assert order.person.masked_name in str(refused.value)
    order.refresh_from_db()
    assert order.state == OrderState.ACTIVE


def test_an_override_releases_and_keeps_what_was_missing(city, officer, site):
    order = started(officer, city.person_a, site, days_ago=7.1)
    services.release(actor=officer, orders=[order], override="专家会诊同意解除")
    event = order.events.order_by("at", "id").last()
    assert event.to_state == "released"
    assert event.reason == "专家会诊同意解除"
    assert "第 1 天未检测" in event.details["override"]


def test_a_fever_in_the_last_day_blocks_the_release(city, officer, site):
    order = started(officer, city.person_a, site, days_ago=7.1)
    results_on(officer, order, order.test_days)
    CheckIn.objects.create(
        order=order,
        person=order.person,
        region_path=order.region_path,
        day=timezone.localdate(),
        slot=1,
        temperature=38.1,
        fever=True,
        channel="staff",
        reported_at=timezone.now() - datetime.timedelta(hours=3),
    )
    with pytest.raises(ValidationError):
        services.release(actor=officer, orders=[order])


def test_release_is_all_or_none_and_for_officers(city, officer, worker_a, site):
    ready = started(officer, city.person_a, site, days_ago=7.1)
    results_on(officer, ready, ready.test_days)
    waiting = started(officer, city.person_b, site, days_ago=1)
    with pytest.raises(ValidationError):
        services.release(actor=officer, orders=[ready, waiting])
    ready.refresh_from_db()
    assert ready.state == "active"
    with pytest.raises(PermissionDenied):
        services.release(actor=worker_a, orders=[ready])


def test_home_monitoring_released_has_no_further_stage(city, officer, site):
    order = started(officer, city.person_a, site, days_ago=7.1)
    results_on(officer, order, order.test_days)
    services.release(actor=officer, orders=[order])
    stage = Order.objects.get(previous=order)
    services.release(actor=officer, orders=[stage], override="提前结束监测")
    assert not Order.objects.filter(previous=stage).exists()

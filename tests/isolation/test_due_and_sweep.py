"""Orders never stay open silently: every running order past its planned end is ready or
listed overdue with its reasons, computed for all at once; the nightly sweep starts missing
next stages and marks overdue orders once."""

import pytest
from django.utils import timezone

from fangyi.isolation import readiness, sweep
from fangyi.isolation.models import Order, OrderEvent, OrderState
from tests.isolation.support_orders import members, results_on, site_with_rooms, started

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(city, officer):
    site = site_with_rooms(officer, city.community, "101-110", capacity=1)
    people = [city.person_a, city.person_b]
    people += members(city.household_a, 4)
    ready = started(officer, people[0], site, days_ago=7.5)
    results_on(officer, ready, ready.test_days)
    missing = started(officer, people[1], site, days_ago=7.5)
    results_on(officer, missing, [1, 2, 5, 7])
    positive = started(officer, people[2], site, days_ago=8)
    results_on(officer, positive, [1, 2, 3, 5])
    results_on(officer, positive, [7], outcome="positive")
    running = started(officer, people[3], site, days_ago=3)
    return {"ready": ready, "missing": missing, "positive": positive, "running": running}


def test_due_orders_are_split_into_ready_and_overdue_with_reasons(orders):
    ready, overdue = readiness.split_due(Order.objects.all())
    assert {item.order_id for item in ready} == {orders["ready"].pk}
    reasons = {item.order_id: [p.code for p in item.problems] for item in overdue}
    assert reasons == {
        orders["missing"].pk: ["missing_test"],
        orders["positive"].pk: ["positive_test"],
    }
    assert orders["running"].pk not in reasons


def test_every_running_order_past_its_end_is_either_ready_or_overdue(orders):
    ready, overdue = readiness.split_due(Order.objects.all())
    due = set(readiness.due(Order.objects.all()).values_list("pk", flat=True))
    assert due == {item.order_id for item in ready} | {item.order_id for item in overdue}
    assert all(item.problems for item in overdue)


def test_readiness_takes_a_few_queries_whatever_the_number_of_orders(
    orders, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        readiness.split_due(Order.objects.all())


def test_the_sweep_marks_overdue_orders_once(orders):
    result = sweep.sweep()
    assert (result.ready, result.overdue, result.newly_overdue) == (1, 2, 2)
    marked = OrderEvent.objects.filter(details__mark="overdue")
    assert set(marked.values_list("order_id", flat=True)) == {
        orders["missing"].pk,
        orders["positive"].pk,
    }
    assert "第 3 天未检测" in marked.get(order=orders["missing"]).details["problems"]
    assert sweep.sweep().newly_overdue == 0


def test_the_sweep_starts_a_next_stage_a_release_missed(orders, officer):
    order = orders["ready"]
    Order.objects.filter(pk=order.pk).update(state=OrderState.RELEASED, ended_at=timezone.now())
    assert sweep.sweep().next_stages == 1
    stage = Order.objects.get(previous=order)
    assert stage.kind == "home_monitoring"
    assert sweep.sweep().next_stages == 0

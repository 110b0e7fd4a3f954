"""Extending, re-planning, moving to hospital and cancelling an order: each a state change
with who, when and why, and the quarantine's facts where it ends."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangyi.health.models import Fact, Policy
from fangyi.isolation import services
from fangyi.isolation.models import Order, OrderState
from tests.isolation.support_orders import proposed, site_with_rooms, started

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(city, officer):
    return started(officer, city.person_a, site_with_rooms(officer, city.community), days_ago=2)


def test_extending_sets_a_later_end_with_a_reason(running, officer):
    until = running.planned_end_at + datetime.timedelta(days=2)
    services.extend(actor=officer, order=running, until=until, reason="第 5 天未检测")
    running.refresh_from_db()
    assert (running.state, running.planned_end_at) == (OrderState.EXTENDED, until)
    event = running.events.order_by("at", "id").last()
    assert (event.from_state, event.to_state, event.reason) == (
        "active",
        "extended",
        "第 5 天未检测",
    )


@pytest.mark.parametrize(
    ("until", "reason", "field"),
    [
        (datetime.timedelta(days=-1), "延期", "until"),
        (datetime.timedelta(days=90), "延期", "until"),
        (datetime.timedelta(days=1), " ", "reason"),
    ],
)
def test_extensions_that_make_no_sense_are_refused(running, officer, until, reason, field):
    with pytest.raises(ValidationError) as refused:
        services.extend(
            actor=officer, order=running, until=running.planned_end_at + until, reason=reason
        )
    assert field in refused.value.message_dict


def test_a_plan_switch_leaves_running_orders_until_they_are_replanned(running, officer, city):
    Policy.objects.update(in_force=False)
    Policy.objects.filter(code="2022-11-20m").update(in_force=True)
    running.refresh_from_db()
    assert running.term_days == 7
    newcomer = proposed(officer, city.person_b)
    assert newcomer.term_days == 5
    services.replan(actor=officer, order=running, reason="按二十条调整")
    running.refresh_from_db()
    assert (running.term_days, running.test_days) == (5, [1, 2, 3, 5])
    assert running.planned_end_at == running.started_at + datetime.timedelta(days=5)
    assert running.policy.code == "2022-11-20m"
    assert running.events.order_by("at", "id").last().details["replanned"] == "2022-11-20m.v1"


def test_replanning_to_a_plan_without_the_reason_is_refused(officer, city):
    order = proposed(officer, city.person_a, "secondary_contact")
    Policy.objects.update(in_force=False)
    Policy.objects.filter(code="2022-11-20m").update(in_force=True)
    with pytest.raises(ValidationError):
        services.replan(actor=officer, order=order)


def test_moving_to_hospital_ends_the_quarantine(running, officer):
    services.move_to_hospital(actor=officer, order=running, reason="核酸阳性")
    running.refresh_from_db()
    assert running.state == OrderState.HOSPITAL
    assert Fact.objects.get(pk=running.end_fact_id).kind == "quarantine_end"
    with pytest.raises(ValidationError):
        services.cancel(actor=officer, order=running, reason="重复")


def test_cancelling_needs_a_reason_and_an_order_never_started_records_no_fact(officer, city):
    order = proposed(officer, city.person_a)
    with pytest.raises(ValidationError):
        services.cancel(actor=officer, order=order, reason="")
    services.cancel(actor=officer, order=order, reason="密接身份已撤销")
    order.refresh_from_db()
    assert (order.state, order.end_fact_id) == (OrderState.CANCELLED, None)
    assert order.ended_at <= timezone.now()


def test_a_concurrent_change_is_refused(running, officer):
    stale = Order.objects.get(pk=running.pk)
    services.move_to_hospital(actor=officer, order=running, reason="发热")
    with pytest.raises(ValidationError):
        services.cancel(actor=officer, order=stale, reason="重复")

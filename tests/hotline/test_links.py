"""A ticket starts the work it asks for in another area, linked both ways, and resolves when
that work is done."""

import pytest
from django.core.exceptions import PermissionDenied

from fangyi.fieldwork import services as fieldwork
from fangyi.fieldwork.models import Task
from fangyi.health import services as health
from fangyi.hotline import services
from fangyi.hotline.models import Callback, State
from fangyi.supplies import services as supplies
from fangyi.supplies.models import Request
from tests.hotline.support import fever_clinic_fact, take

pytestmark = pytest.mark.django_db


def insulin():
    return supplies.Draft(
        kind="medicine",
        items=[supplies.ItemInput(quantity=2, name="胰岛素笔芯", unit="支", dose="每日两次")],
        chronic_condition="糖尿病",
    )


def accepted(city, hotline, code="medicines"):
    ticket = take(
        hotline.operator,
        city.building_a,
        code,
        description="封控楼栋，家里胰岛素用完了",
        caller=services.CallerInput(person=city.person_a),
        dispatch=True,
    )
    unit = ticket.unit
    member = hotline.health_officer if unit == hotline.health else hotline.street_officer
    services.accept(actor=member, ticket=ticket)
    return ticket, member


def test_a_delivered_supply_request_resolves_the_ticket(
    city, hotline, worker_a, django_capture_on_commit_callbacks
):
    ticket, member = accepted(city, hotline, "food")
    link = services.start_supply_request(
        actor=member, ticket=ticket, household=city.household_a, draft=insulin()
    )
    request = Request.objects.get(pk=link.target_id)
    assert request.hotline_ticket == ticket.number and request.channel == "hotline"
    assert ticket.events.filter(kind="link").exists()
    for state in ("accepted", "sourcing", "out_for_delivery"):
        supplies.transition(actor=worker_a, request=request, to_state=state)
    with django_capture_on_commit_callbacks(execute=True):
        supplies.transition(
            actor=worker_a,
            request=request,
            to_state="delivered",
            delivery=supplies.Delivery("note", note="本人签收"),
        )
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    assert "已送达" in ticket.reply
    assert Callback.objects.filter(ticket=ticket, state="pending").exists()
    link.refresh_from_db()
    assert link.done and link.succeeded


def test_a_cancelled_request_does_not_resolve_it(
    city, hotline, worker_a, django_capture_on_commit_callbacks
):
    ticket, member = accepted(city, hotline, "food")
    link = services.start_supply_request(
        actor=member, ticket=ticket, household=city.household_a, draft=insulin()
    )
    request = Request.objects.get(pk=link.target_id)
    with django_capture_on_commit_callbacks(execute=True):
        supplies.transition(
            actor=worker_a, request=request, to_state="cancelled", reason="居民已自行购买"
        )
    ticket.refresh_from_db()
    assert ticket.state == State.ACCEPTED
    assert ticket.events.get(kind="link_done").note.startswith("物资需求：已取消")


def test_a_field_task_done_resolves_the_ticket(
    city, hotline, worker_a, leader_a, django_capture_on_commit_callbacks
):
    ticket, _member = accepted(city, hotline, "food")
    link = services.start_field_task(
        actor=hotline.street_officer, ticket=ticket, kind="follow_up_visit", person=city.person_a
    )
    task = Task.objects.get(pk=link.target_id)
    assert (task.source, task.source_ref) == ("hotline", ticket.number)
    fieldwork.assign(actor=leader_a, task=task, assignee=worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        fieldwork.complete(actor=worker_a, task=task, note="已上门查看")
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED and "已上门查看" in ticket.reply


def test_a_decided_health_code_appeal_resolves_the_ticket(
    city, hotline, officer, worker_a, django_capture_on_commit_callbacks
):
    ticket, _member = accepted(city, hotline, "health_code")
    fact = fever_clinic_fact(worker_a, city.person_a)
    link = services.start_appeal(
        actor=hotline.street_officer,
        ticket=ticket,
        person=city.person_a,
        fact=fact,
        reason="当天在外地",
    )
    appeal = city.person_a.appeals.get(pk=link.target_id)
    assert ticket.number in appeal.reason
    with django_capture_on_commit_callbacks(execute=True):
        health.decide_appeal(actor=officer, appeal=appeal, accept=True, note="核实为误录")
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED and "申诉已采纳" in ticket.reply


def test_only_the_unit_or_an_operator_starts_work_and_only_where_they_may(city, hotline):
    ticket, _member = accepted(city, hotline, "food")
    with pytest.raises(PermissionDenied):
        services.start_supply_request(
            actor=hotline.health_officer,
            ticket=ticket,
            household=city.household_a,
            draft=insulin(),
        )
    # An operator holds no right to make supply requests: supplies refuses.
    with pytest.raises(PermissionDenied):
        services.start_supply_request(
            actor=hotline.operator, ticket=ticket, household=city.household_a, draft=insulin()
        )
    assert not ticket.links.exists()

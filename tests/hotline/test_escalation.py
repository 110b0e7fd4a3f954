"""The escalation sweep: 80 % of the limit to the unit's supervisors, 100 % to the command
centre, once each, with an event on the ticket."""

import datetime

import pytest

from fangyi.core.areas import areas
from fangyi.hotline import services
from fangyi.hotline.models import Escalation, Ticket
from tests.hotline.support import beijing, take

pytestmark = pytest.mark.django_db

MONDAY = beijing("2026-03-09 09:00")


def test_levels_follow_the_limit_once_each(city, hotline):
    ticket = take(hotline.operator, city.building_a, received_at=MONDAY, dispatch=True)
    services.escalate_due(now=beijing("2026-03-11 12:00"))
    ticket.refresh_from_db()
    assert ticket.escalation == Escalation.NONE
    assert services.escalate_due(now=beijing("2026-03-11 12:40")) == services.SweepResult(1, 0)
    ticket.refresh_from_db()
    assert ticket.escalation == Escalation.WARNED
    assert services.escalate_due(now=beijing("2026-03-11 13:00")) == services.SweepResult(0, 0)
    assert services.escalate_due(now=beijing("2026-03-11 18:00")) == services.SweepResult(0, 1)
    ticket.refresh_from_db()
    assert ticket.escalation == Escalation.OVERDUE
    events = list(ticket.events.filter(kind="escalate").order_by("at"))
    assert [(e.level, e.unit_id, e.actor_name) for e in events] == [
        (1, hotline.team.pk, "system"),
        (2, hotline.team.pk, "system"),
    ]


def test_a_ticket_past_its_limit_at_once_goes_straight_to_the_command_centre(city, hotline):
    ticket = take(hotline.operator, city.building_a, received_at=MONDAY)
    assert services.escalate_due(now=MONDAY + datetime.timedelta(days=30)) == (
        services.SweepResult(1, 1)
    )
    ticket.refresh_from_db()
    assert ticket.escalation == Escalation.OVERDUE


def test_finished_tickets_are_not_escalated(city, hotline):
    ticket = take(hotline.operator, city.building_a, received_at=MONDAY, dispatch=True)
    services.accept(actor=hotline.street_officer, ticket=ticket)
    services.resolve(actor=hotline.street_officer, ticket=ticket, text="已办")
    assert services.escalate_due(now=MONDAY + datetime.timedelta(days=30)) == (
        services.SweepResult(0, 0)
    )


def test_escalations_reach_the_supervisor_then_the_command_centre(city, hotline):
    warned = take(hotline.operator, city.building_a, received_at=MONDAY, dispatch=True)
    services.escalate_due(now=beijing("2026-03-11 13:00"))
    assert list(services.escalated_to(hotline.street_chief)) == [warned]
    assert list(services.escalated_to(hotline.commander)) == []
    assert list(services.escalated_to(hotline.street_officer)) == []
    services.escalate_due(now=beijing("2026-03-12 09:00"))
    assert list(services.escalated_to(hotline.commander)) == [warned]


def test_the_sweep_is_a_periodic_job_of_the_area():
    hotline = next(area for area in areas() if area.name == "hotline")
    assert [job.task for job in hotline.periodic] == ["fangyi.hotline.tasks.escalate_due_task"]


@pytest.mark.tasks
@pytest.mark.django_db(transaction=True)
def test_the_task_runs_the_sweep(city, hotline):
    from fangyi.hotline.tasks import escalate_due_task

    take(hotline.operator, city.building_a, received_at=beijing("2026-01-05 09:00"))
    escalate_due_task.enqueue()
    from tests.support import run_queued_tasks

    run_queued_tasks()
    assert Ticket.objects.get().escalation == Escalation.OVERDUE


def test_a_backlog_drains_over_several_runs_the_longest_waiting_first(city, hotline):
    old = take(hotline.operator, city.building_a, received_at=beijing("2026-01-05 09:00"))
    newer = take(hotline.operator, city.building_a, received_at=beijing("2026-02-02 09:00"))
    now = beijing("2026-03-02 09:00")
    assert services.escalate_due(now=now, batch=1) == services.SweepResult(1, 1)
    old.refresh_from_db()
    newer.refresh_from_db()
    assert (old.escalation, newer.escalation) == (Escalation.OVERDUE, Escalation.NONE)
    assert services.escalate_due(now=now, batch=1) == services.SweepResult(1, 1)
    newer.refresh_from_db()
    assert newer.escalation == Escalation.OVERDUE
    assert newer.events.filter(kind="escalate").count() == 2

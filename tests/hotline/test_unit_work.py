"""The unit's work: accept or return with a reason, notes, reply, resolve."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.hotline import services
from fangyi.hotline.models import State, Ticket
from tests.hotline.support import take

pytestmark = pytest.mark.django_db


def test_accept_note_reply_and_resolve(city, hotline):
    ticket = take(hotline.operator, city.building_a, dispatch=True)
    officer = hotline.street_officer
    services.accept(actor=officer, ticket=ticket)
    services.add_note(actor=officer, ticket=ticket, note="已联系网格员")
    services.add_note(actor=hotline.commander, ticket=ticket, note="请加快办理")
    services.reply(actor=officer, ticket=ticket, text="已送米上门")
    services.resolve(actor=officer, ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    assert ticket.reply == "已送米上门"
    kinds = list(ticket.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == ["intake", "dispatch", "accept", "note", "note", "reply", "resolve"]
    assert ticket.callbacks.count() == 1


def test_a_return_goes_back_to_the_dispatchers_with_its_reason(city, hotline):
    ticket = take(hotline.operator, city.building_a, dispatch=True)
    with pytest.raises(ValidationError):
        services.return_ticket(actor=hotline.street_officer, ticket=ticket, reason=" ")
    services.return_ticket(actor=hotline.street_officer, ticket=ticket, reason="不属本街道")
    ticket.refresh_from_db()
    assert ticket.state == State.RETURNED and ticket.unit is None
    event = ticket.events.get(kind="return")
    assert event.note == "不属本街道" and event.from_state == State.DISPATCHED
    # Back in the queue: no longer the team's, dispatched again by an operator.
    assert not Ticket.objects.restrict(hotline.street_officer).filter(pk=ticket.pk).exists()
    services.dispatch(actor=hotline.operator, ticket=ticket, unit=hotline.health)
    assert ticket.state == State.DISPATCHED


def test_only_the_units_staff_work_its_tickets(city, hotline):
    ticket = take(hotline.operator, city.building_a, dispatch=True)
    for outsider in (hotline.health_officer, hotline.operator, hotline.commander):
        with pytest.raises(PermissionDenied):
            services.accept(actor=outsider, ticket=ticket)
    with pytest.raises(ValidationError):
        services.resolve(actor=hotline.street_officer, ticket=ticket, text="办好了")


def test_resolving_needs_a_reply(city, hotline):
    ticket = take(hotline.operator, city.building_a, dispatch=True)
    services.accept(actor=hotline.street_officer, ticket=ticket)
    with pytest.raises(ValidationError) as error:
        services.resolve(actor=hotline.street_officer, ticket=ticket)
    assert "text" in error.value.message_dict
    services.resolve(actor=hotline.street_officer, ticket=ticket, text="已解决")
    assert ticket.state == State.RESOLVED and ticket.reply == "已解决"


def test_a_stale_copy_cannot_move_a_ticket_twice(city, hotline):
    ticket = take(hotline.operator, city.building_a, dispatch=True)
    stale = Ticket.objects.get(pk=ticket.pk)
    services.accept(actor=hotline.street_officer, ticket=ticket)
    with pytest.raises(ValidationError):
        services.accept(actor=hotline.street_officer, ticket=stale)

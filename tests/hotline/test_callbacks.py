"""Callbacks after resolution: satisfied closes, not satisfied reopens once to the same unit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.hotline import services
from fangyi.hotline.models import Callback, State
from tests.hotline.support import take

pytestmark = pytest.mark.django_db


def resolved(city, hotline):
    ticket = take(hotline.operator, city.building_a, dispatch=True)
    services.accept(actor=hotline.street_officer, ticket=ticket)
    services.resolve(actor=hotline.street_officer, ticket=ticket, text="已送达")
    return ticket, Callback.objects.get(ticket=ticket, state="pending")


def test_satisfied_closes_the_ticket(city, hotline):
    ticket, callback = resolved(city, hotline)
    services.record_callback(actor=hotline.operator, callback=callback, result="basically")
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    assert ticket.events.filter(kind="callback", note="基本满意").exists()


def test_not_satisfied_reopens_once_to_the_same_unit_with_the_reason(city, hotline):
    ticket, callback = resolved(city, hotline)
    with pytest.raises(ValidationError):
        services.record_callback(actor=hotline.operator, callback=callback, result="not_satisfied")
    services.record_callback(
        actor=hotline.operator, callback=callback, result="not_satisfied", note="米没送到"
    )
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED and ticket.unit == hotline.team
    assert ticket.reopen_count == 1 and ticket.escalation == 0
    assert ticket.events.get(kind="reopen").note == "米没送到"
    services.accept(actor=hotline.street_officer, ticket=ticket)
    services.resolve(actor=hotline.street_officer, ticket=ticket, text="补送了")
    second = Callback.objects.get(ticket=ticket, state="pending")
    services.record_callback(
        actor=hotline.operator, callback=second, result="not_satisfied", note="还是不满意"
    )
    ticket.refresh_from_db()
    # Once only: the second "not satisfied" is recorded and the ticket closes.
    assert ticket.state == State.CLOSED and ticket.reopen_count == 1


def test_only_operators_call_back_and_only_once(city, hotline):
    _ticket, callback = resolved(city, hotline)
    with pytest.raises(PermissionDenied):
        services.record_callback(
            actor=hotline.street_officer, callback=callback, result="satisfied"
        )
    services.record_callback(actor=hotline.operator, callback=callback, result="satisfied")
    with pytest.raises(ValidationError):
        services.record_callback(actor=hotline.operator, callback=callback, result="satisfied")

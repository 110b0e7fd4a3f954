"""Who sees which tickets: a unit's staff their unit's, operators all, and psychological help
only the operators and the unit handling it."""

import pytest

from fangyi.hotline import services
from fangyi.hotline.models import Callback, Ticket
from tests.factories import staff
from tests.hotline.support import take

pytestmark = pytest.mark.django_db


def seen(user) -> set:
    return set(Ticket.objects.restrict(user).values_list("number", flat=True))


def test_a_unit_sees_its_tickets_only_and_operators_see_all(city, hotline):
    food = take(hotline.operator, city.building_a, "food", dispatch=True)
    medical = take(hotline.operator, city.building_a, "medical", dispatch=True)
    waiting = take(hotline.operator, city.building_b, "food")
    assert seen(hotline.street_officer) == {food.number}
    assert seen(hotline.health_officer) == {medical.number}
    assert seen(hotline.operator) == {food.number, medical.number, waiting.number}
    assert seen(hotline.commander) == {food.number, medical.number, waiting.number}
    # An officer of the street who is in no unit sees none of the street's tickets.
    assert seen(staff("officer", city.street, username="another_officer")) == set()


def test_psychological_help_is_hidden_from_everyone_but_operators_and_its_unit(city, hotline):
    ticket = take(
        hotline.operator,
        city.building_a,
        "psychological",
        description="隔离中情绪很差，睡不着",
        dispatch=True,
    )
    assert ticket.confidential and ticket.unit == hotline.health
    assert ticket.number in seen(hotline.operator)
    assert ticket.number in seen(hotline.health_officer)
    for other in (hotline.commander, hotline.city_admin, hotline.street_officer):
        assert ticket.number not in seen(other)
    # Not even the grid worker who took it in sees it in a list afterwards.
    worker = staff("grid_worker", city.grid_a, username="intake_worker")
    own = services.intake(
        actor=worker,
        channel="grid",
        category=ticket.category,
        region=city.building_a,
        description="需要心理疏导",
    )
    assert own.number not in seen(worker)
    services.accept(actor=hotline.health_officer, ticket=ticket)
    services.resolve(actor=hotline.health_officer, ticket=ticket, text="已安排心理咨询师")
    callbacks = Callback.objects.filter(ticket=ticket)
    assert callbacks.restrict(hotline.operator).count() == 1
    assert callbacks.restrict(hotline.commander).count() == 0


def test_the_unit_loses_sight_of_a_ticket_it_returned(city, hotline):
    ticket = take(hotline.operator, city.building_a, dispatch=True)
    services.return_ticket(actor=hotline.street_officer, ticket=ticket, reason="不归我们")
    assert ticket.number not in seen(hotline.street_officer)
    assert ticket.number in seen(hotline.operator)


def test_the_other_city_is_out_of_reach(city, hotline):
    from tests.factories import region

    xiamen = region("350200", "厦门市", 2, city.province)
    ticket = take(hotline.admin, xiamen, address="厦门某地")
    assert ticket.number not in seen(hotline.operator)
    assert ticket.number not in seen(hotline.commander)

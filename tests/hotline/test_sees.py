"""models.sees answers, for a ticket in hand, what Ticket.objects.restrict answers in SQL: the
intake's answer relies on it to show the new ticket and its suggested duplicates."""

import pytest

from fangyi.accounts.models import User
from fangyi.core.permissions import ADD, CHANGE, GRID_WORKER, VIEW
from fangyi.hotline import services
from fangyi.hotline.models import Ticket, sees
from fangyi.regions.models import Level
from tests.factories import UserFactory, region, staff
from tests.hotline.support import take

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(city, hotline, worker_a, worker_b):
    """Tickets of every kind that decides who sees them: by operators and by a grid worker,
    confidential or not, with the street's team, the health commission or no unit, in the
    city's grids and in another district."""
    other = region("350103", "台江区", Level.DISTRICT, city.city)
    made = [
        take(hotline.operator, city.building_a, dispatch=True),
        take(hotline.operator, city.building_b, "medical", dispatch=True),
        take(hotline.operator, city.building_a, "psychological", dispatch=True),
        take(hotline.operator, other, "psychological"),
        take(hotline.operator, other),
        take(worker_a, city.building_a),
        take(worker_a, city.building_a, "psychological"),
        take(worker_b, city.building_b, "medical"),
    ]
    services.dispatch(actor=hotline.operator, ticket=made[-1], unit=hotline.team)
    return made


def test_sees_agrees_with_the_restricted_queryset(city, hotline, tickets, worker_a, leader_b):
    inactive_root = UserFactory(username="gone_root", is_superuser=True, is_active=False)
    nobody = UserFactory(username="no_roles")
    elsewhere = staff(GRID_WORKER, region("350104", "仓山区", Level.DISTRICT, city.city))
    users = [
        hotline.admin,
        hotline.operator,
        hotline.commander,
        hotline.street_officer,
        hotline.street_chief,
        hotline.health_officer,
        hotline.city_admin,
        worker_a,
        leader_b,
        inactive_root,
        nobody,
        elsewhere,
        None,
    ]
    compared = 0
    for action in (VIEW, ADD, CHANGE):
        for who in users:
            for ticket in Ticket.objects.all():
                # A fresh user each time: nothing cached from an earlier answer.
                user = User.objects.get(pk=who.pk) if who is not None else None
                in_sql = Ticket.objects.restrict(user, action).filter(pk=ticket.pk).exists()
                user = User.objects.get(pk=who.pk) if who is not None else None
                assert sees(user, ticket, action) == in_sql, (
                    getattr(who, "username", None),
                    action,
                    ticket.number,
                )
                compared += 1
    # Both answers occur, so the comparison means something.
    assert compared == 3 * len(users) * len(tickets)
    answers = {sees(User.objects.get(pk=u.pk), t) for u in users if u for t in tickets}
    assert answers == {True, False}

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from fangyi.checkpoints import services
from fangyi.checkpoints.models import CheckIn, Venue
from fangyi.portal.auth import SESSION_KEY
from tests.factories import staff


@pytest.fixture
def guard_a(city):
    return staff("checkpoint", city.grid_a, username="guard_a")


@pytest.fixture
def venue_a(city, leader_a):
    return services.create_venue(
        actor=leader_a, name="三坊超市", kind="supermarket", region=city.grid_a, address="东街1号"
    )


@pytest.fixture
def venue_b(city, leader_b):
    return services.create_venue(
        actor=leader_b, name="七巷菜市场", kind="market", region=city.grid_b, address="东街9号"
    )


def resident_client(person) -> Client:
    """A browser logged in through the portal: the session holds the resident's id."""
    client = Client()
    session = client.session
    session[SESSION_KEY] = str(person.pk)
    session.save()
    return client


def visit(person, venue: Venue, at: datetime.datetime) -> CheckIn:
    return CheckIn.objects.create(person=person, venue=venue, at=at, colour="green")


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)

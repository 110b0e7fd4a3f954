import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.supplies import services
from fangyi.supplies.clocks import clock
from fangyi.supplies.models import KindLimit
from tests.factories import staff

from .support import medicine_draft

T0 = datetime.datetime(2026, 1, 5, 8, 0, tzinfo=datetime.UTC)


def at(minutes: float) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("minutes", "colour"),
    [
        (0, "green"),
        (539, "green"),
        (539.99, "green"),
        (540, "amber"),  # three quarters of 12 hours
        (719, "amber"),
        (720, "amber"),  # at the limit itself, not past it
        (720.01, "red"),
        (2000, "red"),
    ],
)
def test_a_twelve_hour_clock_at_its_boundaries(minutes, colour):
    assert clock(submitted_at=T0, due_at=at(720), now=at(minutes)) == colour


@pytest.mark.django_db
def test_default_limits_are_twelve_hours_for_medicine_a_day_for_food_an_hour_for_a_trip():
    assert services.limit_of("medicine") == datetime.timedelta(hours=12)
    assert services.limit_of("package") == datetime.timedelta(hours=24)
    assert services.limit_of("hospital_trip") == datetime.timedelta(hours=1)


@pytest.mark.django_db
def test_a_request_is_due_by_its_kinds_limit_in_force_when_made(city, worker_a):
    made = services.submit(actor=worker_a, household=city.household_a, draft=medicine_draft())
    assert made.due_at - made.submitted_at == datetime.timedelta(hours=12)
    trip = services.submit(
        actor=worker_a,
        household=city.household_a,
        draft=services.Draft(kind="hospital_trip", notes="透析，去省立医院"),
    )
    assert trip.due_at - trip.submitted_at == datetime.timedelta(hours=1)


@pytest.mark.django_db
def test_a_city_administrator_sets_a_limit_and_an_officer_of_a_street_cannot(city, officer):
    admin = staff("admin", city.city)
    with pytest.raises(PermissionDenied):
        services.set_limit(actor=officer, kind="medicine", minutes=360)
    with pytest.raises(ValidationError):
        services.set_limit(actor=admin, kind="medicine", minutes=0)
    with pytest.raises(ValidationError):
        services.set_limit(actor=admin, kind="nothing", minutes=60)
    services.set_limit(actor=admin, kind="medicine", minutes=360)
    assert KindLimit.objects.get(kind="medicine").minutes == 360
    assert services.limit_of("medicine") == datetime.timedelta(hours=6)
    services.set_limit(actor=admin, kind="medicine", minutes=240)
    assert services.limit_of("medicine") == datetime.timedelta(hours=4)

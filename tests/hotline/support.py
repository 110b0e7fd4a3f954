"""What the hotline tests share: a city's hotline (an operator, a street team, a health
department, the rules between them) and tickets taken in through the service."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from fangyi.core.permissions import ADMIN, COMMANDER, OFFICER
from fangyi.health import services as health
from fangyi.health.models import FactKind
from fangyi.hotline import services
from fangyi.hotline.area import OPERATOR
from fangyi.hotline.models import Category
from tests.factories import UserFactory, staff


def hotline_of(city) -> SimpleNamespace:
    """An operator and a commander for the city; the street's team (an officer of the street
    and their supervisor) gets every ticket by the place's street, the city's health
    commission (one officer of the city) medical and psychological help."""
    admin = UserFactory(username="hotline_root", is_superuser=True)
    operator = staff(OPERATOR, city.city, username="operator")
    commander = staff(COMMANDER, city.city, username="hotline_commander")
    street_officer = staff(OFFICER, city.street, username="street_officer")
    street_chief = staff(OFFICER, city.street, username="street_chief")
    health_officer = staff(OFFICER, city.city, username="health_officer")
    city_admin = staff(ADMIN, city.city, username="city_admin")
    team = services.create_unit(
        actor=admin,
        code="dongjie",
        name="东街街道专班",
        kind="street",
        region=city.street,
        members=[street_officer],
        supervisors=[street_chief],
    )
    health = services.create_unit(
        actor=admin,
        code="health",
        name="市卫健委",
        kind="department",
        region=city.city,
        members=[health_officer],
    )
    services.create_rule(actor=admin, region=city.city, place_level="street")
    services.create_rule(actor=admin, region=city.city, category=category("medical"), unit=health)
    services.create_rule(
        actor=admin, region=city.city, category=category("psychological"), unit=health
    )
    return SimpleNamespace(
        admin=admin,
        operator=operator,
        commander=commander,
        street_officer=street_officer,
        street_chief=street_chief,
        health_officer=health_officer,
        city_admin=city_admin,
        team=team,
        health=health,
    )


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def take(actor, region, code: str = "food", *, dispatch=False, **kwargs):
    """A ticket taken in by phone about `region`."""
    kwargs.setdefault("description", "家里没有米了，请帮忙。")
    return services.intake(
        actor=actor,
        channel="phone",
        category=category(code),
        region=region,
        dispatch_now=dispatch,
        **kwargs,
    )


def beijing(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(
        tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )


def fever_clinic_fact(actor, person):
    """A fever-clinic visit six hours ago: a fact behind a colour, for an appeal to contest."""
    return health.record_fact(
        actor=actor,
        source="manual",
        person=person,
        kind=FactKind.FEVER_CLINIC_VISIT,
        occurred_at=timezone.now() - datetime.timedelta(hours=6),
    )

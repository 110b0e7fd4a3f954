"""What the investigation tests share: cases, investigators and contacts of the `city`."""

import datetime

from django.utils import timezone

from fangyi.health import services as health
from fangyi.investigations import services
from tests.factories import HouseholdFactory, PersonFactory, staff


def hours_ago(n: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=n)


def investigator(region, username="investigator"):
    return staff("investigator", region, username=username)


def resident(building, **kwargs):
    return PersonFactory(household=HouseholdFactory(building=building), **kwargs)


def make_case(person, *, actor, at=None, kind="test_result"):
    """Records a positive result (or a confirmation) for `person`."""
    extra = {"outcome": "positive", "variant": "single"} if kind == "test_result" else {}
    return health.record_fact(
        actor=actor,
        source="manual",
        person=person,
        kind=kind,
        occurred_at=at or hours_ago(3),
        **extra,
    )


def opened(person, *, actor, at=None):
    make_case(person, actor=actor, at=at)
    investigation, _created = services.open_investigation(actor=actor, person=person)
    return investigation


def contact_of(investigation, person, *, actor, category="close", at=None):
    return services.record_contact(
        actor=actor,
        investigation=investigation,
        category=category,
        exposure_at=at or hours_ago(30),
        person=person,
    )

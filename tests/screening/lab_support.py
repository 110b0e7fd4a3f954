"""What the lab tests share: a lab user, and closed tubes filled through the batch service."""

import datetime

from django.utils import timezone

from fangyi.screening.lab.services import ResultInput
from fangyi.screening.models import Tube
from fangyi.screening.sampling import batches
from tests.factories import HouseholdFactory, PersonFactory, staff


def lab_user(city, username="lab"):
    return staff("lab", city.city, username=username)


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def filled_tube(sampler, site, barcode, persons, *, minutes_ago=30) -> Tube:
    """A tube holding exactly these persons, closed: its pool size is their number (1, 5, 10
    or 20, the sizes a campaign allows by default)."""
    batches.record_samples(
        actor=sampler,
        items=[
            batches.SampleInput(
                tube=barcode,
                persons=[person.pk for person in persons],
                site=site,
                sampled_at=ago(minutes=minutes_ago),
                pool_size=len(persons),
            )
        ],
    )
    return Tube.objects.get(barcode=barcode)


def residents(city, count, building=None):
    household = HouseholdFactory(building=building or city.building_a)
    return [PersonFactory(household=household) for _ in range(count)]


def result(barcode, outcome, **fields) -> ResultInput:
    return ResultInput(
        **({"barcode": barcode, "result": outcome, "tested_at": ago(minutes=5)} | fields)
    )

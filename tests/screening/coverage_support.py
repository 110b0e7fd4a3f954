"""What the coverage, missing-list and home-task tests share: a round in the small city with a
few more residents, samples recorded through the batch service, results written as the lab
would leave them."""

import datetime
from types import SimpleNamespace

from django.core.cache import cache
from django.utils import timezone

from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.coverage import services as coverage
from fangyi.screening.models import Sample, Tube
from fangyi.screening.sampling import batches
from tests.factories import HouseholdFactory, PersonFactory

ELDERLY_BIRTH = datetime.date(1940, 3, 1)


def record(sampler, site, barcode: str, persons, *, minutes_ago: int = 5, pool_size=None) -> None:
    """One tube's samples, as a sampling device uploads them."""
    batches.record_samples(
        actor=sampler,
        items=[
            batches.SampleInput(
                tube=barcode,
                persons=[person.pk for person in persons],
                site=site,
                sampled_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
                pool_size=pool_size,
            )
        ],
    )


def result(barcode: str, outcome: str) -> None:
    """The lab's result on the tube, copied onto its samples."""
    Tube.objects.filter(barcode=barcode).update(state="resulted", result=outcome)
    Sample.objects.filter(tube__barcode=barcode).update(result=outcome, in_open_tube=False)


def rows(round, user, **kwargs) -> dict:
    """round_coverage by region code, counted afresh."""
    cache.clear()
    return {row.code: row for row in coverage.round_coverage(round, user=user, **kwargs)}


def numbers(row) -> tuple:
    return (row.expected, row.sampled, row.resulted, row.positive)


def residents(city, officer, campaign, round) -> SimpleNamespace:
    """Building A gets three more residents present, one away and one exempted."""
    household = HouseholdFactory(building=city.building_a, room="102")
    more = SimpleNamespace(
        first=PersonFactory(household=household, name="赵一"),
        second=PersonFactory(household=household, name="钱二"),
        third=PersonFactory(household=household, name="孙三"),
        away=PersonFactory(household=household, name="周四", residence_status="away"),
        exempted=PersonFactory(household=household, name="吴五"),
    )
    campaign_services.exempt_person(
        actor=officer, campaign=campaign, person=more.exempted, reason="住院", round=round
    )
    return more

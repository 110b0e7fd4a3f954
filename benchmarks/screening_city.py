"""What the screening benchmarks share: a campaign over the whole seeded city with one round
and a sampling site per district, and residents in the order a queue brings them. Imported
after django.setup() by the scripts beside it."""

import datetime

from django.utils import timezone

from fangyi.people.models import Person, ResidenceStatus
from fangyi.regions.models import Level, Region
from fangyi.screening.campaigns import services as campaign_services


def city_campaign(
    admin, *, name: str, started_hours_ago: int, site_name: str, pool_size: int = 10
) -> tuple:
    """A campaign over the city whose one 24-hour round started that long ago, and a site per
    district (`site_name` after the district's name) that no queue overflows."""
    city = Region.objects.get(level=Level.CITY)
    districts = list(Region.objects.filter(level=Level.DISTRICT).order_by("path"))
    campaign = campaign_services.create_campaign(
        actor=admin, name=name, regions=[city], default_pool_size=pool_size
    )
    now = timezone.now()
    screening_round = campaign_services.add_round(
        actor=admin,
        campaign=campaign,
        starts_at=now - datetime.timedelta(hours=started_hours_ago),
        deadline=now + datetime.timedelta(hours=24 - started_hours_ago),
    )
    sites = [
        campaign_services.create_site(
            actor=admin,
            campaign=campaign,
            region=district,
            name=f"{district.name}{site_name}",
            capacity_per_hour=100_000,
        )
        for district in districts
    ]
    return campaign, screening_round, sites


def residents_in_queue_order(*, present_only: bool = True, limit: int | None = None) -> list:
    """(person id, region path) household by household in region order, as a queue would
    bring them; with `present_only`, without those away."""
    persons = Person.objects.all()
    if present_only:
        persons = persons.exclude(residence_status=ResidenceStatus.AWAY)
    rows = persons.order_by("region_path", "household_id", "id").values_list("pk", "region_path")
    return list(rows[:limit] if limit is not None else rows)

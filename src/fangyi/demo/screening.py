"""A demo screening campaign in the first community: a round running now, a site in the first
grid with the demo sampler, most residents sampled in tubes of ten, and most tubes back from
the lab with one positive pool, so that coverage, the missing list, the lab screen and retest
tasks all have something to show.

Everything goes through the services (the officer creates, the sampler's device uploads, the
lab reports), as the real flow would. It is made once: the campaign is matched by name.
"""

import dataclasses
import datetime

from django.utils import timezone

from fangyi.accounts.models import User
from fangyi.core import permissions
from fangyi.regions.models import Level
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.lab import services as lab
from fangyi.screening.models import Campaign, TubeState
from fangyi.screening.sampling import batches

from .staff import _first_region

NAME = "全员核酸检测（演示）"
SAMPLED_SHARE = 0.7
RESULTED_SHARE = 0.8
POOL = 10


@dataclasses.dataclass
class ScreeningSeed:
    created: bool
    samples: int = 0
    tubes: int = 0
    resulted: int = 0


def seed_screening(*, now: datetime.datetime | None = None) -> ScreeningSeed:
    """Needs the demo city and the demo staff (officer, sampler, lab)."""
    if Campaign.objects.filter(name=NAME).exists():
        return ScreeningSeed(created=False)
    now = now or timezone.now()
    community = _first_region(Level.COMMUNITY)
    grid = _first_region(Level.GRID)
    officer = User.objects.get(username=permissions.OFFICER)
    sampler = User.objects.get(username=permissions.SAMPLER)
    lab_user = User.objects.get(username=permissions.LAB)
    campaign = campaign_services.create_campaign(
        actor=officer, name=NAME, regions=[community], default_pool_size=POOL
    )
    current = campaign_services.add_round(
        actor=officer,
        campaign=campaign,
        starts_at=now - datetime.timedelta(hours=3),
        deadline=now + datetime.timedelta(hours=21),
    )
    site = campaign_services.create_site(
        actor=officer,
        campaign=campaign,
        region=grid,
        name=f"{grid.name}采样点",
        capacity_per_hour=600,
        opening_hours="07:00-22:00",
        samplers=[sampler],
    )
    # The queue comes household by household; the last of the community have not come yet.
    queue = list(
        campaign_services.expected_persons(current)
        .order_by("region_path", "household_id", "id")
        .values_list("pk", flat=True)
    )
    sampled = queue[: int(len(queue) * SAMPLED_SHARE)]
    tubes = [sampled[start : start + POOL] for start in range(0, len(sampled), POOL)]
    # Swabs spread over two hours since the site opened, and the last tubes at the lab by now.
    swabbed = now - datetime.timedelta(hours=2, minutes=50)
    step = datetime.timedelta(hours=2) / max(len(tubes), 1)
    items = [
        batches.SampleInput(
            tube=f"DEMO-{index + 1:06d}",
            persons=members,
            site=site,
            sampled_at=swabbed + step * index,
        )
        for index, members in enumerate(tubes)
    ]
    for start in range(0, len(items), 1000):
        batches.record_samples(actor=sampler, items=items[start : start + 1000], now=now)
    closed = list(
        campaign.sites.get()
        .tubes.filter(state=TubeState.CLOSED)
        .order_by("barcode")
        .values_list("barcode", flat=True)
    )
    back = closed[: int(len(closed) * RESULTED_SHARE)]
    tested = now - datetime.timedelta(minutes=10)
    results = [
        lab.ResultInput(
            barcode=barcode,
            result="positive" if index == 3 else "negative",
            tested_at=tested,
            ct_value=31.5 if index == 3 else None,
        )
        for index, barcode in enumerate(back)
    ]
    lab.record_results(actor=lab_user, items=results, now=now)
    return ScreeningSeed(created=True, samples=len(sampled), tubes=len(tubes), resulted=len(back))

"""Demo venues in the checkpoint login's community and the first grid, and a few days of
residents' check-ins at them, so the venue pages and the colocated query have something to show.

Venues go through the service (as the demo street officer, audited like any other); the
check-ins are bulk rows, as a seed is not residents scanning. Both are made once: venues are
matched by name, and check-ins are only added while the demo venues have none.
"""

import dataclasses
import datetime
import random
import uuid

from django.db import transaction
from django.utils import timezone

from fangyi.accounts.models import User
from fangyi.checkpoints.models import CheckIn, Venue, VenueKind
from fangyi.checkpoints.services import create_venue
from fangyi.core import permissions
from fangyi.core.paths import under
from fangyi.health.models import Colour, Status
from fangyi.people.models import Person
from fangyi.regions.models import Level, Region

from .residents import demo_resident
from .staff import _first_region

# (name after the community's stem, kind, address after the stem); the community's own.
COMMUNITY_VENUES = [
    ("社区北门", VenueKind.COMPOUND_GATE, "路1号"),
    ("菜市场", VenueKind.MARKET, "路18号"),
    ("超市", VenueKind.SUPERMARKET, "路26号"),
    ("社区卫生服务站", VenueKind.HOSPITAL, "路9号"),
]
# The first grid's, named after its compound.
GRID_VENUES = [
    ("苑东门", VenueKind.COMPOUND_GATE, "苑1号楼东侧"),
    ("苑便利店", VenueKind.SUPERMARKET, "苑3号楼底商"),
]
# A million residents must not mean a million check-ins: visitors come from the front of the
# community, by path, and stop here.
MAX_VISITORS = 2000
VISITS_PER_VISITOR = (1, 4)
DAYS = 4
OPEN_HOURS = (7, 21)


@dataclasses.dataclass
class CheckpointSeed:
    venues: int
    venues_created: int
    checkins_created: int


def _stem(community: Region) -> str:
    return community.name.removesuffix("社区")


def _wanted(community: Region, grid: Region) -> list[tuple[str, VenueKind, Region, str]]:
    stem = _stem(community)
    wanted = [
        (stem + suffix, kind, community, stem + address)
        for suffix, kind, address in COMMUNITY_VENUES
    ]
    wanted += [
        (stem + suffix, kind, grid, f"{grid.name} {stem}{address}")
        for suffix, kind, address in GRID_VENUES
    ]
    return wanted


def _visitors(community: Region) -> list[uuid.UUID]:
    rows = list(
        Person.objects.filter(under("region_path", community.path))
        .order_by("region_path", "id")
        .values_list("id", flat=True)[:MAX_VISITORS]
    )
    resident = demo_resident()
    # The portal's demo resident should find visits of their own (and contacts) too.
    if resident is not None and resident.pk not in rows:
        rows.append(resident.pk)
    return rows


def _visit_time(rng: random.Random, now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now)
    day = local.date() - datetime.timedelta(days=rng.randrange(DAYS))
    minute = rng.randrange(OPEN_HOURS[0] * 60, OPEN_HOURS[1] * 60)
    at = datetime.datetime.combine(day, datetime.time(minute // 60, minute % 60), local.tzinfo)
    at += datetime.timedelta(seconds=rng.randrange(60))
    # Today's visits can only have happened already.
    return at if at <= now else at - datetime.timedelta(days=DAYS)


def seed_checkpoints(*, seed: int = 1, now: datetime.datetime | None = None) -> CheckpointSeed:
    """Creates the missing demo venues and, while they have none, their check-ins.

    Needs the demo city and the demo staff (the officer registers the venues).
    """
    now = now or timezone.now()
    community = _first_region(Level.COMMUNITY)
    grid = _first_region(Level.GRID)
    officer = User.objects.get(username=permissions.OFFICER)
    wanted = _wanted(community, grid)
    with transaction.atomic():
        existing = {
            (venue.name, venue.region_id): venue
            for venue in Venue.objects.filter(region__in=[community, grid])
        }
        venues = []
        created = 0
        for name, kind, region, address in wanted:
            venue = existing.get((name, region.pk))
            if venue is None:
                venue = create_venue(
                    actor=officer, name=name, kind=kind, region=region, address=address
                )
                created += 1
            venues.append(venue)
        checkins = 0
        if not CheckIn.objects.filter(venue__in=venues).exists():
            checkins = _add_checkins(venues, _visitors(community), random.Random(seed), now)
    return CheckpointSeed(len(venues), created, checkins)


def _add_checkins(venues, visitors, rng: random.Random, now: datetime.datetime) -> int:
    colours = dict(Status.objects.filter(person_id__in=visitors).values_list("person_id", "colour"))
    rows = []
    for person_id in visitors:
        colour = colours.get(person_id, Colour.GREEN)
        for _ in range(rng.randint(*VISITS_PER_VISITOR)):
            rows.append(
                CheckIn(
                    person_id=person_id,
                    venue=rng.choice(venues),
                    at=_visit_time(rng, now),
                    colour=colour,
                )
            )
    CheckIn.objects.bulk_create(rows, batch_size=1000)
    return len(rows)

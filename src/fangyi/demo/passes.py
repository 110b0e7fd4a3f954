"""Demo couriers' passes: four couriers, drivers and volunteers whitelisted by the demo street
officer over the officer's first community, three tested negative within the last 30 hours and
one whose last negative test is over 60 hours old (or who has none), so the checkpoint page shows a pass refused for it.

Residents of the street with a mobile of their own and no isolation order, green ones first (a small demo city may lie
wholly in the demo zones), so that each can log in to the portal and see their pass
(/passes/mine/); never the portal's demo resident. Everything goes through the services as the
officer. Made once: nothing is added while the demo passes exist.
"""

import dataclasses
import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fangyi.accounts.models import User
from fangyi.core import permissions
from fangyi.core.paths import under
from fangyi.health import services as health
from fangyi.health.models import Colour, Fact, FactKind, Status, TestOutcome
from fangyi.isolation.models import Order
from fangyi.passes import services
from fangyi.passes.models import SupplyPass
from fangyi.people.models import Person
from fangyi.regions.models import Level

from .residents import demo_resident
from .staff import _first_region

# (role, organisation, plate, hours since the last negative test the seed records; the last
# courier gets none, and is chosen among those whose last one is older than STALE_HOURS)
COURIERS = [
    ("courier", "闽运快递", "", 6),
    ("driver", "永辉保供车队", "闽A3K629", 20),
    ("volunteer", "三坊七巷志愿队", "", 30),
    ("courier", "鼓楼生鲜配送", "闽AD52718", None),
]
STALE_HOURS = 60
SOURCE = "demo"


@dataclasses.dataclass
class PassSeed:
    passes: int
    # The demo couriers' mobiles, to log in to the portal and see their pass.
    phones: list[str]


def _first(people, count: int, green) -> list[Person]:
    found = list(people.filter(pk__in=green).order_by("id")[:count])
    if len(found) < count:
        found += people.exclude(pk__in=green).order_by("id")[: count - len(found)]
    return found


def _couriers(street, now: datetime.datetime) -> list[Person]:
    """Three couriers, then one with no negative test in the last 60 hours (whom the seed
    gives none)."""
    within = under("region_path", street.path)
    shared = (
        Person.objects.filter(within)
        .exclude(phone="")
        .values("phone")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("phone")
    )
    # Not anyone under an isolation order: a test recorded for the demo would change what the
    # isolation demo shows (an overdue release made ready).
    people = (
        Person.objects.filter(within)
        .exclude(phone="")
        .exclude(phone__in=shared)
        .exclude(pk__in=Order.objects.values("person_id"))
    )
    spared = demo_resident()
    if spared is not None:
        people = people.exclude(pk=spared.pk)
    green = Status.objects.filter(within, colour=Colour.GREEN).values("person_id")
    tested = Fact.objects.filter(
        within,
        kind=FactKind.TEST_RESULT,
        outcome=TestOutcome.NEGATIVE,
        occurred_at__gt=now - datetime.timedelta(hours=STALE_HOURS),
    ).values("person_id")
    stale = _first(people.exclude(pk__in=tested), 1, green)
    return _first(people.exclude(pk__in=[p.pk for p in stale]), len(COURIERS) - 1, green) + stale


def seed_passes(*, now: datetime.datetime | None = None) -> PassSeed:
    """Whitelists the demo couriers once. Needs the demo city and the demo officer."""
    now = now or timezone.now()
    street = _first_region(Level.STREET)
    community = _first_region(Level.COMMUNITY)
    officer = User.objects.get(username=permissions.OFFICER)
    demo = SupplyPass.objects.filter(region=street, created_by=officer)
    with transaction.atomic():
        if not demo.exists():
            people = _couriers(street, now)
            today = timezone.localdate(now)
            for person, (role, organisation, plate, hours) in zip(people, COURIERS, strict=False):
                if hours is not None:
                    health.record_fact(
                        actor=officer,
                        source=SOURCE,
                        person=person,
                        kind="test_result",
                        outcome="negative",
                        variant="single",
                        occurred_at=now - datetime.timedelta(hours=hours),
                    )
                services.create_pass(
                    actor=officer,
                    person=person,
                    region=street,
                    areas=[community],
                    role=role,
                    organisation=organisation,
                    plate=plate,
                    valid_from=today,
                    valid_until=today + datetime.timedelta(days=30),
                )
    return PassSeed(
        passes=demo.count(),
        phones=list(demo.order_by("created_at").values_list("person__phone", flat=True)),
    )

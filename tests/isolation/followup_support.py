"""People under running orders for the follow-up tests, made directly with the models: the
orders' own services are another part's, and follow-up never changes an order's state."""

import datetime

from django.utils import timezone

from fangyi.health.models import Policy
from fangyi.isolation.models import Order, OrderReason, OrderState, Room, Site
from fangyi.portal.models import Guardianship


def quarantine_site(region, name: str = "隔离酒店") -> Site:
    return Site.objects.create(
        name=name, address="1号", region=region, region_path=region.path, phone=""
    )


def room(site: Site, number: str = "101", capacity: int = 2) -> Room:
    return Room.objects.create(site=site, number=number, capacity=capacity)


def running_order(
    person,
    *,
    site: Site | None = None,
    room: Room | None = None,
    kind: str | None = None,
    started_at: datetime.datetime | None = None,
    term_days: int = 7,
    test_days: list[int] | None = None,
    state: str = OrderState.ACTIVE,
) -> Order:
    """An order as the orders' services leave it once the person is placed."""
    started_at = started_at or timezone.now() - datetime.timedelta(days=2)
    return Order.objects.create(
        person=person,
        household=person.household,
        region_path=person.region_path,
        kind=kind or ("centralised" if site else "home"),
        reason=OrderReason.CLOSE_CONTACT,
        policy=Policy.objects.get(in_force=True),
        term_days=term_days,
        test_days=test_days if test_days is not None else [1, 4, 7],
        site=site,
        room=room,
        state=state,
        started_at=started_at,
        planned_end_at=started_at + datetime.timedelta(days=term_days),
    )


def local_midnight() -> datetime.datetime:
    """The start of today, local time."""
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))


def days_ago(n: int) -> datetime.datetime:
    """The start of an order begun `n` local days ago, at 09:00."""
    day = timezone.localdate() - datetime.timedelta(days=n)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def look_after(holder, dependant) -> Guardianship:
    """A guardianship a grid worker has confirmed."""
    return Guardianship.objects.create(
        holder=holder,
        dependant=dependant,
        claimed_name=dependant.name,
        claimed_id_tail=dependant.id_number[-4:],
        claimed_key=f"key-{dependant.pk}",
        relation="child",
        state=Guardianship.State.CONFIRMED,
        decided_at=timezone.now(),
        region_path=dependant.region_path,
    )


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

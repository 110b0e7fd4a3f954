"""A demo investigation with a three-generation chain, through the services, once.

The demo investigator (a login of the first district) records a positive result for a resident
of the first community, opens the investigation, adds a place (its market) and records
contacts: two residents, and one who is not registered (a task to locate them in the first
grid). One contact turns positive and is investigated in turn, then one of theirs: three
generations. The first case's clocks are all
recorded; the later ones run, as a command centre sees them. It runs before the check-ins
are seeded, so that they record these residents in their new colours.
"""

import dataclasses
import datetime

from django.db import transaction
from django.utils import timezone

from fangyi.accounts.models import User
from fangyi.core import permissions
from fangyi.core.paths import under
from fangyi.core.permissions import VIEW, can
from fangyi.health import services as health
from fangyi.investigations import services
from fangyi.investigations.area import INVESTIGATION, INVESTIGATOR
from fangyi.investigations.models import Contact, Investigation
from fangyi.people.models import Person
from fangyi.regions.models import Level

from .residents import demo_resident
from .staff import _first_region


@dataclasses.dataclass
class InvestigationSeed:
    investigations: int
    contacts: int
    created: bool


def _residents(count: int) -> list[Person]:
    """Residents of the first community in households of their own, none living with the
    demo resident (who stays green for the portal)."""
    community = _first_region(Level.COMMUNITY)
    residents = Person.objects.filter(under("region_path", community.path))
    keep_out = demo_resident()
    if keep_out is not None:
        residents = residents.exclude(household=keep_out.household_id)
    chosen: list[Person] = []
    households: set = set()
    for person in residents.order_by("region_path", "id")[:200]:
        if person.household_id not in households:
            chosen.append(person)
            households.add(person.household_id)
        if len(chosen) == count:
            break
    return chosen


def _positive(actor, person: Person, minutes_ago: int) -> None:
    health.record_fact(
        actor=actor,
        source="demo",
        person=person,
        kind="test_result",
        outcome="positive",
        variant="single",
        occurred_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def seed_investigations() -> InvestigationSeed:
    """Needs the demo city and the demo staff (the street officer joins the first team)."""
    if Investigation.objects.exists():
        return InvestigationSeed(
            Investigation.objects.count(), Contact.objects.count(), created=False
        )
    with transaction.atomic():
        tracer = User.objects.get(username=INVESTIGATOR)
        officer = User.objects.get(username=permissions.OFFICER)
        first, second, bystander, third, fourth = _residents(5)
        grid = _first_region(Level.GRID)
        now = timezone.now()

        _positive(tracer, first, 50)
        root, _created = services.open_investigation(actor=tracer, person=first)
        members: list[tuple[User | None, str]] = [(tracer, "investigator")]
        if can(officer, INVESTIGATION, VIEW, root.region_path):
            members.append((officer, "police"))
        services.set_team(actor=tracer, investigation=root, members=members)
        services.update(
            actor=tracer, investigation=root, notes="居家，近三日到过社区菜市场和超市。"
        )
        services.record_contact(
            actor=tracer,
            investigation=root,
            category="close",
            exposure_at=now - datetime.timedelta(days=1),
            person=second,
            place_text="家庭聚餐",
        )
        services.record_contact(
            actor=tracer,
            investigation=root,
            category="secondary",
            exposure_at=now - datetime.timedelta(days=1),
            person=bystander,
        )
        services.record_contact(
            actor=tracer,
            investigation=root,
            category="close",
            exposure_at=now - datetime.timedelta(hours=30),
            name="赵六",
            phone="13700000007",
            address=f"{grid.name} 外来务工人员宿舍",
            region=grid,
            place_text="菜市场",
        )
        services.add_place(
            actor=tracer,
            investigation=root,
            description="社区菜市场",
            start=now - datetime.timedelta(hours=30),
            end=now - datetime.timedelta(hours=29),
        )
        services.record_clock(actor=tracer, investigation=root, stage="report", at=timezone.now())
        services.record_transfer_arrived(actor=tracer, investigation=root, at=timezone.now())
        services.record_clock(
            actor=tracer, investigation=root, stage="consultation", at=timezone.now()
        )

        _positive(tracer, second, 30)
        child, _created = services.open_investigation(actor=tracer, person=second)
        services.record_contact(
            actor=tracer,
            investigation=child,
            category="close",
            exposure_at=now - datetime.timedelta(hours=12),
            person=third,
        )
        services.record_clock(actor=tracer, investigation=child, stage="report", at=timezone.now())

        _positive(tracer, third, 10)
        grandchild, _created = services.open_investigation(actor=tracer, person=third)
        services.record_contact(
            actor=tracer,
            investigation=grandchild,
            category="close",
            exposure_at=now - datetime.timedelta(hours=6),
            person=fourth,
        )
    return InvestigationSeed(Investigation.objects.count(), Contact.objects.count(), created=True)

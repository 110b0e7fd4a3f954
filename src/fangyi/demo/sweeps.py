"""Demo household sweep: the demo officer sweeps the city's first grid, the demo grid leader
gives its first building to the demo grid worker, and the worker has visited the building's
first households (residents confirmed) and found one door not answered twice (listed for the
community); the grid leader visited the first household again and found its first resident
away, a conflict for the community to settle; at the next door the worker wrote down a
newcomer whose ID number's check digit is wrong, which the registry refused (the sweep's list
of refused answers). Made once: nothing is added while a sweep exists."""

import dataclasses
import datetime
import uuid

from django.utils import timezone

from fangyi.accounts.models import User
from fangyi.people.models import Household, Person
from fangyi.people.validation import make_resident_id
from fangyi.regions.models import Level
from fangyi.sweeps import services
from fangyi.sweeps.models import Sweep

from .staff import _first_region

CONFIRMED = 5


@dataclasses.dataclass
class SweepsSeed:
    households: int
    visited: int
    created: bool


def seed_sweeps() -> SweepsSeed:
    existing = Sweep.objects.first()
    if existing is not None:
        return SweepsSeed(existing.household_count, existing.visit_rows.count(), False)
    officer = User.objects.get(username="officer")
    grid = _first_region(Level.GRID)
    sweep = services.start_sweep(
        actor=officer,
        title=f"{grid.name}入户排查",
        regions=[grid],
        deadline=timezone.now() + datetime.timedelta(days=3),
    )
    building = _first_region(Level.BUILDING)
    services.assign_building(
        actor=User.objects.get(username="grid_leader"),
        sweep=sweep,
        building=building,
        assignee=User.objects.get(username="grid_worker"),
    )
    households = list(Household.objects.filter(building=building).order_by("unit", "room"))
    visits = []
    at = timezone.now()
    for household in households[:CONFIRMED]:
        members = Person.objects.filter(household=household).values_list("pk", flat=True)
        visits.append(
            services.VisitInput(
                id=uuid.uuid4(),
                household_id=household.pk,
                visited_at=at,
                outcome="answered",
                answers={"members": [{"person": str(pk), "status": "here"} for pk in members]},
            )
        )
    if len(households) > CONFIRMED:
        visits += [
            services.VisitInput(
                id=uuid.uuid4(),
                household_id=households[CONFIRMED].pk,
                visited_at=at - datetime.timedelta(minutes=minutes),
                outcome="not_answered",
            )
            for minutes in (1, 0)
        ]
    if visits:
        services.upload_visits(
            actor=User.objects.get(username="grid_worker"), sweep=sweep, items=visits
        )
    again = _visited_again(households[0]) if households else None
    if again is not None:
        services.upload_visits(
            actor=User.objects.get(username="grid_leader"), sweep=sweep, items=[again]
        )
        visits.append(again)
    if len(households) > CONFIRMED + 1:
        mistyped = _newcomer_mistyped(households[CONFIRMED + 1])
        services.upload_visits(
            actor=User.objects.get(username="grid_worker"), sweep=sweep, items=[mistyped]
        )
        visits.append(mistyped)
    return SweepsSeed(sweep.household_count, len(visits), True)


def _visited_again(household: Household) -> services.VisitInput | None:
    """The leader's second visit of a household: its first member now away."""
    members = list(
        Person.objects.filter(household=household).order_by("id").values_list("pk", flat=True)
    )
    if not members:
        return None
    return services.VisitInput(
        id=uuid.uuid4(),
        household_id=household.pk,
        visited_at=timezone.now(),
        outcome="answered",
        answers={
            "members": [
                {"person": str(pk), "status": "away" if index == 0 else "here"}
                for index, pk in enumerate(members)
            ]
        },
    )


def _newcomer_mistyped(household: Household) -> services.VisitInput:
    """A visit whose newcomer the registry refuses: a synthetic ID number, last digit changed."""
    number = make_resident_id("350102", datetime.date(1990, 3, 8), 1)
    wrong = number[:17] + ("1" if number[17] == "0" else "0")
    return services.VisitInput(
        id=uuid.uuid4(),
        household_id=household.pk,
        visited_at=timezone.now(),
        outcome="answered",
        answers={"newcomers": [{"name": "林新来", "id_number": wrong, "phone": ""}]},
    )

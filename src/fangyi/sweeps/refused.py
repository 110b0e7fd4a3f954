"""The visits of a sweep with refused parts: answers an owning service would not take (a
person change that failed its checks, a newcomer whose ID number is invalid or who lives in
another grid, a fact a volunteer may not record). The visit was kept and its door counted as
visited; what was refused waits on the visit (`problems`) for someone with the rights to
settle it at the person's page. A visit set aside as a conflict is not refused: it is on the
community's list (problems.py) until someone keeps one of the household's visits.

Listed under a region of the sweep, by building, for the visits the user may see (the
`sweep_visit` view scope, held by the same roles over the same regions as `sweep` view);
found through the partial index of the visits whose `refused` count is not zero.
"""

import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from fangyi.core.masking import mask_name
from fangyi.core.permissions import VIEW
from fangyi.people.models import Person
from fangyi.regions.models import Region

from .models import CONFLICT_PROBLEM, RefusedPart, Sweep, Visit


def refused_visits(user, sweep: Sweep, region: Region) -> QuerySet[Visit]:
    """The sweep's visits under `region` the user may see with at least one refused part."""
    return (
        Visit.objects.restrict(user, VIEW, within=region.path)
        .filter(sweep=sweep, refused__gt=0)
        .select_related("door__household__building__parent")
    )


@dataclass
class Part:
    what: str
    label: str
    who: str
    name: str
    message: str


@dataclass
class RefusedRow:
    visit: Visit
    parts: list[Part]

    @property
    def household(self):
        return self.visit.door.household

    @property
    def grid(self) -> Region | None:
        return self.household.building.parent


def _person_ids(visits: list[Visit]) -> set[uuid.UUID]:
    ids = set()
    for visit in visits:
        for problem in visit.problems:
            try:
                ids.add(uuid.UUID(str(problem.get("who"))))
            except ValueError:
                continue
    return ids


def _name_of(who: str, names: dict, newcomers: list) -> str:
    """The person a refused part is about, masked: one of the registry, or the visit's n-th
    newcomer (`new:<n>`), who may never have been registered."""
    if who.startswith("new:"):
        index = int(who[4:]) if who[4:].isdigit() else -1
        return mask_name(newcomers[index].get("name", "")) if 0 <= index < len(newcomers) else ""
    try:
        return mask_name(names.get(uuid.UUID(who), ""))
    except ValueError:
        return ""


def rows_for(visits: list[Visit]) -> list[RefusedRow]:
    """Each visit with its refused parts: which part, whose (masked as lists show names) and
    the service's reason."""
    names = dict(Person.objects.filter(pk__in=_person_ids(visits)).values_list("pk", "name"))
    labels = dict(RefusedPart.choices)
    rows = []
    for visit in visits:
        newcomers = (visit.answers or {}).get("newcomers", [])
        parts = []
        for problem in visit.problems:
            what = problem.get("what", "")
            if what == CONFLICT_PROBLEM:
                continue
            who = str(problem.get("who") or "")
            parts.append(
                Part(
                    what=what,
                    label=str(labels.get(what, what)),
                    who=who,
                    name=_name_of(who, names, newcomers),
                    message=problem.get("message", ""),
                )
            )
        rows.append(RefusedRow(visit=visit, parts=parts))
    return rows

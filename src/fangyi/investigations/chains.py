"""Transmission chains read from the investigations: the graph of one chain, the figures of
many, and the command centre's figure of today's new cases (管控内 / 社会面).

A chain is every investigation sharing a root, with their contacts. The graph is read with two
indexed queries (investigations by chain_root, contacts by chain_root) and built in Python;
a contact who became a case is the same node as their case.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from fangyi.core.masking import mask_name
from fangyi.core.paths import under
from fangyi.health.models import Fact, FactKind, TestOutcome, Zone, ZoneRegion
from fangyi.isolation.models import Order
from fangyi.regions.models import ancestor_paths

from .models import Contact, ContactState, Investigation

# The zones whose residents stay at home: the most restrictive kind of each shipped plan.
SEALED_ZONE_KINDS = ("sealed", "high")
WEEK = datetime.timedelta(days=7)


def in_window(queryset, field: str, since, until):
    if since is not None:
        queryset = queryset.filter(**{f"{field}__gte": since})
    if until is not None:
        queryset = queryset.filter(**{f"{field}__lt": until})
    return queryset


def graph(
    root: Investigation, *, since=None, until=None, within: str = ""
) -> dict[str, list[dict]]:
    """The chain of `root` as ECharts graph data: nodes (cases and contacts, masked, each with
    its person page) and links case → contact. `since`/`until` keep the cases found in that
    time, `within` those living under a region path; their contacts follow them."""
    cases = Investigation.objects.filter(chain_root=root.chain_root_id or root.pk)
    cases = in_window(cases, "found_at", since, until)
    if within:
        cases = cases.filter(under("region_path", within))
    case_rows = list(cases.values_list("pk", "person_id", "person__name", "generation", "found_at"))
    kept = {row[0] for row in case_rows}
    contacts = (
        Contact.objects.filter(chain_root=root.chain_root_id or root.pk)
        .exclude(state=ContactState.DISMISSED)
        .values_list(
            "pk", "investigation_id", "person_id", "person__name", "name", "category", "state"
        )
    )
    # One reverse() for the chain rather than one per node: ten thousand of them cost more
    # than the queries.
    any_id = "00000000-0000-0000-0000-000000000000"
    prefix = reverse("people:person-detail", args=[any_id]).split(any_id)[0]
    nodes: dict[str, dict] = {}
    generation_of = {}
    for pk, person_id, name, generation, found_at in case_rows:
        key = str(person_id)
        generation_of[pk] = generation
        nodes[key] = {
            "id": key,
            "name": mask_name(name),
            "category": 0,
            "kind": "case",
            "generation": generation,
            "found_at": found_at.isoformat(),
            "url": f"{prefix}{key}/",
        }
    by_investigation = {pk: str(person_id) for pk, person_id, *_rest in case_rows}
    links = []
    for pk, investigation_id, person_id, person_name, name, category, state in contacts:
        if investigation_id not in kept:
            continue
        key = str(person_id) if person_id else str(pk)
        if key not in nodes:
            nodes[key] = {
                "id": key,
                "name": mask_name(person_name or name),
                "category": 1 if category == "close" else 2,
                "kind": category if state != ContactState.TO_LOCATE else "to_locate",
                "generation": generation_of[investigation_id] + 1,
                "url": f"{prefix}{key}/" if person_id else "",
            }
        links.append({"source": by_investigation[investigation_id], "target": key})
    return {"nodes": list(nodes.values()), "links": links}


@dataclass(frozen=True)
class ChainFigures:
    root: Investigation
    cases: int
    size: int
    generations: int
    new_this_week: int


def figures(roots: list[Investigation], now=None) -> list[ChainFigures]:
    """Size (people in the chain), generations and new cases of the last 7 days, per chain,
    in three grouped queries whatever the number of chains."""
    now = now or timezone.now()
    ids = [root.pk for root in roots]
    cases = {
        row["chain_root"]: row
        for row in Investigation.objects.filter(chain_root__in=ids)
        .values("chain_root")
        .annotate(
            n=Count("id"),
            deepest=Max("generation"),
            fresh=Count("id", filter=Q(found_at__gte=now - WEEK)),
            from_contacts=Count("id", filter=Q(source_contact__isnull=False)),
        )
    }
    contacts = {
        row["chain_root"]: row
        for row in Contact.objects.filter(chain_root__in=ids)
        .exclude(state=ContactState.DISMISSED)
        .values("chain_root")
        .annotate(
            persons=Count("person", distinct=True),
            unnamed=Count("id", filter=Q(person__isnull=True)),
        )
    }
    result = []
    for root in roots:
        case = cases.get(root.pk, {"n": 1, "deepest": 0, "fresh": 0, "from_contacts": 0})
        contact = contacts.get(root.pk, {"persons": 0, "unnamed": 0})
        # A contact who became a case is one person, counted once.
        size = case["n"] + contact["persons"] + contact["unnamed"] - case["from_contacts"]
        result.append(
            ChainFigures(
                root=root,
                cases=case["n"],
                size=size,
                generations=(case["deepest"] or 0) + 1,
                new_this_week=case["fresh"],
            )
        )
    return result


# 管控内 / 社会面


@dataclass(frozen=True)
class NewCases:
    day: datetime.date
    total: int
    under_quarantine: int
    in_sealed_zone: int

    @property
    def controlled(self) -> int:
        return self.under_quarantine + self.in_sealed_zone

    @property
    def community(self) -> int:
        return self.total - self.controlled


NEW_CASE = Q(kind=FactKind.CASE_CONFIRMED) | Q(
    kind=FactKind.TEST_RESULT, outcome=TestOutcome.POSITIVE
)
# The condition of the partial index fact_new_positive, spelt as it is, so that a database
# sees the index applies (SQLite proves implication only from the same terms).
FACT_NEW_POSITIVE = Q(kind__in=[FactKind.CASE_CONFIRMED, FactKind.CASE_SUSPECTED]) | Q(
    kind=FactKind.TEST_RESULT, outcome=TestOutcome.POSITIVE
)


def new_cases(facts, day: datetime.date) -> NewCases:
    """Of the persons who became cases on `day` (their first confirmed or positive fact),
    how many were already under quarantine (a running isolation order, or a quarantine_start
    fact not ended) or living in a sealed zone when found: 管控内; the rest were found in
    the community: 社会面. `facts` is the caller's scoped Fact queryset."""
    found = found_cases(facts, day)
    return NewCases(
        day=day,
        total=len(found),
        under_quarantine=sum(1 for case in found.values() if case.setting == UNDER_QUARANTINE),
        in_sealed_zone=sum(1 for case in found.values() if case.setting == IN_SEALED_ZONE),
    )


UNDER_QUARANTINE = "quarantine"
IN_SEALED_ZONE = "sealed_zone"
IN_COMMUNITY = "community"


@dataclass(frozen=True)
class FoundCase:
    region_path: str
    found_at: datetime.datetime
    # UNDER_QUARANTINE, IN_SEALED_ZONE (both 管控内) or IN_COMMUNITY (社会面).
    setting: str

    @property
    def controlled(self) -> bool:
        return self.setting != IN_COMMUNITY


def found_cases(facts, day: datetime.date) -> dict:
    """The persons who became cases on `day`, each with where they were found (the split
    `new_cases` counts, and the command centre's figures count per region)."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, zone)
    end = start + datetime.timedelta(days=1)
    found: dict = {}
    for person_id, at, path in (
        facts.filter(FACT_NEW_POSITIVE, NEW_CASE, occurred_at__gte=start, occurred_at__lt=end)
        .order_by("occurred_at")
        .values_list("person_id", "occurred_at", "region_path")
    ):
        found.setdefault(person_id, (at, path))
    earlier = set(
        Fact.objects.filter(NEW_CASE, person_id__in=found, occurred_at__lt=start).values_list(
            "person_id", flat=True
        )
    )
    for person_id in earlier:
        found.pop(person_id, None)
    quarantined = set()
    for person_id, started, ended in Order.objects.filter(
        person_id__in=found, started_at__isnull=False
    ).values_list("person_id", "started_at", "ended_at"):
        at = found[person_id][0]
        if started <= at and (ended is None or ended > at):
            quarantined.add(person_id)
    marks: dict = {}
    for person_id, kind, at in (
        Fact.objects.filter(
            person_id__in=set(found) - quarantined,
            kind__in=[FactKind.QUARANTINE_START, FactKind.QUARANTINE_END],
            retractions__isnull=True,
        )
        .order_by("occurred_at")
        .values_list("person_id", "kind", "occurred_at")
    ):
        if at <= found[person_id][0]:
            marks[person_id] = kind
    quarantined |= {pid for pid, kind in marks.items() if kind == FactKind.QUARANTINE_START}
    sealed = set()
    rest = {pid: value for pid, value in found.items() if pid not in quarantined}
    if rest:
        wanted = {ancestor for _at, path in rest.values() for ancestor in ancestor_paths(path)}
        zones = {
            row[0]: row[1:]
            for row in Zone.objects.filter(kind__in=SEALED_ZONE_KINDS).values_list(
                "pk", "starts_at", "lifted_at"
            )
        }
        areas = [
            (path, zones[zone_id])
            for zone_id, path in ZoneRegion.objects.filter(
                zone_id__in=zones, path__in=wanted
            ).values_list("zone_id", "path")
        ]
        for person_id, (at, path) in rest.items():
            if any(
                path.startswith(area) and starts <= at and (lifted is None or lifted > at)
                for area, (starts, lifted) in areas
            ):
                sealed.add(person_id)
    return {
        person_id: FoundCase(
            region_path=path,
            found_at=at,
            setting=UNDER_QUARANTINE
            if person_id in quarantined
            else IN_SEALED_ZONE
            if person_id in sealed
            else IN_COMMUNITY,
        )
        for person_id, (at, path) in found.items()
    }

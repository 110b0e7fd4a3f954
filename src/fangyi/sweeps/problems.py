"""The community's list of a sweep's problems (issue 19: "after the second miss the household
is listed for the community"; "conflicts keep both and flag them"), and the two ways of
settling them:

- a **conflict** (two answered visits of one household; the later one was set aside, not
  applied) is settled by keeping one visit. Keeping the one already applied changes nothing
  else; keeping one set aside applies its answers then (services.apply_chosen_visit), and the
  door's findings become that visit's. What the other visit changed is not undone: facts are
  append-only and a person's changes are audited on the person; a wrong one is corrected there.
- a household **missed twice** (交社区) is marked handled with a note saying how the community
  reached it (a phone call, the property office, away for work).

Each settlement is a row of its own (`Settlement`) and an audit record. Only the doors the user
may see are listed; settling needs `sweep`/change at the door's building.
"""

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.masking import mask_id_number, mask_name
from fangyi.core.permissions import CHANGE, VIEW, can, require
from fangyi.people.models import TAG_LABELS, Person
from fangyi.regions.models import Region

from . import questions as q
from . import services
from .area import SWEEP
from .models import Door, DoorState, Outcome, ProblemKind, Settlement, Sweep, Visit

MAX_NOTE = 500
SETTLEMENT_FIELDS = ["sweep", "door", "kind", "kept", "note"]
DOOR_FINDINGS = ["conflict", "confirmed", "newcomers", "arrivals", "visited_at"]
VISIT_RESULTS = ["effects", "problems", "refused"]


def problem_doors(
    user, sweep: Sweep, region: Region, *, kind: str, settled: bool = False
) -> QuerySet[Door]:
    """The doors of the sweep under `region` the user may see with a problem of `kind`: those
    still open, or (`settled`) those someone settled."""
    rows = Door.objects.restrict(user, VIEW, within=region.path).filter(sweep=sweep)
    done = Exists(Settlement.objects.filter(door=OuterRef("pk"), kind=kind))
    if kind == ProblemKind.CONFLICT:
        rows = rows.filter(done) if settled else rows.filter(conflict=True)
    elif settled:
        rows = rows.filter(done)
    else:
        rows = rows.filter(state=DoorState.LISTED).exclude(done)
    return rows.select_related("household", "household__building")


@dataclass
class VisitView:
    """A visit as the community reads it: its answers with names masked as lists show them."""

    visit: Visit
    applied: bool
    kept: bool
    members: list[dict] = field(default_factory=list)
    newcomers: list[dict] = field(default_factory=list)
    arrivals: list[dict] = field(default_factory=list)
    health: list[dict] = field(default_factory=list)
    needs: list[dict] = field(default_factory=list)


@dataclass
class ProblemRow:
    door: Door
    visits: list[VisitView]
    settlements: list[Settlement]
    may_settle: bool


def rows_for(user, sweep: Sweep, doors: list[Door]) -> list[ProblemRow]:
    """Each door with its visits side by side (oldest first) and what was done about it."""
    if not doors:
        return []
    visits_of: dict[uuid.UUID, list[Visit]] = {door.pk: [] for door in doors}
    settlements_of: dict[uuid.UUID, list[Settlement]] = {door.pk: [] for door in doors}
    for visit in Visit.objects.filter(door__in=doors).order_by("visited_at", "uploaded_at"):
        visits_of[visit.door_id].append(visit)
    for settlement in Settlement.objects.filter(door__in=doors).order_by("settled_at"):
        settlements_of[settlement.door_id].append(settlement)
    kept = {s.kept_id for found in settlements_of.values() for s in found if s.kept_id}
    names = dict(
        Person.objects.filter(household_id__in=[door.household_id for door in doors]).values_list(
            "pk", "name"
        )
    )
    risks = q.risk_codes(sweep.questions)
    rows = []
    for door in doors:
        views = [_view(visit, kept, names, risks) for visit in visits_of[door.pk]]
        _mark_differences([view for view in views if view.visit.outcome == Outcome.ANSWERED])
        rows.append(
            ProblemRow(
                door=door,
                visits=views,
                settlements=settlements_of[door.pk],
                may_settle=can(user, SWEEP, CHANGE, door.region_path),
            )
        )
    return rows


def _mark_differences(views: list[VisitView]) -> None:
    """Flags the members the visits do not agree on (here in one, away or not named in
    another): the reason to compare them."""
    said: dict[str, list[str]] = {}
    for view in views:
        for member in view.members:
            said.setdefault(member["person"], []).append(member["status"])
    agreed = {
        person
        for person, statuses in said.items()
        if len(statuses) == len(views) and len(set(statuses)) == 1
    }
    for view in views:
        for member in view.members:
            member["differs"] = member["person"] not in agreed


def _view(visit: Visit, kept: set, names: dict, risks: dict[str, str]) -> VisitView:
    answers = visit.answers or {}
    newcomers = answers.get("newcomers", [])

    def who(key) -> str:
        key = str(key)
        if key.startswith("new:"):
            index = int(key[4:]) if key[4:].isdigit() else -1
            if 0 <= index < len(newcomers):
                return mask_name(newcomers[index].get("name", ""))
            return ""
        try:
            return mask_name(names.get(uuid.UUID(key), ""))
        except ValueError:
            return ""

    return VisitView(
        visit=visit,
        applied=visit.outcome == Outcome.ANSWERED and (not visit.conflict or visit.pk in kept),
        kept=visit.pk in kept,
        members=sorted(
            (
                {
                    "person": str(row.get("person")),
                    "name": who(row.get("person")),
                    "status": str(_("在住") if row.get("status") == "here" else _("外出")),
                }
                for row in answers.get("members", [])
            ),
            key=lambda member: (member["name"], member["person"]),
        ),
        newcomers=[
            {
                "name": mask_name(row.get("name", "")),
                "id_number": mask_id_number(row.get("id_number", "")),
            }
            for row in newcomers
        ],
        arrivals=[
            {
                "who": who(row.get("who")),
                "from": row.get("from", ""),
                "risk": risks.get(row.get("risk"), str(_("非风险地区"))),
                "arrived_at": row.get("arrived_at", ""),
            }
            for row in answers.get("arrivals", [])
        ],
        health=[
            {
                "who": who(row.get("who")),
                "temperature": row.get("temperature"),
                "symptoms": list(row.get("symptoms") or []),
            }
            for row in answers.get("health", [])
        ],
        needs=[
            {
                "who": who(row.get("who")),
                "tags": [str(TAG_LABELS.get(tag, tag)) for tag in row.get("tags", [])],
            }
            for row in answers.get("needs", [])
        ],
    )


def door_of(user, sweep: Sweep, household_id) -> Door | None:
    """The sweep's door of the household, if the user may see it."""
    return (
        Door.objects.restrict(user, VIEW)
        .filter(sweep=sweep, household_id=household_id)
        .select_related("household", "household__building")
        .first()
    )


def _settle(*, actor, door: Door, kind: str, kept: Visit | None, note: str) -> Settlement:
    settlement = Settlement(
        sweep_id=door.sweep_id,
        door=door,
        region_path=door.region_path,
        kind=kind,
        kept=kept,
        note=note,
        settled_by=actor if getattr(actor, "is_authenticated", False) else None,
        settled_by_name=getattr(actor, "username", ""),
        settled_at=timezone.now(),
    )
    settlement.save(force_insert=True)
    audit.record_created(actor=actor, obj=settlement, fields=SETTLEMENT_FIELDS)
    return settlement


def keep_visit(*, actor, sweep: Sweep, door: Door, visit_id: uuid.UUID) -> Settlement:
    """Settles the door's conflict by keeping one of its answered visits: the one already
    applied, or one set aside, whose answers are applied now."""
    require(actor, SWEEP, CHANGE, door.region_path)
    with transaction.atomic():
        door = Door.objects.select_for_update().select_related("household").get(pk=door.pk)
        if door.sweep_id != sweep.pk or not door.conflict:
            raise ValidationError({"household": _("此户没有待处理的重复走访。")})
        visit = Visit.objects.filter(pk=visit_id, door=door, outcome=Outcome.ANSWERED).first()
        if visit is None:
            raise ValidationError({"visit": _("请从此户的入户记录中选择一条。")})
        already = not visit.conflict or Settlement.objects.filter(kept=visit).exists()
        before = audit.snapshot(door, DOOR_FINDINGS)
        if not already:
            visit_before = audit.snapshot(visit, VISIT_RESULTS)
            services.apply_chosen_visit(actor=actor, sweep=sweep, door=door, visit=visit)
            visit.save(update_fields=VISIT_RESULTS)
            audit.record_updated(
                actor=actor,
                obj=visit,
                before=visit_before,
                after=audit.snapshot(visit, VISIT_RESULTS),
            )
        door.conflict = False
        door.save(update_fields=DOOR_FINDINGS)
        audit.record_updated(
            actor=actor, obj=door, before=before, after=audit.snapshot(door, DOOR_FINDINGS)
        )
        return _settle(actor=actor, door=door, kind=ProblemKind.CONFLICT, kept=visit, note="")


def mark_handled(*, actor, sweep: Sweep, door: Door, note: str) -> Settlement:
    """Marks a household missed twice as handled by the community, saying how."""
    require(actor, SWEEP, CHANGE, door.region_path)
    note = (note or "").strip()
    if not note or len(note) > MAX_NOTE:
        raise ValidationError(
            {"note": _("请写明如何处理（不超过 %(n)d 个字）。") % {"n": MAX_NOTE}}
        )
    with transaction.atomic():
        door = Door.objects.select_for_update().get(pk=door.pk)
        if door.sweep_id != sweep.pk or door.state != DoorState.LISTED:
            raise ValidationError({"household": _("此户不在交社区的名单上。")})
        if Settlement.objects.filter(door=door, kind=ProblemKind.LISTED).exists():
            raise ValidationError({"household": _("此户已处理。")})
        return _settle(actor=actor, door=door, kind=ProblemKind.LISTED, kept=None, note=note)

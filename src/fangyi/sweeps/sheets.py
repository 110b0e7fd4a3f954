"""What a phone downloads for a sweep (the sheet), and the buildings a grid leader splits.

The sheet names the households of the worker's buildings and their members as every list
shows them: masked names, the last four characters of the ID number, the age. Revealing a
name stays what it is everywhere else, a logged act with a reason on the person's page.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema

from fangyi.core.masking import mask_name
from fangyi.core.permissions import ADD, VIEW, can
from fangyi.people.models import Person
from fangyi.regions.models import Region

from . import services
from .area import SWEEP, SWEEP_VISIT
from .models import Assignment, Door, Sweep


class MemberRead(Schema):
    id: uuid.UUID
    name: str
    id_tail: str
    age: int | None
    status: str


class HouseholdRead(Schema):
    id: uuid.UUID
    building: str
    address: str
    state: str
    misses: int
    members: list[MemberRead]


class SheetSweep(Schema):
    id: uuid.UUID
    title: str
    deadline: datetime.datetime
    status: str
    questions: list[dict]


class SheetRead(Schema):
    sweep: SheetSweep
    buildings: list[dict]
    households: list[HouseholdRead]


def _age(born, today) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def sheet(user, sweep: Sweep, *, building_code: str | None = None) -> dict:
    buildings = services.buildings_of(user, sweep)
    if building_code:
        buildings = [b for b in buildings if b.code == building_code]
        if not buildings:
            raise ValidationError({"building": _("该楼栋没有分给您。")})
    buildings = [b for b in buildings if can(user, SWEEP_VISIT, ADD, b.path)]
    doors = list(
        Door.objects.filter(sweep=sweep, building__in=buildings)
        .select_related("household", "household__building")
        .order_by("region_path", "household__unit", "household__room")
    )
    members: dict = {}
    today = timezone.localdate()
    for person in Person.objects.filter(household_id__in=[d.household_id for d in doors]).order_by(
        "birth_date", "id"
    ):
        members.setdefault(person.household_id, []).append(
            {
                "id": person.pk,
                "name": mask_name(person.name),
                "id_tail": person.id_tail,
                "age": _age(person.birth_date, today),
                "status": person.residence_status,
            }
        )
    return {
        "sweep": {
            "id": sweep.pk,
            "title": sweep.title,
            "deadline": sweep.deadline,
            "status": sweep.status,
            "questions": sweep.questions,
        },
        "buildings": [{"code": b.code, "name": b.name} for b in buildings],
        "households": [
            {
                "id": door.household_id,
                "building": door.household.building.code,
                "address": door.household.short_address,
                "state": door.state,
                "misses": door.misses,
                "members": members.get(door.household_id, []),
            }
            for door in doors
        ],
    }


def building_rows(user, sweep: Sweep) -> list[dict]:
    """The sweep's buildings the user sees (sweep view scope), with households and assignee."""
    counts = dict(
        Door.objects.restrict(user, VIEW)
        .filter(sweep=sweep)
        .order_by()
        .values("building_id")
        .annotate(n=Count("id"))
        .values_list("building_id", "n")
    )
    assigned = {
        a.building_id: a
        for a in Assignment.objects.filter(
            sweep=sweep, building_id__in=list(counts)
        ).select_related("assignee")
    }
    rows = []
    for building in Region.objects.filter(pk__in=list(counts)).order_by("path"):
        assignment = assigned.get(building.pk)
        rows.append(
            {
                "code": building.code,
                "name": building.name,
                "path": building.path,
                "households": counts[building.pk],
                "assignee": assignment.assignee_id if assignment else None,
                "assignee_name": assignment.assignee.display_name() if assignment else "",
                "may_assign": can(user, SWEEP, "change", building.path),
            }
        )
    return rows

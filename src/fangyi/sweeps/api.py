"""Sweeps' JSON API: start, list, read and end sweeps; split buildings; the phone's sheet and
the upload of its visits; coverage and the unvisited doors; the community's list and the
visits with refused answers.

A sweep the caller cannot see answers 404; a region, building or person named in a body that
the caller cannot use is an error in that field.
"""

import datetime
import uuid
from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES, FreeJson, Input, Moment, PageParams, Text
from fangyi.regions.models import Region

from . import coverage as cov
from . import problems, refused, services, sheets
from .area import SWEEP, SWEEP_VISIT
from .models import DoorState, Outcome, ProblemKind, Sweep

router = Router(tags=["sweeps"])

SectionCode = Literal["members", "arrival", "health", "needs"]
OutcomeCode = Literal[*Outcome.values]  # type: ignore[valid-type]  # a Literal of the choices
StateCode = Literal[*DoorState.values]  # type: ignore[valid-type]  # a Literal of the choices
NEWEST_FIRST = ("-created_at", "-id")
BY_REGION = ("region_path", "id")


class SweepRead(Schema):
    id: uuid.UUID
    title: str
    region: str = Field(description="the code of the lowest region above all those swept")
    regions: list[str] = Field(description="the codes of the regions swept")
    questions: list[dict]
    policy: str
    deadline: datetime.datetime
    status: str
    households: int
    created_at: datetime.datetime
    ended_at: datetime.datetime | None

    @staticmethod
    def resolve_region(sweep) -> str:
        return sweep.region.code

    @staticmethod
    def resolve_regions(sweep) -> list[str]:
        return [code.ljust(6, "0") if len(code) < 6 else code for code in sweep.region_paths]

    @staticmethod
    def resolve_policy(sweep) -> str:
        return sweep.policy_code

    @staticmethod
    def resolve_households(sweep) -> int:
        return sweep.household_count


class SweepPage(Schema):
    items: list[SweepRead]
    next_cursor: str | None


class SweepCreate(Input):
    title: Text = Field(max_length=services.MAX_TITLE)
    regions: list[Text] = Field(min_length=1, max_length=services.MAX_REGIONS)
    deadline: Moment
    sections: list[SectionCode] | None = Field(
        None, description="the question sections to ask; all when left out"
    )


class BuildingRead(Schema):
    code: str
    name: str
    households: int
    assignee: uuid.UUID | None
    assignee_name: str


class AssignmentCreate(Input):
    building: Text = Field(max_length=18, description="the building's code")
    assignee: uuid.UUID


class AssignmentRead(Schema):
    building: str
    assignee: uuid.UUID

    @staticmethod
    def resolve_building(assignment) -> str:
        return assignment.building.code

    @staticmethod
    def resolve_assignee(assignment) -> uuid.UUID:
        return assignment.assignee_id


class SheetParams(Schema):
    building: Text | None = Field(None, max_length=18, description="only this building's code")


class VisitCreate(Input):
    id: uuid.UUID = Field(description="made by the phone: uploading it again changes nothing")
    household: uuid.UUID
    visited_at: Moment
    outcome: OutcomeCode
    answers: FreeJson = Field(default_factory=dict)


class UploadCreate(Input):
    visits: list[VisitCreate] = Field(min_length=1, max_length=services.MAX_VISITS)


class UploadRead(Schema):
    accepted: list[str]
    duplicates: list[str]
    conflicts: list[str]
    problems: dict[str, list[dict]]


class CoverageParams(Schema):
    region: Text | None = Field(None, max_length=18, description="a region code; the sweep's own")


class CountsRead(Schema):
    households: int
    visited: int
    to_visit: int
    not_answered: int
    listed: int
    confirmed: int
    newcomers: int
    arrivals: int
    conflicts: int
    percent: float | None


class CoverageRow(Schema):
    code: str
    name: str
    counts: CountsRead


class CoverageRead(Schema):
    code: str
    name: str
    total: CountsRead
    children: list[CoverageRow]


class UnvisitedParams(PageParams):
    region: Text | None = Field(None, max_length=18)
    state: StateCode | None = None


class DoorRead(Schema):
    household: uuid.UUID
    building: str
    address: str
    state: str
    misses: int

    @staticmethod
    def resolve_household(door) -> uuid.UUID:
        return door.household_id

    @staticmethod
    def resolve_building(door) -> str:
        return door.household.building.code

    @staticmethod
    def resolve_address(door) -> str:
        return door.household.short_address


class DoorPage(Schema):
    items: list[DoorRead]
    next_cursor: str | None


def _sweep(request, sweep_id: str) -> Sweep:
    return get_by_id(services.visible_sweeps(request.auth).select_related("region"), sweep_id)


def _region(user, code: str | None, sweep: Sweep, field: str = "region") -> Region:
    if not code:
        return sweep.region
    region = Region.objects.restrict(user, VIEW).filter(code=code).first()
    if region is None:
        raise ValidationError({field: _("没有这个区域，或其不在您的辖区内。")})
    return region


def _counts(counts: cov.Counts) -> dict:
    return {name: getattr(counts, name) for name in cov.FIGURES} | {
        "to_visit": counts.to_visit,
        "percent": counts.percent,
    }


@router.get("", response={200: SweepPage, **ERROR_RESPONSES})
def list_sweeps(request, params: Query[PageParams]):
    """The sweeps over the caller's regions or reaching into them, newest first."""
    rows = services.visible_sweeps(request.auth).select_related("region")
    items, next_cursor = page_of(rows, ordering=NEWEST_FIRST, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", response={201: SweepRead, **ERROR_RESPONSES})
def start_sweep(request, payload: SweepCreate):
    """Starts a sweep: a door and a visit task for every household of the regions."""
    if not can(request.auth, SWEEP, ADD):
        raise PermissionDenied
    codes = list(dict.fromkeys(payload.regions))
    regions = list(Region.objects.restrict(request.auth, VIEW).filter(code__in=codes))
    if len(regions) != len(codes) or not all(
        can(request.auth, SWEEP, ADD, region.path) for region in regions
    ):
        raise ValidationError({"regions": _("没有这个区域，或其不在您的辖区内。")})
    sweep = services.start_sweep(
        actor=request.auth,
        title=payload.title,
        regions=regions,
        deadline=payload.deadline,
        sections=payload.sections,
    )
    return Status(201, sweep)


@router.get("/{sweep_id}", response={200: SweepRead, **ERROR_RESPONSES})
def get_sweep(request, sweep_id: str):
    return _sweep(request, sweep_id)


@router.post("/{sweep_id}/end", response={200: SweepRead, **ERROR_RESPONSES})
def end_sweep(request, sweep_id: str):
    """Ends the sweep; phones clear what they stored for it when they next look."""
    return services.end_sweep(actor=request.auth, sweep=_sweep(request, sweep_id))


@router.get("/{sweep_id}/buildings", response={200: list[BuildingRead], **ERROR_RESPONSES})
def list_buildings(request, sweep_id: str):
    """The sweep's buildings the caller sees, with their households and who has them."""
    return sheets.building_rows(request.auth, _sweep(request, sweep_id))


@router.post("/{sweep_id}/assignments", response={200: AssignmentRead, **ERROR_RESPONSES})
def assign_building(request, sweep_id: str, payload: AssignmentCreate):
    """Gives a building to a member of its grid team (grid leaders and up)."""
    sweep = _sweep(request, sweep_id)
    building = Region.objects.restrict(request.auth, VIEW).filter(code=payload.building).first()
    if building is None:
        raise ValidationError({"building": _("没有这个楼栋，或其不在您的辖区内。")})
    if not can(request.auth, SWEEP, CHANGE, building.path):
        raise PermissionDenied
    assignee = get_user_model().objects.filter(pk=payload.assignee, is_active=True).first()
    if assignee is None:
        raise ValidationError({"assignee": _("没有这位工作人员。")})
    return services.assign_building(
        actor=request.auth, sweep=sweep, building=building, assignee=assignee
    )


@router.get("/{sweep_id}/sheet", response={200: sheets.SheetRead, **ERROR_RESPONSES})
def get_sheet(request, sweep_id: str, params: Query[SheetParams]):
    """The phone's sheet: the households of the caller's buildings with their members, masked.
    What the phone keeps offline until the sweep ends."""
    sweep = _sweep(request, sweep_id)
    if not can(request.auth, SWEEP_VISIT, ADD):
        raise PermissionDenied
    return sheets.sheet(request.auth, sweep, building_code=params.building)


@router.post("/{sweep_id}/visits", response={200: UploadRead, **ERROR_RESPONSES})
def upload_visits(request, sweep_id: str, payload: UploadCreate):
    """Takes visits recorded on a phone; a visit sent again (same id) is a duplicate, not a
    second visit. Answers what was taken, what came before, what clashed with another visit
    of the same household, and what a person must settle."""
    sweep = _sweep(request, sweep_id)
    if not can(request.auth, SWEEP_VISIT, ADD):
        raise PermissionDenied
    result = services.upload_visits(
        actor=request.auth,
        sweep=sweep,
        items=[
            services.VisitInput(
                id=visit.id,
                household_id=visit.household,
                visited_at=visit.visited_at,
                outcome=visit.outcome,
                answers=visit.answers,
            )
            for visit in payload.visits
        ],
    )
    return result.__dict__


@router.get("/{sweep_id}/coverage", response={200: CoverageRead, **ERROR_RESPONSES})
def get_coverage(request, sweep_id: str, params: Query[CoverageParams]):
    """Households visited and to visit, people confirmed, newcomers and arrivals found: for
    the region and each of its children the sweep reaches."""
    sweep = _sweep(request, sweep_id)
    region = _region(request.auth, params.region, sweep)
    found = cov.coverage(request.auth, sweep, region)
    return {
        "code": region.code,
        "name": region.name,
        "total": _counts(found.total),
        "children": [
            {"code": row.region.code, "name": row.region.name, "counts": _counts(row.counts)}
            for row in found.rows
        ],
    }


@router.get("/{sweep_id}/unvisited", response={200: DoorPage, **ERROR_RESPONSES})
def list_unvisited(request, sweep_id: str, params: Query[UnvisitedParams]):
    """The doors not visited yet under the region, by building: never answered, answered once
    not, or listed for the community."""
    sweep = _sweep(request, sweep_id)
    region = _region(request.auth, params.region, sweep)
    rows = cov.unvisited(request.auth, sweep, region, state=params.state or "")
    items, next_cursor = page_of(rows, ordering=BY_REGION, page=params)
    return {"items": items, "next_cursor": next_cursor}


ProblemCode = Literal[*ProblemKind.values]  # type: ignore[valid-type]  # a Literal of the choices


class SweepProblemParams(PageParams):
    kind: ProblemCode = ProblemKind.LISTED
    settled: bool = Field(False, description="those someone settled instead of those waiting")
    region: Text | None = Field(None, max_length=18)


class ProblemVisitRead(Schema):
    id: uuid.UUID
    worker: str
    visited_at: datetime.datetime
    uploaded_at: datetime.datetime
    outcome: str
    applied: bool = Field(description="its answers became what they mean")
    kept: bool = Field(description="chosen when the conflict was settled")
    members: list[dict]
    newcomers: list[dict]
    arrivals: list[dict]
    health: list[dict]
    needs: list[dict]
    problems: list[dict]


class SweepSettlementRead(Schema):
    kind: str
    kept: uuid.UUID | None
    note: str
    settled_by: str
    settled_at: datetime.datetime

    @staticmethod
    def resolve_kept(settlement) -> uuid.UUID | None:
        return settlement.kept_id

    @staticmethod
    def resolve_settled_by(settlement) -> str:
        return settlement.settled_by_name


class SweepProblemRead(Schema):
    household: uuid.UUID
    building: str
    address: str
    state: str
    misses: int
    conflict: bool
    visits: list[ProblemVisitRead]
    settlements: list[SweepSettlementRead]


class SweepProblemPage(Schema):
    items: list[SweepProblemRead]
    next_cursor: str | None


class KeepCreate(Input):
    visit: uuid.UUID = Field(description="the answered visit of the household to keep")


class HandledCreate(Input):
    note: Text = Field(max_length=problems.MAX_NOTE, description="how the community reached them")


def _problem(row: problems.ProblemRow) -> dict:
    door = row.door
    return {
        "household": door.household_id,
        "building": door.household.building.code,
        "address": door.household.short_address,
        "state": door.state,
        "misses": door.misses,
        "conflict": door.conflict,
        "visits": [
            {
                "id": view.visit.pk,
                "worker": view.visit.worker_name,
                "visited_at": view.visit.visited_at,
                "uploaded_at": view.visit.uploaded_at,
                "outcome": view.visit.outcome,
                "applied": view.applied,
                "kept": view.kept,
                "members": view.members,
                "newcomers": view.newcomers,
                "arrivals": view.arrivals,
                "health": view.health,
                "needs": view.needs,
                "problems": view.visit.problems,
            }
            for view in row.visits
        ],
        "settlements": row.settlements,
    }


def _door(request, sweep: Sweep, household_id: str):
    try:
        pk = uuid.UUID(household_id)
    except ValueError as exc:
        raise Http404 from exc
    door = problems.door_of(request.auth, sweep, pk)
    if door is None:
        raise Http404
    return door


@router.get("/{sweep_id}/problems", response={200: SweepProblemPage, **ERROR_RESPONSES})
def list_problems(request, sweep_id: str, params: Query[SweepProblemParams]):
    """The community's list: households missed twice (`listed`) or visited twice
    (`conflict`, every visit's answers, masked), waiting or settled, under the region."""
    sweep = _sweep(request, sweep_id)
    region = _region(request.auth, params.region, sweep)
    rows = problems.problem_doors(
        request.auth, sweep, region, kind=params.kind, settled=params.settled
    )
    doors, next_cursor = page_of(rows, ordering=BY_REGION, page=params)
    return {
        "items": [_problem(row) for row in problems.rows_for(request.auth, sweep, doors)],
        "next_cursor": next_cursor,
    }


@router.post(
    "/{sweep_id}/problems/{household_id}/keep",
    response={200: SweepSettlementRead, **ERROR_RESPONSES},
)
def keep_visit(request, sweep_id: str, household_id: str, payload: KeepCreate):
    """Settles a household visited twice by keeping one visit; one set aside is applied now."""
    sweep = _sweep(request, sweep_id)
    if not can(request.auth, SWEEP, CHANGE):
        raise PermissionDenied
    door = _door(request, sweep, household_id)
    return problems.keep_visit(actor=request.auth, sweep=sweep, door=door, visit_id=payload.visit)


@router.post(
    "/{sweep_id}/problems/{household_id}/handled",
    response={200: SweepSettlementRead, **ERROR_RESPONSES},
)
def mark_handled(request, sweep_id: str, household_id: str, payload: HandledCreate):
    """Marks a household missed twice as handled by the community, saying how."""
    sweep = _sweep(request, sweep_id)
    if not can(request.auth, SWEEP, CHANGE):
        raise PermissionDenied
    door = _door(request, sweep, household_id)
    return problems.mark_handled(actor=request.auth, sweep=sweep, door=door, note=payload.note)


class RefusedParams(PageParams):
    region: Text | None = Field(None, max_length=18)


class RefusedPartRead(Schema):
    what: str = Field(description="the part refused: members, newcomers, facts or needs")
    label: str
    who: str = Field(description="a person's id, or new:<n> for the visit's n-th newcomer")
    name: str = Field(description="their name, masked")
    message: str = Field(description="why the service refused it")


class RefusedVisitRead(Schema):
    id: uuid.UUID
    household: uuid.UUID
    address: str
    building: str
    grid: str | None
    grid_name: str
    worker: str
    visited_at: datetime.datetime
    uploaded_at: datetime.datetime
    parts: list[RefusedPartRead]


class RefusedVisitPage(Schema):
    items: list[RefusedVisitRead]
    next_cursor: str | None


def _refused(row: refused.RefusedRow) -> dict:
    household, grid = row.household, row.grid
    return {
        "id": row.visit.pk,
        "household": household.pk,
        "address": household.short_address,
        "building": household.building.code,
        "grid": grid.code if grid else None,
        "grid_name": grid.name if grid else "",
        "worker": row.visit.worker_name,
        "visited_at": row.visit.visited_at,
        "uploaded_at": row.visit.uploaded_at,
        "parts": row.parts,
    }


@router.get("/{sweep_id}/refused", response={200: RefusedVisitPage, **ERROR_RESPONSES})
def list_refused(request, sweep_id: str, params: Query[RefusedParams]):
    """The visits under the region with answers the services refused, by building: which
    part, whose (masked) and why."""
    sweep = _sweep(request, sweep_id)
    region = _region(request.auth, params.region, sweep)
    visits, next_cursor = page_of(
        refused.refused_visits(request.auth, sweep, region), ordering=BY_REGION, page=params
    )
    return {
        "items": [_refused(row) for row in refused.rows_for(visits)],
        "next_cursor": next_cursor,
    }

"""Tasks for grid teams and volunteers: the scoped list, creation, and the steps of a task.

Leaders (grid leaders, officers, commanders) see every task in their regions; grid workers and
volunteers only those assigned to them. A task the caller cannot see answers 404; a person,
household or assignee named in a body that the caller cannot use is an error in that field (422).
"""

import datetime
import uuid
from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import VIEW
from fangyi.core.schemas import (
    ERROR_RESPONSES,
    Detail,
    FreeJson,
    Input,
    Moment,
    PageParams,
    Text,
)
from fangyi.people.models import Household, Person
from fangyi.regions.models import Region

from . import services
from .models import ReleaseCause, Task, TaskKind, TaskStatus

router = Router(tags=["fieldwork"])

KindCode = Literal[*TaskKind.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
StatusCode = Literal[*TaskStatus.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ReleaseCode = Literal[*ReleaseCause.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ORDERING = ("due_at", "id")


class TaskRead(Schema):
    id: uuid.UUID
    kind: KindCode
    kind_name: str
    status: StatusCode
    status_name: str
    overdue: bool = Field(description="not finished and past its due time")
    title: str
    notes: str
    person: uuid.UUID | None
    person_name: str | None = Field(description="masked")
    household: uuid.UUID | None
    address: str | None = Field(description="building, unit and room")
    region: str = Field(description="the region's code")
    region_name: str
    assignee: uuid.UUID | None
    assignee_name: str | None = Field(
        description="the assignee's full name (their username when no name is on record)"
    )
    assignee_username: str | None
    due_at: datetime.datetime
    started_at: datetime.datetime | None
    done_at: datetime.datetime | None
    claimed_at: datetime.datetime | None = Field(
        description="when the assignee took it from the pool (null: given by a leader)"
    )
    released_at: datetime.datetime | None = Field(
        description="the last time a claim of it went back to the pool"
    )
    release_cause: ReleaseCode | None = Field(
        description="given_back by the claimer, or stale: 2 hours without moving"
    )
    release_cause_name: str | None
    released_from_name: str | None = Field(description="who held it before it went back")
    note: str
    failure_reason: str
    result: dict
    source: str
    source_ref: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_kind_name(task: Task) -> str:
        return str(task.get_kind_display())

    @staticmethod
    def resolve_status_name(task: Task) -> str:
        return str(task.get_status_display())

    @staticmethod
    def resolve_person(task: Task) -> uuid.UUID | None:
        return task.person_id

    @staticmethod
    def resolve_person_name(task: Task) -> str | None:
        return task.person.masked_name if task.person else None

    @staticmethod
    def resolve_household(task: Task) -> uuid.UUID | None:
        return task.household_id

    @staticmethod
    def resolve_address(task: Task) -> str | None:
        return task.household.short_address if task.household else None

    @staticmethod
    def resolve_region(task: Task) -> str:
        return task.region.code

    @staticmethod
    def resolve_region_name(task: Task) -> str:
        return task.region.name

    @staticmethod
    def resolve_assignee(task: Task) -> uuid.UUID | None:
        return task.assignee_id

    @staticmethod
    def resolve_assignee_name(task: Task) -> str | None:
        return task.assignee_label or None

    @staticmethod
    def resolve_release_cause(task: Task) -> str | None:
        return task.release_cause or None

    @staticmethod
    def resolve_release_cause_name(task: Task) -> str | None:
        return str(task.get_release_cause_display()) if task.release_cause else None

    @staticmethod
    def resolve_released_from_name(task: Task) -> str | None:
        return task.released_from_label or None

    @staticmethod
    def resolve_assignee_username(task: Task) -> str | None:
        return task.assignee.get_username() if task.assignee is not None else None


class TaskPage(Schema):
    items: list[TaskRead]
    next_cursor: str | None


class TaskParams(PageParams):
    status: StatusCode | None = None
    kind: KindCode | None = None
    region: Text | None = Field(None, max_length=18, description="only under this region code")
    assignee: Literal["me"] | uuid.UUID | None = Field(
        None, description='"me", or a user id (leaders)'
    )
    overdue: bool | None = Field(None, description="only overdue (true) or not overdue (false)")


class TaskCreate(Input):
    kind: KindCode
    person: uuid.UUID | None = Field(None, description="the person the task is about")
    household: uuid.UUID | None = Field(None, description="or the household (e.g. deliveries)")
    title: Text = Field("", max_length=services.MAX_TITLE)
    notes: Text = Field("", max_length=services.MAX_TEXT)
    due_at: Moment
    assignee: uuid.UUID | None = Field(None, description="a user id; see POST …/assign")


class Assignment(Input):
    assignee: uuid.UUID = Field(description="a grid leader, grid worker or volunteer of the region")


class Completion(Input):
    note: Text = Field("", max_length=services.MAX_TEXT)
    result: FreeJson = Field(default_factory=dict, description="structured outcome, if any")


class Failure(Input):
    reason: Text = Field(max_length=services.MAX_TEXT)


class Reopening(Input):
    reason: Text = Field("", max_length=services.MAX_TEXT)


RELATED = ("person", "household__building", "region", "assignee", "released_from")


def _tasks(user, action: str = VIEW):
    return Task.objects.restrict(user, action).select_related(*RELATED)


def _task(request, task_id: str) -> Task:
    return get_by_id(_tasks(request.auth), task_id)


def _user(raw: uuid.UUID | None):
    """The user named in a body; an unknown one is as unusable as one from elsewhere."""
    if raw is None:
        return None
    user = get_user_model().objects.filter(pk=raw).first()
    if user is None:
        raise ValidationError(
            {"assignee": _("该人员不能承接此任务：须是任务所在区域的网格长、网格员或志愿者。")}
        )
    return user


@router.get("", response={200: TaskPage, **ERROR_RESPONSES})
def list_tasks(request, params: Query[TaskParams]):
    """Tasks the caller may see, soonest due first."""
    user = request.auth
    within = ""
    if params.region:
        region = Region.objects.restrict(user, VIEW).filter(code=params.region).first()
        if region is None:
            raise ValidationError({"region": _("没有这个区域，或其不在您的辖区内。")})
        within = region.path
    tasks = Task.objects.restrict(user, VIEW, within=within).select_related(*RELATED)
    if params.status:
        tasks = tasks.filter(status=params.status)
    if params.kind:
        tasks = tasks.filter(kind=params.kind)
    if params.assignee == "me":
        tasks = tasks.filter(assignee=user)
    elif params.assignee is not None:
        tasks = tasks.filter(assignee_id=params.assignee)
    if params.overdue is True:
        tasks = tasks.overdue()
    elif params.overdue is False:
        tasks = tasks.not_overdue()
    items, next_cursor = page_of(tasks, ordering=ORDERING, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", response={201: TaskRead, **ERROR_RESPONSES})
def create_task(request, payload: TaskCreate):
    user = request.auth
    errors = {}
    person = household = None
    if payload.person is not None:
        person = Person.objects.restrict(user, VIEW).filter(pk=payload.person).first()
        if person is None:
            errors["person"] = [_("没有这个居民，或其不在您的辖区内。")]
    if payload.household is not None:
        household = Household.objects.restrict(user, VIEW).filter(pk=payload.household).first()
        if household is None:
            errors["household"] = [_("没有这个户，或其不在您的辖区内。")]
    if errors:
        raise ValidationError(errors)
    task = services.create_task(
        actor=user,
        kind=payload.kind,
        due_at=payload.due_at,
        person=person,
        household=household,
        title=payload.title,
        notes=payload.notes,
        assignee=_user(payload.assignee),
    )
    return Status(201, _tasks(user).get(pk=task.pk))


@router.get("/pool", response={200: TaskPage, **ERROR_RESPONSES})
def task_pool(request, params: Query[PageParams]):
    """Deliveries open to claim in the grids where the caller is on the grid team (a grid
    worker, volunteer or grid leader), soonest due first; empty for everyone else."""
    tasks = Task.objects.pool(request.auth).select_related(*RELATED)
    items, next_cursor = page_of(tasks, ordering=ORDERING, page=params)
    return {"items": items, "next_cursor": next_cursor}


def _claimable(request, task_id: str) -> Task:
    return get_by_id(Task.objects.claimable_by(request.auth).select_related(*RELATED), task_id)


@router.post("/{task_id}/claim", response={200: TaskRead, 409: Detail, **ERROR_RESPONSES})
def claim_task(request, task_id: str):
    """我来送: take a delivery from the pool of one's grid. One person only: whoever comes
    second (or after it is finished) gets 409 with the reason. A delivery of another grid is
    404; claiming one's own claim again changes nothing."""
    task = _claimable(request, task_id)
    try:
        services.claim(actor=request.auth, task=task)
    except services.ClaimConflict as exc:
        return Status(409, {"detail": str(exc)})
    return _claimable(request, task_id)


@router.post("/{task_id}/unclaim", response={200: TaskRead, **ERROR_RESPONSES})
def unclaim_task(request, task_id: str):
    """The claimer returns the delivery to the pool; the task records that it was given back."""
    task = _claimable(request, task_id)
    services.unclaim(actor=request.auth, task=task)
    return _claimable(request, task_id)


@router.get("/{task_id}", response={200: TaskRead, **ERROR_RESPONSES})
def get_task(request, task_id: str):
    return _task(request, task_id)


@router.post("/{task_id}/assign", response={200: TaskRead, **ERROR_RESPONSES})
def assign_task(request, task_id: str, payload: Assignment):
    """Gives the task to a grid leader, grid worker or volunteer of its region."""
    task = _task(request, task_id)
    services.assign(actor=request.auth, task=task, assignee=_user(payload.assignee))
    return _task(request, task_id)


@router.post("/{task_id}/start", response={200: TaskRead, **ERROR_RESPONSES})
def start_task(request, task_id: str):
    """The assignee is on it."""
    task = _task(request, task_id)
    return services.start(actor=request.auth, task=task)


@router.post("/{task_id}/complete", response={200: TaskRead, **ERROR_RESPONSES})
def complete_task(request, task_id: str, payload: Completion):
    task = _task(request, task_id)
    return services.complete(
        actor=request.auth, task=task, note=payload.note, result=payload.result
    )


@router.post("/{task_id}/fail", response={200: TaskRead, **ERROR_RESPONSES})
def fail_task(request, task_id: str, payload: Failure):
    """Could not be done; `reason` is required."""
    task = _task(request, task_id)
    return services.fail(actor=request.auth, task=task, reason=payload.reason)


@router.post("/{task_id}/reopen", response={200: TaskRead, **ERROR_RESPONSES})
def reopen_task(request, task_id: str, payload: Reopening):
    """Leaders send a finished task back to its assignee (or to the open pool)."""
    task = _task(request, task_id)
    services.reopen(actor=request.auth, task=task, reason=payload.reason)
    return _task(request, task_id)

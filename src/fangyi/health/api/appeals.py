"""Appeals: the queue, filing one on a resident's behalf, and deciding one."""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import VIEW
from fangyi.core.schemas import ERROR_RESPONSES, Input, PageParams
from fangyi.people.models import Person
from fangyi.regions.models import ancestor_paths

from .. import services
from ..models import Appeal, Fact, Zone, ZoneRegion
from .common import Note, referenced_person, router

AppealState = Literal[*Appeal.State.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time


class AppealRead(Schema):
    id: uuid.UUID
    person: uuid.UUID
    fact: uuid.UUID | None
    zone: uuid.UUID | None
    reason: str
    filed_by: str
    on_behalf: bool
    filed_at: datetime.datetime
    age_hours: int = Field(description="whole hours since it was filed")
    state: AppealState
    decided_by: str | None
    decided_at: datetime.datetime | None
    decision_note: str
    retraction: uuid.UUID | None = Field(description="the retraction an accepted appeal made")

    @staticmethod
    def resolve_person(appeal: Appeal) -> uuid.UUID:
        return appeal.person_id

    @staticmethod
    def resolve_fact(appeal: Appeal) -> uuid.UUID | None:
        return appeal.fact_id

    @staticmethod
    def resolve_zone(appeal: Appeal) -> uuid.UUID | None:
        return appeal.zone_id

    @staticmethod
    def resolve_filed_by(appeal: Appeal) -> str:
        return appeal.filed_by_name

    @staticmethod
    def resolve_age_hours(appeal: Appeal) -> int:
        return int((timezone.now() - appeal.filed_at).total_seconds() // 3600)

    @staticmethod
    def resolve_decided_by(appeal: Appeal) -> str | None:
        return appeal.decided_by.get_username() if appeal.decided_by else None

    @staticmethod
    def resolve_retraction(appeal: Appeal) -> uuid.UUID | None:
        return appeal.retraction_id


class AppealPage(Schema):
    items: list[AppealRead]
    next_cursor: str | None


class AppealParams(PageParams):
    state: Literal[*Appeal.State.values, "all"] = "open"  # type: ignore[valid-type]  # a Literal of the choices, built at run time


class AppealCreate(Input):
    person: uuid.UUID
    fact: uuid.UUID | None = Field(None, description="the contested fact (or give a zone)")
    zone: uuid.UUID | None = Field(None, description="the contested zone (or give a fact)")
    reason: Note


class AppealDecide(Input):
    accept: bool = Field(description="accepting an appeal against a fact retracts the fact")
    note: Note


def _visible_appeals(user):
    return Appeal.objects.restrict(user, VIEW).select_related("decided_by")


def _contested_zone(user, zone_id: uuid.UUID, person: Person) -> Zone:
    """A zone the caller sees, or one the person lives in (their colour already names it)."""
    zone = (
        Zone.objects.filter(pk=zone_id)
        .filter(
            Exists(Zone.objects.restrict(user, VIEW).filter(pk=OuterRef("pk")))
            | Exists(
                ZoneRegion.objects.filter(
                    zone=OuterRef("pk"), path__in=ancestor_paths(person.region_path)
                )
            )
        )
        .first()
    )
    if zone is None:
        raise ValidationError({"zone": _("没有这个区域，或其不在您的辖区内。")})
    return zone


@router.get(
    "/appeals",
    response={200: AppealPage, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_list_appeals",
)
def list_appeals(request, params: Query[AppealParams]):
    """Visible appeals, oldest first (open ones unless `state` says otherwise)."""
    appeals = _visible_appeals(request.auth)
    if params.state != "all":
        appeals = appeals.filter(state=params.state)
    items, next_cursor = page_of(appeals, ordering=("filed_at", "id"), page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/appeals",
    response={201: AppealRead, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_file_appeal",
)
def file_appeal(request, payload: AppealCreate):
    """Files an appeal on behalf of a resident against one fact or one zone."""
    person = referenced_person(request.auth, payload.person)
    fact = None
    if payload.fact is not None:
        fact = Fact.objects.restrict(request.auth, VIEW).filter(pk=payload.fact).first()
        if fact is None:
            raise ValidationError({"fact": _("没有这条事实，或其不在您的辖区内。")})
    zone = _contested_zone(request.auth, payload.zone, person) if payload.zone else None
    appeal = services.file_appeal(
        actor=request.auth, person=person, reason=payload.reason, fact=fact, zone=zone
    )
    return Status(201, appeal)


@router.post(
    "/appeals/{appeal_id}/decide",
    response={200: AppealRead, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_decide_appeal",
)
def decide_appeal(request, appeal_id: str, payload: AppealDecide):
    """Accepts or rejects; someone other than who recorded the fact or drew the zone decides."""
    appeal = get_by_id(_visible_appeals(request.auth).select_related("fact", "zone"), appeal_id)
    return services.decide_appeal(
        actor=request.auth, appeal=appeal, accept=payload.accept, note=payload.note
    )

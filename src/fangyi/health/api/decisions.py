"""Manual decisions: listing, proposing, approving and revoking one."""

import datetime
import uuid
from typing import Literal

from ninja import Field, Query, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import VIEW
from fangyi.core.schemas import ERROR_RESPONSES, Input, Moment, PageParams

from .. import services
from ..models import ManualDecision
from .common import ColourCode, Note, referenced_person, router

DecisionState = Literal[*ManualDecision.State.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time


class DecisionRead(Schema):
    id: uuid.UUID
    person: uuid.UUID
    colour: ColourCode
    reason: str
    expires_at: datetime.datetime
    proposed_by: str
    proposed_at: datetime.datetime
    state: DecisionState
    approved_by: str = Field(description="who approved or rejected it; blank while pending")
    decided_at: datetime.datetime | None
    decision_note: str

    @staticmethod
    def resolve_person(decision: ManualDecision) -> uuid.UUID:
        return decision.person_id

    @staticmethod
    def resolve_proposed_by(decision: ManualDecision) -> str:
        return decision.proposed_by_name

    @staticmethod
    def resolve_approved_by(decision: ManualDecision) -> str:
        return decision.approved_by_name


class DecisionPage(Schema):
    items: list[DecisionRead]
    next_cursor: str | None


class DecisionParams(PageParams):
    state: DecisionState | None = None


class DecisionCreate(Input):
    person: uuid.UUID
    colour: ColourCode
    reason: Note = Field(description="at least 10 characters")
    expires_at: Moment = Field(description="at most 72 hours from now")


class DecisionApprove(Input):
    approve: bool
    note: Note = Field("", description="required when rejecting")


class DecisionRevoke(Input):
    note: Note


def _visible_decisions(user):
    return ManualDecision.objects.restrict(user, VIEW).select_related("proposed_by")


@router.get(
    "/decisions",
    response={200: DecisionPage, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_list_decisions",
)
def list_decisions(request, params: Query[DecisionParams]):
    """Visible manual decisions, newest first."""
    decisions = _visible_decisions(request.auth)
    if params.state:
        decisions = decisions.filter(state=params.state)
    items, next_cursor = page_of(decisions, ordering=("-proposed_at", "-id"), page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/decisions",
    response={201: DecisionRead, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_propose_decision",
)
def propose_decision(request, payload: DecisionCreate):
    """Proposes a manual colour; it takes effect once a second officer approves it."""
    person = referenced_person(request.auth, payload.person)
    decision = services.propose_decision(
        actor=request.auth,
        person=person,
        colour=payload.colour,
        reason=payload.reason,
        expires_at=payload.expires_at,
    )
    return Status(201, decision)


@router.post(
    "/decisions/{decision_id}/approve",
    response={200: DecisionRead, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_approve_decision",
)
def approve_decision(request, decision_id: str, payload: DecisionApprove):
    """Approves or rejects a pending decision; the proposer cannot approve their own."""
    decision = get_by_id(_visible_decisions(request.auth), decision_id)
    return services.approve_decision(
        actor=request.auth, decision=decision, approve=payload.approve, note=payload.note
    )


@router.post(
    "/decisions/{decision_id}/revoke",
    response={200: DecisionRead, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_revoke_decision",
)
def revoke_decision(request, decision_id: str, payload: DecisionRevoke):
    """Ends a pending or approved decision; the colour is recomputed."""
    decision = get_by_id(_visible_decisions(request.auth), decision_id)
    return services.revoke_decision(actor=request.auth, decision=decision, note=payload.note)

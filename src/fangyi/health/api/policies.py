"""The prevention plans, and putting one in force."""

import datetime
import uuid

from ninja import Field, Schema

from fangyi.core.api import get_by_id
from fangyi.core.permissions import VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES
from fangyi.health.area import POLICY

from .. import services
from ..models import Policy
from .common import router

# Policies


class PolicyRead(Schema):
    id: uuid.UUID
    code: str
    version: int
    label: str
    name: str
    name_en: str
    effective_from: datetime.date
    in_force: bool
    parameters: dict = Field(description="zone kinds, quarantine lengths, colour rules")


class PolicyList(Schema):
    items: list[PolicyRead]


def _visible_policies(user):
    # Plans are city-wide, not regional: whoever may read them reads all of them.
    return Policy.objects.all() if can(user, POLICY, VIEW) else Policy.objects.none()


@router.get(
    "/policies",
    response={200: PolicyList, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_list_policies",
)
def list_policies(request):
    """Every shipped and stored plan, oldest first; exactly one is in force."""
    return {"items": list(_visible_policies(request.auth))}


@router.post(
    "/policies/{policy_id}/activate",
    response={200: PolicyRead, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_activate_policy",
)
def activate_policy(request, policy_id: str):
    """Puts the plan in force (commanders and administrators); every colour is recomputed."""
    policy = get_by_id(_visible_policies(request.auth), policy_id)
    return services.switch_policy(actor=request.auth, policy=policy)

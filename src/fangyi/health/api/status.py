"""A person's current colour and its reasons."""

import datetime
import uuid

from ninja import Field, Schema

from fangyi.core.api import get_by_id
from fangyi.core.permissions import VIEW
from fangyi.core.schemas import ERROR_RESPONSES
from fangyi.people.models import Person

from .. import services
from .common import ColourCode, persons_router

# Status


class StatusReason(Schema):
    code: str
    colour: ColourCode
    zh: str
    en: str
    facts: list[uuid.UUID] = Field(description="the facts this reason rests on")
    zone: uuid.UUID | None = Field(None, description="the zone, for a zone reason")
    until: str | None = Field(None, description="local time it lasts until, when known")
    decision: uuid.UUID | None = Field(None, description="the manual decision, for a manual one")


class StatusRead(Schema):
    person: uuid.UUID
    colour: ColourCode
    reasons: list[StatusReason]
    valid_until: datetime.datetime | None
    policy_version: str
    manual: bool
    computed_at: datetime.datetime

    @staticmethod
    def resolve_person(status) -> uuid.UUID:
        return status.person_id


@persons_router.get(
    "/{person_id}/status",
    response={200: StatusRead, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_get_person_status",
)
def get_person_status(request, person_id: str):
    """The person's current colour and the reasons for it; whoever may see the person may."""
    person = get_by_id(Person.objects.restrict(request.auth, VIEW), person_id)
    return services.current_status(person)

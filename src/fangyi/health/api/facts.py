"""Facts: recording one or a batch, retracting one, and a person's facts."""

import datetime
import uuid
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from pydantic import PlainValidator, TypeAdapter

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES, FreeJson, Input, Moment, PageParams, Text
from fangyi.health.area import FACT
from fangyi.people.models import Person

from .. import services
from ..models import Fact, FactKind, QuarantineSetting, TestOutcome, TubeKind
from .common import SOURCE, Note, persons_router, router

MAX_FACTS = 10_000


FactKindCode = Literal[*FactKind.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
OutcomeCode = Literal[*TestOutcome.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
VariantCode = Literal[*TubeKind.values, *QuarantineSetting.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time


class FactCreate(Input):
    person: uuid.UUID
    kind: FactKindCode
    occurred_at: Moment = Field(description="without an offset: the server's time zone")
    outcome: OutcomeCode | None = Field(None, description="test_result only")
    variant: VariantCode | None = Field(
        None,
        description="test_result: single or pooled; quarantine_start/_end: the setting",
    )
    details: FreeJson = Field(
        default_factory=dict,
        description="arrival_from_risk_area: area; health_declaration: temperature, symptoms",
    )
    retracts: uuid.UUID | None = Field(None, description="retraction only: the fact it undoes")
    source_ref: Text = Field("", max_length=100, description="the sender's own reference")


FactBatch = Annotated[list[FactCreate], Field(min_length=1, max_length=MAX_FACTS)]
_batch = TypeAdapter(FactBatch)


def _one_or_many(value):
    # Dispatching by hand keeps errors located as the caller wrote them ("3.outcome"); a
    # pydantic union would prefix every location with the name of the branch it tried.
    if isinstance(value, list):
        return _batch.validate_python(value)
    return FactCreate.model_validate(value)


FactPayload = Annotated[
    FactCreate | list[FactCreate],
    PlainValidator(_one_or_many, json_schema_input_type=FactCreate | FactBatch),
]


class FactRead(Schema):
    id: uuid.UUID
    person: uuid.UUID
    kind: FactKindCode
    occurred_at: datetime.datetime
    recorded_at: datetime.datetime
    outcome: str
    variant: str
    details: dict
    retracts: uuid.UUID | None
    source: str
    source_ref: str
    actor: str = Field(description="username of who recorded it")
    retracted: bool = Field(description="whether a later retraction undoes this fact")

    @staticmethod
    def resolve_person(fact: Fact) -> uuid.UUID:
        return fact.person_id

    @staticmethod
    def resolve_retracts(fact: Fact) -> uuid.UUID | None:
        return fact.retracts_id

    @staticmethod
    def resolve_actor(fact: Fact) -> str:
        return fact.actor_name

    @staticmethod
    def resolve_retracted(fact: Fact) -> bool:
        return getattr(fact, "retracted", False)


class FactPage(Schema):
    items: list[FactRead]
    next_cursor: str | None


class FactRetract(Input):
    reason: Note = Field(description="why the fact is wrong; kept with the retraction")


def _resolve_facts(user, items: list[FactCreate], *, indexed: bool) -> list[services.FactInput]:
    """The service's inputs, with every person and retracted fact looked up in the caller's scope.

    One query per kind of reference, whatever the batch size.
    """
    persons = Person.objects.restrict(user, VIEW).in_bulk({item.person for item in items})
    targets = Fact.objects.restrict(user, VIEW).in_bulk(
        {item.retracts for item in items if item.retracts is not None}
    )
    errors: dict[str, list[str]] = {}

    def fail(index: int, field: str, message: str) -> None:
        errors.setdefault(f"{index}.{field}" if indexed else field, []).append(message)

    for index, item in enumerate(items):
        if item.person not in persons:
            fail(index, "person", _("没有这个居民，或其不在您的辖区内。"))
        if item.retracts is not None and item.retracts not in targets:
            fail(index, "retracts", _("没有这条事实，或其不在您的辖区内。"))
    if errors:
        raise ValidationError(errors)
    return [
        services.FactInput(
            person=persons[item.person],
            kind=item.kind,
            occurred_at=item.occurred_at,
            outcome=item.outcome or "",
            variant=item.variant or "",
            details=item.details,
            retracts=targets.get(item.retracts) if item.retracts is not None else None,
            source_ref=item.source_ref,
        )
        for item in items
    ]


def _indexed(exc: ValidationError) -> ValidationError:
    """The service names no index for a batch of one; a caller who sent a list expects one."""
    return ValidationError(
        {
            f"0.{field}" if field != "__all__" else field: messages
            for field, messages in exc.message_dict.items()
        }
    )


@router.post(
    "/facts",
    response={201: list[FactRead], **ERROR_RESPONSES},
    operation_id="fangyi_health_api_record_facts",
)
def record_facts(request, payload: FactPayload):
    """Records one fact, or a list of up to 10,000 as a unit; answers with the created facts."""
    many = isinstance(payload, list)
    items = payload if isinstance(payload, list) else [payload]
    inputs = _resolve_facts(request.auth, items, indexed=many)
    try:
        facts = services.record_facts(actor=request.auth, items=inputs, source=SOURCE)
    except ValidationError as exc:
        if many and len(items) == 1:
            raise _indexed(exc) from exc
        raise
    return Status(201, facts)


@router.post(
    "/facts/{fact_id}/retract",
    response={201: FactRead, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_retract_fact",
)
def retract_fact(request, fact_id: str, payload: FactRetract):
    """Records a retraction of the fact; answers with the retraction."""
    fact = get_by_id(Fact.objects.restrict(request.auth, VIEW).select_related("person"), fact_id)
    try:
        retraction = services.retract_fact(
            actor=request.auth, fact=fact, reason=payload.reason, source=SOURCE
        )
    except ValidationError as exc:
        # The caller named the fact in the URL and wrote a reason; speak of those.
        renamed = {"details.reason": "reason", "retracts": "__all__"}
        raise ValidationError(
            {renamed.get(field, field): messages for field, messages in exc.message_dict.items()}
        ) from exc
    return Status(201, retraction)


def _person_with_facts(user, person_id: str) -> Person:
    person = get_by_id(Person.objects.restrict(user, VIEW), person_id)
    if not can(user, FACT, VIEW, person.region_path):
        raise Person.DoesNotExist
    return person


@persons_router.get(
    "/{person_id}/facts",
    response={200: FactPage, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_list_person_facts",
)
def list_person_facts(request, person_id: str, params: Query[PageParams]):
    """The person's facts, newest first, each saying whether it was retracted."""
    person = _person_with_facts(request.auth, person_id)
    # All of them, also those recorded while the person lived elsewhere: the right is checked
    # where they live now, as for the colour those facts still shape.
    facts = Fact.objects.filter(person=person).annotate(
        retracted=Exists(Fact.objects.filter(retracts=OuterRef("pk")))
    )
    items, next_cursor = page_of(facts, ordering=("-occurred_at", "-id"), page=params)
    return {"items": items, "next_cursor": next_cursor}

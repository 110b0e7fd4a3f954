"""Facts, statuses, zones, policies, appeals and manual decisions.

Everything goes through health.services, which checks the right to act, validates and audits;
this module only resolves what a body names. A person, fact or region named in a body that the
caller cannot see is an error in that field (422), exactly like one that does not exist; an
object in the URL that the caller cannot see is 404.

Facts are posted one at a time or in batches of up to 10,000 (a screening round): a batch is
recorded whole or not at all, and each error names the item's index (`3.outcome`).
"""

import datetime
import math
import uuid
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, PlainValidator, TypeAdapter
from pydantic_core import PydanticCustomError

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES, Input, Moment, PageParams, Text, without_nul
from fangyi.people.models import Person
from fangyi.regions.models import Region, ancestor_paths

from . import services
from .area import FACT, POLICY
from .models import (
    Appeal,
    Colour,
    Fact,
    FactKind,
    ManualDecision,
    Policy,
    QuarantineSetting,
    TestOutcome,
    TubeKind,
    Zone,
    ZoneRegion,
)

router = Router(tags=["health"])
persons_router = Router(tags=["health"])
zones_router = Router(tags=["zones"])

MAX_FACTS = 10_000
MAX_REGIONS = 1_000
SOURCE = "api"

FactKindCode = Literal[*FactKind.values]
OutcomeCode = Literal[*TestOutcome.values]
VariantCode = Literal[*TubeKind.values, *QuarantineSetting.values]
ColourCode = Literal[*Colour.values]
AppealState = Literal[*Appeal.State.values]
DecisionState = Literal[*ManualDecision.State.values]
Note = Annotated[Text, Field(max_length=2000)]


def _storable(details: dict) -> dict:
    """Refuses what a JSON column cannot hold: NUL anywhere, NaN and infinities.

    Walked with a stack, not recursion, so a deeply nested body cannot exhaust the stack.
    """
    pending: list = [details]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            for key, inner in value.items():
                without_nul(key)
                pending.append(inner)
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str):
            without_nul(value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError("finite_number", _("数字必须是有限值。"))
    return details


Details = Annotated[dict, AfterValidator(_storable)]


# Facts


class FactCreate(Input):
    person: uuid.UUID
    kind: FactKindCode
    occurred_at: Moment = Field(description="without an offset: the server's time zone")
    outcome: OutcomeCode | None = Field(None, description="test_result only")
    variant: VariantCode | None = Field(
        None,
        description="test_result: single or pooled; quarantine_start/_end: the setting",
    )
    details: Details = Field(
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


@router.post("/facts", response={201: list[FactRead], **ERROR_RESPONSES})
def record_facts(request, payload: FactPayload):
    """Records one fact, or a list of up to 10,000 as a unit; answers with the created facts."""
    many = isinstance(payload, list)
    items = payload if many else [payload]
    inputs = _resolve_facts(request.auth, items, indexed=many)
    try:
        facts = services.record_facts(actor=request.auth, items=inputs, source=SOURCE)
    except ValidationError as exc:
        if many and len(items) == 1:
            raise _indexed(exc) from exc
        raise
    return Status(201, facts)


@router.post("/facts/{fact_id}/retract", response={201: FactRead, **ERROR_RESPONSES})
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


@persons_router.get("/{person_id}/facts", response={200: FactPage, **ERROR_RESPONSES})
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


@persons_router.get("/{person_id}/status", response={200: StatusRead, **ERROR_RESPONSES})
def get_person_status(request, person_id: str):
    """The person's current colour and the reasons for it; whoever may see the person may."""
    person = get_by_id(Person.objects.restrict(request.auth, VIEW), person_id)
    return services.current_status(person)


# Zones


class ZoneCriterion(Schema):
    label: str
    met: bool


class ZoneRead(Schema):
    id: uuid.UUID
    kind: str
    kind_name: str
    name: str
    reason: str
    starts_at: datetime.datetime
    regions: list[str] = Field(description="codes of the regions it covers")
    residents: int
    clean_days: int = Field(description="days since the last positive inside, or the start")
    meets_lifting_criteria: bool
    criteria: list[ZoneCriterion]
    policy: str = Field(description="the plan it was drawn under, e.g. 2022-06-9th.v1")
    lifted_at: datetime.datetime | None
    lift_reason: str
    predecessor: uuid.UUID | None = Field(description="the zone this one was lowered from")


class ZoneLifted(ZoneRead):
    lowered_to: uuid.UUID | None = Field(description="the lower zone that replaces it, if any")


class ZonePage(Schema):
    items: list[ZoneRead]
    next_cursor: str | None


class ZoneParams(PageParams):
    state: Literal["active", "lifted", "all"] = "active"


class ZoneCreate(Input):
    kind: Text = Field(max_length=32, description="a zone kind of the plan in force")
    regions: list[Text] = Field(
        min_length=1, max_length=MAX_REGIONS, description="codes of the regions"
    )
    reason: Note
    starts_at: Moment | None = Field(None, description="now when omitted")
    name: Text = Field("", max_length=100, description="named after its regions when blank")


class ZoneLift(Input):
    reason: Note


def _zone_body(zone: Zone) -> dict:
    state = services.zone_state(zone)
    return {
        "id": zone.pk,
        "kind": zone.kind,
        "kind_name": state.kind.get("name", zone.kind),
        "name": zone.name,
        "reason": zone.reason,
        "starts_at": zone.starts_at,
        "regions": sorted(area.region.code for area in zone.areas.all()),
        "residents": state.residents,
        "clean_days": state.clean_days,
        "meets_lifting_criteria": state.meets_criteria,
        "criteria": [{"label": label, "met": met} for label, met in state.criteria],
        "policy": zone.policy.label,
        "lifted_at": zone.lifted_at,
        "lift_reason": zone.lift_reason,
        "predecessor": zone.predecessor_id,
    }


def _visible_zones(user):
    return (
        Zone.objects.restrict(user, VIEW)
        .select_related("policy", "predecessor")
        .prefetch_related("areas__region")
    )


def _referenced_regions(user, codes: list[str]) -> list[Region]:
    wanted = list(dict.fromkeys(codes))
    found = {r.code: r for r in Region.objects.restrict(user, VIEW).filter(code__in=wanted)}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise ValidationError(
            {
                "regions": _("没有这些区域，或它们不在您的辖区内：%(codes)s。")
                % {"codes": "、".join(missing[:10])}
            }
        )
    return [found[code] for code in wanted]


@zones_router.get("", response={200: ZonePage, **ERROR_RESPONSES})
def list_zones(request, params: Query[ZoneParams]):
    """Visible zones, latest start first: active ones unless `state` says otherwise."""
    zones = _visible_zones(request.auth)
    if params.state == "active":
        zones = zones.active()
    elif params.state == "lifted":
        zones = zones.filter(lifted_at__isnull=False)
    items, next_cursor = page_of(zones, ordering=("-starts_at", "-id"), page=params)
    return {"items": [_zone_body(zone) for zone in items], "next_cursor": next_cursor}


@zones_router.post("", response={201: ZoneRead, **ERROR_RESPONSES})
def draw_zone(request, payload: ZoneCreate):
    """Draws a zone of the plan in force over the regions; their residents are recomputed."""
    regions = _referenced_regions(request.auth, payload.regions)
    zone = services.draw_zone(
        actor=request.auth,
        kind=payload.kind,
        regions=regions,
        reason=payload.reason,
        starts_at=payload.starts_at,
        name=payload.name,
    )
    return Status(201, _zone_body(_visible_zones(request.auth).get(pk=zone.pk)))


@zones_router.get("/{zone_id}", response={200: ZoneRead, **ERROR_RESPONSES})
def get_zone(request, zone_id: str):
    return _zone_body(get_by_id(_visible_zones(request.auth), zone_id))


@zones_router.post("/{zone_id}/lift", response={200: ZoneLifted, **ERROR_RESPONSES})
def lift_zone(request, zone_id: str, payload: ZoneLift):
    """Lifts the zone, or lowers it where the plan says so (high → medium)."""
    zone = get_by_id(_visible_zones(request.auth), zone_id)
    lowered = services.lift_zone(actor=request.auth, zone=zone, reason=payload.reason)
    return _zone_body(zone) | {"lowered_to": lowered.pk if lowered else None}


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


@router.get("/policies", response={200: PolicyList, **ERROR_RESPONSES})
def list_policies(request):
    """Every shipped and stored plan, oldest first; exactly one is in force."""
    return {"items": list(_visible_policies(request.auth))}


@router.post("/policies/{policy_id}/activate", response={200: PolicyRead, **ERROR_RESPONSES})
def activate_policy(request, policy_id: str):
    """Puts the plan in force (commanders and administrators); every colour is recomputed."""
    policy = get_by_id(_visible_policies(request.auth), policy_id)
    return services.switch_policy(actor=request.auth, policy=policy)


# Appeals


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
    state: Literal[*Appeal.State.values, "all"] = "open"


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


def _referenced_person(user, person_id: uuid.UUID) -> Person:
    person = Person.objects.restrict(user, VIEW).filter(pk=person_id).first()
    if person is None:
        raise ValidationError({"person": _("没有这个居民，或其不在您的辖区内。")})
    return person


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


@router.get("/appeals", response={200: AppealPage, **ERROR_RESPONSES})
def list_appeals(request, params: Query[AppealParams]):
    """Visible appeals, oldest first (open ones unless `state` says otherwise)."""
    appeals = _visible_appeals(request.auth)
    if params.state != "all":
        appeals = appeals.filter(state=params.state)
    items, next_cursor = page_of(appeals, ordering=("filed_at", "id"), page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/appeals", response={201: AppealRead, **ERROR_RESPONSES})
def file_appeal(request, payload: AppealCreate):
    """Files an appeal on behalf of a resident against one fact or one zone."""
    person = _referenced_person(request.auth, payload.person)
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


@router.post("/appeals/{appeal_id}/decide", response={200: AppealRead, **ERROR_RESPONSES})
def decide_appeal(request, appeal_id: str, payload: AppealDecide):
    """Accepts or rejects; someone other than who recorded the fact or drew the zone decides."""
    appeal = get_by_id(_visible_appeals(request.auth).select_related("fact", "zone"), appeal_id)
    return services.decide_appeal(
        actor=request.auth, appeal=appeal, accept=payload.accept, note=payload.note
    )


# Manual decisions


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


@router.get("/decisions", response={200: DecisionPage, **ERROR_RESPONSES})
def list_decisions(request, params: Query[DecisionParams]):
    """Visible manual decisions, newest first."""
    decisions = _visible_decisions(request.auth)
    if params.state:
        decisions = decisions.filter(state=params.state)
    items, next_cursor = page_of(decisions, ordering=("-proposed_at", "-id"), page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/decisions", response={201: DecisionRead, **ERROR_RESPONSES})
def propose_decision(request, payload: DecisionCreate):
    """Proposes a manual colour; it takes effect once a second officer approves it."""
    person = _referenced_person(request.auth, payload.person)
    decision = services.propose_decision(
        actor=request.auth,
        person=person,
        colour=payload.colour,
        reason=payload.reason,
        expires_at=payload.expires_at,
    )
    return Status(201, decision)


@router.post("/decisions/{decision_id}/approve", response={200: DecisionRead, **ERROR_RESPONSES})
def approve_decision(request, decision_id: str, payload: DecisionApprove):
    """Approves or rejects a pending decision; the proposer cannot approve their own."""
    decision = get_by_id(_visible_decisions(request.auth), decision_id)
    return services.approve_decision(
        actor=request.auth, decision=decision, approve=payload.approve, note=payload.note
    )


@router.post("/decisions/{decision_id}/revoke", response={200: DecisionRead, **ERROR_RESPONSES})
def revoke_decision(request, decision_id: str, payload: DecisionRevoke):
    """Ends a pending or approved decision; the colour is recomputed."""
    decision = get_by_id(_visible_decisions(request.auth), decision_id)
    return services.revoke_decision(actor=request.auth, decision=decision, note=payload.note)

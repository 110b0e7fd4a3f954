"""Residents' side: one-time-code login, my code, declarations, people I look after.

For the portal's own pages and for app developers. `POST /otp` sends a 6-digit code to the
mobile number (answered 202 alike whether or not anyone has that number), `POST /login` trades
it for a resident bearer token (`Authorization: Bearer fyr_…`), which every other endpoint here
requires; staff tokens are not accepted. A number shared by several residents needs `id_tail`
(the last four characters of the ID number) to choose one: without it the answer is 409 and
the code stays usable for the retry.

Endpoints that take `person` act for someone the resident looks after (confirmed by a grid
worker); any other id is 404.
"""

import datetime
import uuid
from typing import Annotated, Literal

from django.db.models import Exists, OuterRef
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError

from fangyi.accounts.api_auth import unknown_token_from
from fangyi.codes.services import issue_display_code, issue_display_code_where
from fangyi.core.api import get_by_id, page_of
from fangyi.core.schemas import Detail, Input, PageParams, Text, ValidationDetail
from fangyi.health.models import Appeal, Colour, Fact, FactKind, Policy
from fangyi.health.services import current_status
from fangyi.people.models import Person

from . import services
from .auth import TOKEN_PERSON_SQL, resident_auth, resident_auth_checked_later, token_params
from .models import Guardianship, Relation

router = Router(tags=["portal"], auth=resident_auth)

RESIDENT_ERRORS = {401: Detail, 404: Detail, 422: ValidationDetail}
ColourCode = Literal[*Colour.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
SymptomCode = Literal[*services.SYMPTOMS]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
FACT_ORDERING = ("-occurred_at", "-id")


def _subject_person(request, person_id: str | uuid.UUID | None) -> Person:
    pk = services.subject(request.auth.person_id, person_id)
    return Person.objects.get(pk=pk)


def policy_of(label: str) -> Policy | None:
    """The plan a status names by its label (code.vN)."""
    code, _sep, version = label.rpartition(".v")
    if not version.isdigit():
        return None
    return Policy.objects.filter(code=code, version=int(version)).first()


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# Login


class OtpRequest(Input):
    phone: Text = Field(max_length=32, description="mainland mobile number, 11 digits")


class OtpAccepted(Schema):
    detail: str
    expires_in: int = Field(description="seconds the code is valid")
    resend_after: int = Field(description="seconds before another code may be asked for")


class RateLimitedDetail(Schema):
    detail: str
    retry_after: int


def rate_limited(exc: services.RateLimited) -> JsonResponse:
    response = JsonResponse({"detail": exc.message, "retry_after": exc.retry_after}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@router.post(
    "/otp",
    auth=None,
    response={202: OtpAccepted, 422: ValidationDetail, 429: RateLimitedDetail},
)
def request_otp(request, payload: OtpRequest):
    """Sends a login code by SMS, if a resident has this number; the answer is the same if not.

    Limited to one per number a minute and five an hour, and twenty an hour per client address
    (429 with `Retry-After`).
    """
    try:
        sent = services.request_code(phone=payload.phone, ip=_client_ip(request))
    except services.RateLimited as exc:
        return rate_limited(exc)
    return Status(
        202,
        {
            "detail": _("如该号码已登记，验证码已发送，5 分钟内有效。"),
            "expires_in": int((sent.expires_at - timezone.now()).total_seconds()),
            "resend_after": int(services.PHONE_INTERVAL.total_seconds()),
        },
    )


class LoginRequest(Input):
    phone: Text = Field(max_length=32)
    code: Text = Field(max_length=16, description="the 6 digits sent by SMS")
    id_tail: Text = Field(
        "", max_length=8, description="last 4 of the ID number; needed if the number is shared"
    )


class ResidentSummary(Schema):
    id: uuid.UUID
    masked_name: str
    id_tail: str


class LoginRead(Schema):
    token: str = Field(description="shown once; send as Authorization: Bearer <token>")
    expires_at: datetime.datetime
    person: ResidentSummary


@router.post(
    "/login",
    auth=None,
    response={200: LoginRead, 409: Detail, 422: ValidationDetail, 429: RateLimitedDetail},
)
def login(request, payload: LoginRequest):
    """Trades a one-time code for a resident token (valid FANGYI_RESIDENT_LOGIN_DAYS days).

    Five wrong tries void a code. 409: several residents share the number; repeat with `id_tail`.
    429: too many wrong codes from this client address, across numbers (`Retry-After`).
    """
    try:
        person = services.verify_login(
            phone=payload.phone,
            code=payload.code,
            id_tail=payload.id_tail,
            ip=_client_ip(request),
        )
    except services.NeedsIdTail as exc:
        return Status(409, {"detail": str(exc)})
    except services.RateLimited as exc:
        return rate_limited(exc)
    raw, token = services.issue_token(person=person)
    return {"token": raw, "expires_at": token.expires_at, "person": person}


@router.post("/logout", response={204: None, 401: Detail})
def logout(request):
    """Revokes the token this request was made with."""
    services.revoke_token(token_id=request.auth.token_id)
    return Status(204, None)


# My code and colour


class CodeRead(Schema):
    text: str = Field(description="the FY1: code to show as a QR")
    expires_at: datetime.datetime
    colour: ColourCode
    kind: Literal["display"]
    masked_name: str
    id_tail: str
    policy_version: str


@router.get("/code", auth=resident_auth_checked_later, response={200: CodeRead, **RESIDENT_ERRORS})
def my_code(request, person: str | None = None):
    """A fresh display code (5 minutes) of mine, or of someone I look after (`person`)."""
    token = request.auth.token
    if person is None:
        issued = issue_display_code_where(person_sql=TOKEN_PERSON_SQL, params=token_params(token))
    else:
        resident = resident_auth.authenticate(request, token)
        if resident is None:
            raise AuthenticationError
        issued = issue_display_code(person_id=services.subject(resident.person_id, person))
    if issued is None:
        unknown_token_from(request)
        raise AuthenticationError
    # Straight to JSON: validating the answer against CodeRead took a tenth of the request.
    return JsonResponse(
        {
            "text": issued.text,
            "expires_at": issued.expires_at.isoformat(),
            "colour": issued.colour,
            "kind": issued.kind,
            "masked_name": issued.masked_name,
            "id_tail": issued.id_tail,
            "policy_version": issued.policy_version,
        },
        json_dumps_params={"ensure_ascii": False},
    )


class ReasonRead(Schema):
    code: str
    colour: ColourCode
    zh: str
    en: str
    facts: list[uuid.UUID] = Field(description="my facts this reason rests on")
    zone: uuid.UUID | None = Field(None, description="the zone, for a zone reason")
    until: str | None = None


class StatusRead(Schema):
    person: uuid.UUID
    colour: ColourCode
    reasons: list[ReasonRead]
    valid_until: datetime.datetime | None
    policy_version: str
    policy_name: str
    policy_name_en: str
    manual: bool


@router.get("/status", response={200: StatusRead, **RESIDENT_ERRORS})
def my_status(request, person: str | None = None):
    """My colour and why, in Chinese and English; `person` for someone I look after."""
    subject = _subject_person(request, person)
    status = current_status(subject)
    policy = policy_of(status.policy_version)
    return {
        "person": subject.pk,
        "colour": status.colour,
        "reasons": status.reasons,
        "valid_until": status.valid_until,
        "policy_version": status.policy_version,
        "policy_name": policy.name if policy else status.policy_version,
        "policy_name_en": (policy.name_en or policy.name) if policy else status.policy_version,
        "manual": status.manual,
    }


# Facts and declarations


class FactRead(Schema):
    id: uuid.UUID
    kind: str
    kind_label: str
    occurred_at: datetime.datetime
    recorded_at: datetime.datetime
    outcome: str
    variant: str
    source: str
    details: dict
    retracted: bool = Field(description="a later record undid this one")
    appealable: bool = Field(description="may be contested by POST /appeals")

    @staticmethod
    def resolve_kind_label(fact: Fact) -> str:
        return str(fact.get_kind_display())

    @staticmethod
    def resolve_retracted(fact: Fact) -> bool:
        return getattr(fact, "retracted", False)

    @staticmethod
    def resolve_appealable(fact: Fact) -> bool:
        return fact.kind != FactKind.RETRACTION and not getattr(fact, "retracted", False)


class FactPage(Schema):
    items: list[FactRead]
    next_cursor: str | None


class FactParams(PageParams):
    person: Text | None = Field(None, description="someone I look after")


@router.get("/facts", response={200: FactPage, **RESIDENT_ERRORS})
def my_facts(request, params: Query[FactParams]):
    """My health facts, newest first: what my colour rests on and what I may appeal."""
    subject = _subject_person(request, params.person)
    facts = Fact.objects.filter(person=subject).annotate(
        retracted=Exists(Fact.objects.filter(retracts=OuterRef("pk")))
    )
    items, next_cursor = page_of(facts, ordering=FACT_ORDERING, page=params)
    return {"items": items, "next_cursor": next_cursor}


Temperature = Annotated[float, Field(allow_inf_nan=False)]


class HealthDeclaration(Input):
    temperature: Temperature | None = Field(None, description="℃, 34 to 43")
    symptoms: list[SymptomCode] = Field(default_factory=list, max_length=len(services.SYMPTOMS))
    person: uuid.UUID | None = Field(None, description="someone I look after")


def _declaring(request, person_id: uuid.UUID | None) -> tuple[Person, Person | None]:
    """(whom the declaration is about, the guardian declaring, if not the person themselves)."""
    subject = _subject_person(request, person_id)
    if subject.pk == request.auth.person_id:
        return subject, None
    return subject, Person.objects.get(pk=request.auth.person_id)


@router.post("/declarations/health", response={201: FactRead, **RESIDENT_ERRORS})
def declare_health(request, payload: HealthDeclaration):
    """Today's health declaration; it is recorded as a health fact (source "portal")."""
    person, holder = _declaring(request, payload.person)
    fact = services.declare_health(
        person=person, temperature=payload.temperature, symptoms=payload.symptoms, holder=holder
    )
    return Status(201, fact)


class TripDeclaration(Input):
    from_area: Text = Field(max_length=100, description="where from: city, district or area")
    arrived_at: datetime.datetime = Field(description="without an offset: the server's zone")
    risk_area: bool = Field(description="whether it was a medium- or high-risk area then")
    transport: Text = Field("", max_length=100, description="train, flight, car… and number")
    person: uuid.UUID | None = Field(None, description="someone I look after")


@router.post("/declarations/trip", response={201: FactRead, **RESIDENT_ERRORS})
def declare_trip(request, payload: TripDeclaration):
    """A trip. From a risk area it is an `arrival_from_risk_area` fact, which colours the code
    until the tests the policy asks for; otherwise a declaration kept for tracing."""
    person, holder = _declaring(request, payload.person)
    arrived_at = payload.arrived_at
    if timezone.is_naive(arrived_at):
        arrived_at = timezone.make_aware(arrived_at)
    fact = services.declare_trip(
        person=person,
        from_area=payload.from_area,
        arrived_at=arrived_at,
        risk_area=payload.risk_area,
        transport=payload.transport,
        holder=holder,
    )
    return Status(201, fact)


# Appeals


class AppealCreate(Input):
    fact: uuid.UUID | None = Field(None, description="one of my facts (or give a zone)")
    zone: uuid.UUID | None = Field(None, description="a zone I live in (or give a fact)")
    reason: Text = Field(max_length=2000)
    person: uuid.UUID | None = Field(None, description="someone I look after")


class AppealRead(Schema):
    id: uuid.UUID
    fact: uuid.UUID | None
    zone: uuid.UUID | None
    reason: str
    filed_at: datetime.datetime
    state: Literal[*Appeal.State.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
    decided_at: datetime.datetime | None
    decision_note: str

    @staticmethod
    def resolve_fact(appeal: Appeal) -> uuid.UUID | None:
        return appeal.fact_id

    @staticmethod
    def resolve_zone(appeal: Appeal) -> uuid.UUID | None:
        return appeal.zone_id


@router.get("/appeals", response={200: list[AppealRead], **RESIDENT_ERRORS})
def my_appeals(request, person: str | None = None):
    """My appeals, newest first (the last 50)."""
    subject = _subject_person(request, person)
    return list(Appeal.objects.filter(person=subject).order_by("-filed_at")[:50])


@router.post("/appeals", response={201: AppealRead, **RESIDENT_ERRORS})
def file_appeal(request, payload: AppealCreate):
    """Contests one of my facts or a zone I live in; an officer decides."""
    subject = _subject_person(request, payload.person)
    fact = services.own_fact(subject, payload.fact) if payload.fact else None
    zone = services.covering_zone(subject, payload.zone) if payload.zone else None
    appeal = services.appeal(person=subject, reason=payload.reason, fact=fact, zone=zone)
    return Status(201, appeal)


# People I look after


class GuardianshipRead(Schema):
    id: uuid.UUID
    name: str = Field(description="masked, as typed in the request")
    id_tail: str
    relation: Literal[*Relation.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
    state: Literal[*Guardianship.State.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
    person: uuid.UUID | None = Field(description="the dependant, once confirmed: for ?person=")
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None
    decision_note: str

    @staticmethod
    def resolve_name(item: Guardianship) -> str:
        return item.claimed_name

    @staticmethod
    def resolve_id_tail(item: Guardianship) -> str:
        return item.claimed_id_tail

    @staticmethod
    def resolve_state(item: Guardianship) -> str:
        return item.shown_state

    @staticmethod
    def resolve_person(item: Guardianship) -> uuid.UUID | None:
        return item.dependant_id if item.state == Guardianship.State.CONFIRMED else None


class GuardianshipCreate(Input):
    id_number: Text = Field(max_length=32, description="the full ID number")
    name: Text = Field(max_length=50)
    relation: Literal[*Relation.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time


@router.get("/dependants", response={200: list[GuardianshipRead], **RESIDENT_ERRORS})
def my_dependants(request):
    """My requests to look after someone, and their states, newest first."""
    return list(
        Guardianship.objects.filter(holder_id=request.auth.person_id).order_by("-requested_at")[
            :100
        ]
    )


@router.post("/dependants", response={202: GuardianshipRead, **RESIDENT_ERRORS})
def request_dependant(request, payload: GuardianshipCreate):
    """Asks to look after someone (a child, an elderly parent); a grid worker confirms."""
    holder = Person.objects.get(pk=request.auth.person_id)
    item = services.request_guardianship(
        holder=holder, id_number=payload.id_number, name=payload.name, relation=payload.relation
    )
    return Status(202, item)


@router.post("/dependants/{item_id}/end", response={200: GuardianshipRead, **RESIDENT_ERRORS})
def end_dependant(request, item_id: str):
    """Withdraws a request, or stops looking after someone."""
    item = get_by_id(Guardianship.objects.filter(holder_id=request.auth.person_id), item_id)
    holder = Person.objects.get(pk=request.auth.person_id)
    return services.end_guardianship(holder=holder, guardianship=item)

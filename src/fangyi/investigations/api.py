"""Investigations' JSON API: cases and their investigations, places, contacts, the four clocks,
transmission chains and today's new-case figure.

An investigation, place or contact outside the caller's scope answers 404; a person, venue,
place, region or user named in a body that the caller cannot use is an error in that field.
"""

import datetime
import uuid
from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.checkpoints.models import Venue
from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES, Input, Moment, PageParams, Text, omitted
from fangyi.health.models import Fact
from fangyi.people.models import Person
from fangyi.regions.models import Region

from . import chains, services
from .area import INVESTIGATION
from .models import (
    Contact,
    ContactCategory,
    ContactState,
    Investigation,
    InvestigationState,
    Place,
    PlaceSource,
    TeamRole,
)

router = Router(tags=["investigations"])

StateCode = Literal[*InvestigationState.values]  # type: ignore[valid-type]  # a Literal of the choices
CategoryCode = Literal[*ContactCategory.values]  # type: ignore[valid-type]  # a Literal of the choices
ContactStateCode = Literal[*ContactState.values]  # type: ignore[valid-type]  # a Literal of the choices
RoleCode = Literal[*TeamRole.values]  # type: ignore[valid-type]  # a Literal of the choices
NEWEST_FIRST = ("-found_at", "-id")
BY_TIME = ("start", "id")
BY_RECORDING = ("created_at", "id")


class ClockRead(Schema):
    stage: str
    label: str
    started_at: datetime.datetime | None
    done_at: datetime.datetime | None
    limit_minutes: int
    minutes: int | None = Field(description="elapsed (to now while running)")
    state: Literal["waiting", "running", "late", "done", "done_late"]
    red: bool


class MemberRead(Schema):
    user: uuid.UUID
    name: str
    role: RoleCode


class InvestigationRead(Schema):
    id: uuid.UUID
    person: uuid.UUID
    person_name: str = Field(description="masked")
    state: StateCode
    found_at: datetime.datetime
    occurred_at: datetime.datetime
    generation: int
    chain: uuid.UUID | None = Field(description="the id of the chain's first investigation")
    source_contact: uuid.UUID | None
    notes: str
    report_confirmed_at: datetime.datetime | None
    transfer_arrived_at: datetime.datetime | None
    consultation_at: datetime.datetime | None
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_person(investigation: Investigation) -> uuid.UUID:
        return investigation.person_id

    @staticmethod
    def resolve_person_name(investigation: Investigation) -> str:
        return investigation.person.masked_name

    @staticmethod
    def resolve_chain(investigation: Investigation) -> uuid.UUID | None:
        return investigation.chain_root_id

    @staticmethod
    def resolve_source_contact(investigation: Investigation) -> uuid.UUID | None:
        return investigation.source_contact_id


class InvestigationDetail(InvestigationRead):
    team: list[MemberRead]
    clocks: list[ClockRead]

    @staticmethod
    def resolve_team(investigation: Investigation) -> list[dict]:
        return [
            {"user": member.user_id, "name": member.user.display_name(), "role": member.role}
            for member in investigation.team.select_related("user")
        ]

    @staticmethod
    def resolve_clocks(investigation: Investigation) -> list[dict]:
        return [
            {
                "stage": clock.stage,
                "label": clock.label,
                "started_at": clock.started_at,
                "done_at": clock.done_at,
                "limit_minutes": int(clock.limit.total_seconds() // 60),
                "minutes": clock.minutes,
                "state": clock.state,
                "red": clock.red,
            }
            for clock in services.clocks(investigation)
        ]


class InvestigationPage(Schema):
    items: list[InvestigationRead]
    next_cursor: str | None


class InvestigationParams(PageParams):
    state: StateCode | None = None
    region: Text | None = Field(None, max_length=18, description="only under this region code")


class Opening(Input):
    person: uuid.UUID = Field(description="a confirmed or positive resident")


class InvestigationUpdate(Input):
    notes: Text = omitted(max_length=services.MAX_NOTES)
    state: StateCode = omitted()


class MemberInput(Input):
    user: uuid.UUID
    role: RoleCode


class Team(Input):
    members: list[MemberInput] = Field(max_length=services.MAX_TEAM)


class ClockInput(Input):
    stage: Literal["report", "consultation"]
    at: Moment | None = Field(None, description="default: now")


class PlaceRead(Schema):
    id: uuid.UUID
    venue: uuid.UUID | None
    venue_name: str | None
    description: str
    start: datetime.datetime
    end: datetime.datetime
    source: Literal[*PlaceSource.values]  # type: ignore[valid-type]  # a Literal of the choices

    @staticmethod
    def resolve_venue(place: Place) -> uuid.UUID | None:
        return place.venue_id

    @staticmethod
    def resolve_venue_name(place: Place) -> str | None:
        return place.venue.name if place.venue_id and place.venue else None


class PlacePage(Schema):
    items: list[PlaceRead]
    next_cursor: str | None


class PlaceInput(Input):
    venue: uuid.UUID | None = None
    description: Text = Field("", max_length=200)
    start: Moment
    end: Moment


class ProposalInput(Input):
    days: int = Field(services.DEFAULT_DAYS, ge=1, le=services.MAX_DAYS)
    window_minutes: int = Field(services.DEFAULT_WINDOW_MINUTES, ge=1, le=240)


class ProposalRead(Schema):
    places: int
    contacts: int
    truncated: bool = Field(description="more co-located people than one query lists")


class ContactRead(Schema):
    id: uuid.UUID
    investigation: uuid.UUID
    person: uuid.UUID | None
    name: str = Field(description="masked")
    category: CategoryCode
    state: ContactStateCode
    exposure_at: datetime.datetime
    place: uuid.UUID | None
    place_text: str
    region: str | None = Field(description="the grid to locate them in, while not linked")
    task: uuid.UUID | None = Field(description="the field-work task to locate them")
    fact: uuid.UUID | None

    @staticmethod
    def resolve_investigation(contact: Contact) -> uuid.UUID:
        return contact.investigation_id

    @staticmethod
    def resolve_person(contact: Contact) -> uuid.UUID | None:
        return contact.person_id

    @staticmethod
    def resolve_name(contact: Contact) -> str:
        return contact.masked_name

    @staticmethod
    def resolve_place(contact: Contact) -> uuid.UUID | None:
        return contact.place_id

    @staticmethod
    def resolve_region(contact: Contact) -> str | None:
        return contact.region.code if contact.region_id and contact.region else None

    @staticmethod
    def resolve_task(contact: Contact) -> uuid.UUID | None:
        return contact.task_id

    @staticmethod
    def resolve_fact(contact: Contact) -> uuid.UUID | None:
        return contact.fact_id


class ContactPage(Schema):
    items: list[ContactRead]
    next_cursor: str | None


class ContactParams(PageParams):
    state: ContactStateCode | None = None


class ContactInput(Input):
    category: CategoryCode
    exposure_at: Moment
    person: uuid.UUID | None = Field(None, description="a registered resident, if known")
    id_number: Text = Field("", max_length=32, description="or find them by ID number")
    name: Text = Field("", max_length=50)
    phone: Text = Field("", max_length=11)
    address: Text = Field("", max_length=200)
    region: Text = Field("", max_length=18, description="the grid of the address (its code)")
    place: uuid.UUID | None = None
    place_text: Text = Field("", max_length=200)


class Confirmation(Input):
    category: CategoryCode
    exposure_at: Moment | None = None


class Dismissal(Input):
    reason: Text = Field(max_length=services.MAX_TEXT)


class Found(Input):
    person: uuid.UUID = Field(description="the resident found (registered in people first)")


class ChainRead(Schema):
    id: uuid.UUID = Field(description="the first investigation of the chain")
    person: uuid.UUID
    person_name: str
    found_at: datetime.datetime
    cases: int
    size: int
    generations: int
    new_this_week: int


class ChainPage(Schema):
    items: list[ChainRead]
    next_cursor: str | None


class ChainParams(PageParams):
    since: Moment | None = Field(None, description="chains with a case found from then")
    until: Moment | None = Field(None, description="…and before then")
    region: Text | None = Field(None, max_length=18, description="cases under this region code")


class GraphParams(Schema):
    since: Moment | None = None
    until: Moment | None = None
    region: Text | None = Field(None, max_length=18)


class GraphNode(Schema):
    id: str
    name: str
    category: int
    kind: str
    generation: int
    url: str
    found_at: str | None = None


class GraphLink(Schema):
    source: str
    target: str


class GraphRead(Schema):
    nodes: list[GraphNode]
    links: list[GraphLink]


class FigureParams(Schema):
    day: datetime.date | None = Field(None, description="default: today")


class FigureRead(Schema):
    day: datetime.date
    total: int
    under_quarantine: int
    in_sealed_zone: int
    controlled: int = Field(description="管控内: under quarantine or in a sealed zone")
    community: int = Field(description="社会面: found in the community")


def _investigations(user, action: str = VIEW):
    return Investigation.objects.restrict(user, action).select_related("person")


def _investigation(request, investigation_id: str) -> Investigation:
    return get_by_id(_investigations(request.auth), investigation_id)


def _contact(request, contact_id: str) -> Contact:
    return get_by_id(
        Contact.objects.restrict(request.auth, VIEW).select_related(
            "person", "region", "investigation__person"
        ),
        contact_id,
    )


def _within(user, code: str | None) -> str:
    if not code:
        return ""
    region = Region.objects.restrict(user, VIEW).filter(code=code).first()
    if region is None:
        raise ValidationError({"region": _("没有这个区域，或其不在您的辖区内。")})
    return region.path


def _detail(investigation: Investigation) -> Investigation:
    """The investigation as read again, with its team."""
    return Investigation.objects.select_related("person").get(pk=investigation.pk)


@router.get("", response={200: InvestigationPage, **ERROR_RESPONSES})
def list_investigations(request, params: Query[InvestigationParams]):
    """Investigations in the caller's regions, newest case first."""
    investigations = Investigation.objects.restrict(
        request.auth, VIEW, within=_within(request.auth, params.region)
    ).select_related("person")
    if params.state:
        investigations = investigations.filter(state=params.state)
    items, next_cursor = page_of(investigations, ordering=NEWEST_FIRST, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", response={200: InvestigationDetail, 201: InvestigationDetail, **ERROR_RESPONSES})
def open_investigation(request, payload: Opening):
    """Opens the case's investigation; answers the existing one (200) if it is open already."""
    person = Person.objects.restrict(request.auth, VIEW).filter(pk=payload.person).first()
    if person is None:
        raise ValidationError({"person": _("没有这个居民，或其不在您的辖区内。")})
    investigation, created = services.open_investigation(actor=request.auth, person=person)
    return Status(201 if created else 200, _detail(investigation))


@router.get("/chains", response={200: ChainPage, **ERROR_RESPONSES})
def list_chains(request, params: Query[ChainParams]):
    """Transmission chains whose first case is in the caller's regions, with their figures."""
    user = request.auth
    roots = Investigation.objects.restrict(user, VIEW).filter(source_contact__isnull=True)
    within = _within(user, params.region)
    if within or params.since or params.until:
        cases = Investigation.objects.restrict(user, VIEW, within=within)
        cases = chains.in_window(cases, "found_at", params.since, params.until)
        roots = roots.filter(pk__in=cases.values("chain_root_id"))
    rows, next_cursor = page_of(roots.select_related("person"), ordering=NEWEST_FIRST, page=params)
    return {
        "items": [
            {
                "id": figure.root.pk,
                "person": figure.root.person_id,
                "person_name": figure.root.person.masked_name,
                "found_at": figure.root.found_at,
                "cases": figure.cases,
                "size": figure.size,
                "generations": figure.generations,
                "new_this_week": figure.new_this_week,
            }
            for figure in chains.figures(rows)
        ],
        "next_cursor": next_cursor,
    }


@router.get("/chains/{investigation_id}", response={200: GraphRead, **ERROR_RESPONSES})
def chain_graph(request, investigation_id: str, params: Query[GraphParams]):
    """The chain an investigation belongs to, as graph nodes (masked) and links."""
    investigation = _investigation(request, investigation_id)
    return chains.graph(
        investigation,
        since=params.since,
        until=params.until,
        within=_within(request.auth, params.region),
    )


@router.get("/figures", response={200: FigureRead, **ERROR_RESPONSES})
def figures(request, params: Query[FigureParams]):
    """Of the day's new cases in the caller's regions: 管控内 and 社会面."""
    if not can(request.auth, INVESTIGATION, VIEW):
        raise PermissionDenied(_("只有流调人员和指挥人员可以查看病例统计。"))
    day = params.day or timezone.localdate()
    found = chains.new_cases(Fact.objects.restrict(request.auth, VIEW), day)
    return {
        "day": found.day,
        "total": found.total,
        "under_quarantine": found.under_quarantine,
        "in_sealed_zone": found.in_sealed_zone,
        "controlled": found.controlled,
        "community": found.community,
    }


@router.get("/{investigation_id}", response={200: InvestigationDetail, **ERROR_RESPONSES})
def get_investigation(request, investigation_id: str):
    return _detail(_investigation(request, investigation_id))


@router.patch("/{investigation_id}", response={200: InvestigationDetail, **ERROR_RESPONSES})
def update_investigation(request, investigation_id: str, payload: InvestigationUpdate):
    """Notes, and closing or reopening."""
    investigation = _investigation(request, investigation_id)
    fields = payload.model_dump(exclude_unset=True)
    services.update(
        actor=request.auth,
        investigation=investigation,
        notes=fields.get("notes"),
        state=fields.get("state"),
    )
    return _detail(investigation)


@router.put("/{investigation_id}/team", response={200: InvestigationDetail, **ERROR_RESPONSES})
def set_team(request, investigation_id: str, payload: Team):
    """Replaces the team: investigators, a police officer, a transfer officer."""
    investigation = _investigation(request, investigation_id)
    users = get_user_model().objects.in_bulk([member.user for member in payload.members])
    services.set_team(
        actor=request.auth,
        investigation=investigation,
        members=[(users.get(member.user), member.role) for member in payload.members],
    )
    return _detail(investigation)


@router.post("/{investigation_id}/clocks", response={200: InvestigationDetail, **ERROR_RESPONSES})
def record_clock(request, investigation_id: str, payload: ClockInput):
    """Records "report confirmed" or "expert consultation" (now, or at the time given)."""
    investigation = _investigation(request, investigation_id)
    services.record_clock(
        actor=request.auth,
        investigation=investigation,
        stage=payload.stage,
        at=payload.at or timezone.now(),
    )
    return _detail(investigation)


@router.get("/{investigation_id}/places", response={200: PlacePage, **ERROR_RESPONSES})
def list_places(request, investigation_id: str, params: Query[PageParams]):
    investigation = _investigation(request, investigation_id)
    places = investigation.places.select_related("venue")
    items, next_cursor = page_of(places, ordering=BY_TIME, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/{investigation_id}/places", response={201: PlaceRead, **ERROR_RESPONSES})
def add_place(request, investigation_id: str, payload: PlaceInput):
    investigation = _investigation(request, investigation_id)
    venue = None
    if payload.venue is not None:
        venue = Venue.objects.restrict(request.auth, VIEW).filter(pk=payload.venue).first()
        if venue is None:
            raise ValidationError({"venue": _("没有这个场所，或其不在您的辖区内。")})
    place = services.add_place(
        actor=request.auth,
        investigation=investigation,
        venue=venue,
        description=payload.description,
        start=payload.start,
        end=payload.end,
    )
    return Status(201, place)


@router.post("/{investigation_id}/proposals", response={200: ProposalRead, **ERROR_RESPONSES})
def propose(request, investigation_id: str, payload: ProposalInput):
    """Proposes places from the case's check-ins and scans, and contacts from the people
    checked in at the same venues within the window; each query is logged."""
    investigation = _investigation(request, investigation_id)
    proposal = services.propose(
        actor=request.auth,
        investigation=investigation,
        days=payload.days,
        window_minutes=payload.window_minutes,
    )
    return {
        "places": proposal.places,
        "contacts": proposal.contacts,
        "truncated": proposal.truncated,
    }


@router.get("/{investigation_id}/contacts", response={200: ContactPage, **ERROR_RESPONSES})
def list_contacts(request, investigation_id: str, params: Query[ContactParams]):
    investigation = _investigation(request, investigation_id)
    contacts = Contact.objects.restrict(request.auth, VIEW).filter(investigation=investigation)
    if params.state:
        contacts = contacts.filter(state=params.state)
    contacts = contacts.select_related("person", "region")
    items, next_cursor = page_of(contacts, ordering=BY_RECORDING, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/{investigation_id}/contacts", response={201: ContactRead, **ERROR_RESPONSES})
def record_contact(request, investigation_id: str, payload: ContactInput):
    """A registered resident (by id, ID number, or name and phone) is linked and their contact
    fact written; anyone else (name, phone, address, grid) becomes a task to locate them."""
    user = request.auth
    investigation = _investigation(request, investigation_id)
    errors: dict[str, list[str]] = {}
    person = None
    if payload.person is not None:
        person = Person.objects.restrict(user, VIEW).filter(pk=payload.person).first()
        if person is None:
            errors["person"] = [_("没有这个居民，或其不在您的辖区内。")]
    elif payload.id_number or (payload.name and payload.phone):
        person = services.find_resident(
            actor=user, id_number=payload.id_number, name=payload.name, phone=payload.phone
        )
        if person is None and payload.id_number:
            errors["id_number"] = [
                _("辖区内没有该证件号码的居民；未登记的请填写姓名、地址和网格。")
            ]
    region = None
    if person is None and payload.region:
        region = Region.objects.filter(code=payload.region).first()
        if region is None:
            errors["region"] = [_("没有这个区域。")]
    place = None
    if payload.place is not None:
        place = investigation.places.filter(pk=payload.place).first()
        if place is None:
            errors["place"] = [_("该地点不属于此流调。")]
    if errors:
        raise ValidationError(errors)
    contact = services.record_contact(
        actor=user,
        investigation=investigation,
        category=payload.category,
        exposure_at=payload.exposure_at,
        person=person,
        name=payload.name,
        phone=payload.phone,
        address=payload.address,
        region=region,
        place=place,
        place_text=payload.place_text,
    )
    return Status(201, contact)


@router.post("/contacts/{contact_id}/confirm", response={200: ContactRead, **ERROR_RESPONSES})
def confirm_contact(request, contact_id: str, payload: Confirmation):
    """A proposed contact is a close or secondary contact: their fact is written."""
    contact = _contact(request, contact_id)
    return services.confirm_contact(
        actor=request.auth,
        contact=contact,
        category=payload.category,
        exposure_at=payload.exposure_at,
    )


@router.post("/contacts/{contact_id}/dismiss", response={200: ContactRead, **ERROR_RESPONSES})
def dismiss_contact(request, contact_id: str, payload: Dismissal):
    contact = _contact(request, contact_id)
    return services.dismiss_contact(actor=request.auth, contact=contact, reason=payload.reason)


@router.post("/contacts/{contact_id}/found", response={200: ContactRead, **ERROR_RESPONSES})
def contact_found(request, contact_id: str, payload: Found):
    """The contact to locate was found: link the resident, write the fact, finish the task."""
    contact = _contact(request, contact_id)
    person = Person.objects.restrict(request.auth, VIEW).filter(pk=payload.person).first()
    if person is None:
        raise ValidationError({"person": _("没有这个居民，或其不在您的辖区内。")})
    return services.contact_found(actor=request.auth, contact=contact, person=person)

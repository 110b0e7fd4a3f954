"""Persons and households. Ids are UUIDs; personal data is masked unless revealed.

Reads go through `restrict(user, "view")`, so a person or household outside the caller's
regions answers 404. Every change goes through people.services, which checks the right to
change, validates, and records an ObjectChange. Plain-text name, ID number and phone come
only from the reveal endpoints, which need a reason and record an AccessEvent.
"""

import datetime
import uuid
from typing import Literal, TypeAlias

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import VIEW
from fangyi.core.schemas import ERROR_RESPONSES, Input, PageParams, omitted
from fangyi.regions.models import Region

from . import services
from .models import (
    TAG_FIELDS,
    TAG_SLUGS,
    Gender,
    Household,
    IdType,
    Person,
    ResidenceStatus,
    person_colours,
)
from .validation import NOTES_MAX_LENGTH

persons_router = Router(tags=["persons"])
households_router = Router(tags=["households"])

GenderCode = Literal[*Gender.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
IdTypeCode = Literal[*IdType.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ResidenceStatusCode = Literal[*ResidenceStatus.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
Tag = Literal[*TAG_SLUGS]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
StoredTag = Literal[*TAG_FIELDS]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
RevealableField = Literal["name", "id_number", "phone"]
# Built at run time like the Literals above; an alias by annotation because mypy takes this
# expression for a variable, and not a `type` statement, which pydantic names in the schema.
ColourCode: TypeAlias = Literal[*(code for code, _label in person_colours())]  # type: ignore[valid-type]  # noqa: UP040

SCOPE_ORDER = ("region_path", "id")


def visible_persons(user, *, within: str = ""):
    return Person.objects.restrict(user, VIEW, within=within).select_related(
        "household__building__parent__parent__parent", "health_status"
    )


def visible_households(user, *, within: str = ""):
    return Household.objects.restrict(user, VIEW, within=within).with_address()


def visible_region(user, code: str) -> Region:
    return Region.objects.restrict(user, VIEW).get(code=code)


def referenced_household(user, household_id: uuid.UUID) -> Household:
    """The household a body names; an unknown or hidden one is an error in that field."""
    household = visible_households(user).filter(pk=household_id).first()
    if household is None:
        raise ValidationError({"household": _("没有这个户，或它不在您的辖区内。")})
    return household


def referenced_building(user, code: str) -> Region:
    building = Region.objects.restrict(user, VIEW).filter(code=code).first()
    if building is None:
        raise ValidationError({"building": _("没有这个楼栋，或它不在您的辖区内。")})
    return building


class MemberRead(Schema):
    id: uuid.UUID
    masked_name: str
    masked_id_number: str
    masked_phone: str
    gender: GenderCode
    birth_date: datetime.date
    age: int
    tags: list[Tag]
    residence_status: ResidenceStatusCode

    @staticmethod
    def resolve_age(person: Person) -> int:
        return person.age()


class PersonRead(MemberRead):
    id_type: IdTypeCode
    household: uuid.UUID
    building: str = Field(description="code of the building the household lives in")
    region_path: str
    address: str
    notes: str
    colour: ColourCode | None = Field(
        description="colour of the current health status; null before the first one"
    )

    @staticmethod
    def resolve_colour(person: Person) -> str | None:
        return person.colour or None

    @staticmethod
    def resolve_household(person: Person) -> uuid.UUID:
        return person.household_id

    @staticmethod
    def resolve_building(person: Person) -> str:
        return person.household.building.code

    @staticmethod
    def resolve_address(person: Person) -> str:
        return person.household.address


class PersonPage(Schema):
    items: list[PersonRead]
    next_cursor: str | None


class PersonParams(PageParams):
    q: str | None = Field(
        None,
        description="a whole ID number, its last 4 characters, an 11-digit mobile, "
        "or any part of a name",
    )
    tag: Tag | None = None
    colour: ColourCode | None = Field(None, description="colour of the current health status")
    residence_status: ResidenceStatusCode | None = None
    region: str | None = Field(None, description="code of a region: persons under it")


class PersonCreate(Input):
    household: uuid.UUID
    name: str
    id_type: IdTypeCode = IdType.RESIDENT_ID.value
    id_number: str
    gender: GenderCode | None = Field(None, description="read from a resident ID when omitted")
    birth_date: datetime.date | None = Field(
        None, description="read from a resident ID when omitted"
    )
    phone: str = ""
    residence_status: ResidenceStatusCode = ResidenceStatus.RESIDENT.value
    tags: list[StoredTag] = []
    notes: str = Field("", max_length=NOTES_MAX_LENGTH)


class PersonUpdate(Input):
    household: uuid.UUID = omitted()
    name: str = omitted()
    id_type: IdTypeCode = omitted()
    id_number: str = omitted()
    gender: GenderCode = omitted()
    birth_date: datetime.date = omitted()
    phone: str = omitted()
    residence_status: ResidenceStatusCode = omitted()
    tags: list[StoredTag] = omitted(description="the complete list: tags not named are removed")
    notes: str = omitted(max_length=NOTES_MAX_LENGTH)


class PersonReveal(Input):
    reason: str = Field(description="why the plain text is needed; recorded in the audit trail")
    fields: list[RevealableField] | None = Field(None, description="all three when omitted")


class PersonRevealed(Schema):
    id: uuid.UUID
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None


@persons_router.get("", response={200: PersonPage, **ERROR_RESPONSES})
def list_persons(request, params: Query[PersonParams]):
    """Visible persons, masked, in region order."""
    within = visible_region(request.auth, params.region).path if params.region else ""
    persons = visible_persons(request.auth, within=within).search(params.q or "")
    if params.tag:
        persons = persons.with_tag(params.tag)
    if params.residence_status:
        persons = persons.filter(residence_status=params.residence_status)
    if params.colour:
        persons = persons.with_colour(params.colour)
    items, next_cursor = page_of(persons, ordering=SCOPE_ORDER, page=params)
    return {"items": items, "next_cursor": next_cursor}


@persons_router.get("/{person_id}", response={200: PersonRead, **ERROR_RESPONSES})
def get_person(request, person_id: str):
    return get_by_id(visible_persons(request.auth), person_id)


@persons_router.post("", response={201: PersonRead, **ERROR_RESPONSES})
def create_person(request, payload: PersonCreate):
    fields = payload.model_dump()
    fields["household"] = referenced_household(request.auth, payload.household)
    return Status(201, services.create_person(actor=request.auth, **fields))


@persons_router.patch("/{person_id}", response={200: PersonRead, **ERROR_RESPONSES})
def update_person(request, person_id: str, payload: PersonUpdate):
    """Changes only the fields sent."""
    person = get_by_id(visible_persons(request.auth), person_id)
    changes = payload.model_dump(exclude_unset=True)
    if "household" in changes:
        changes["household"] = referenced_household(request.auth, payload.household)
    return services.update_person(actor=request.auth, person=person, changes=changes)


@persons_router.post(
    "/{person_id}/reveal",
    response={200: PersonRevealed, **ERROR_RESPONSES},
    exclude_unset=True,
)
def reveal_person(request, person_id: str, payload: PersonReveal):
    """The plain-text name, ID number and phone (or those asked for); the reveal is logged."""
    person = get_by_id(visible_persons(request.auth), person_id)
    chosen = {} if payload.fields is None else {"fields": payload.fields}
    revealed = services.reveal_person(
        actor=request.auth, person=person, reason=payload.reason, **chosen
    )
    return {"id": person.pk, **revealed}


class HouseholdRead(Schema):
    id: uuid.UUID
    building: str = Field(description="code of the building")
    unit: str
    room: str
    region_path: str
    address: str
    notes: str

    @staticmethod
    def resolve_building(household: Household) -> str:
        return household.building.code


class HouseholdDetail(HouseholdRead):
    members: list[MemberRead]

    @staticmethod
    def resolve_members(household: Household, context) -> list[Person]:
        persons = Person.objects.restrict(context["request"].auth, VIEW)
        return list(persons.filter(household=household).order_by("birth_date", "id"))


class HouseholdPage(Schema):
    items: list[HouseholdRead]
    next_cursor: str | None


class HouseholdParams(PageParams):
    region: str | None = Field(None, description="code of a region: households under it")


class HouseholdCreate(Input):
    building: str = Field(description="code of the building")
    unit: str = ""
    room: str
    notes: str = Field("", max_length=NOTES_MAX_LENGTH)


class HouseholdUpdate(Input):
    building: str = omitted(description="code of the building")
    unit: str = omitted()
    room: str = omitted()
    notes: str = omitted(max_length=NOTES_MAX_LENGTH)


class HouseholdReveal(Input):
    reason: str = Field(description="why the plain text is needed; recorded in the audit trail")


class MemberRevealed(Schema):
    id: uuid.UUID
    name: str
    id_number: str
    phone: str


class HouseholdRevealed(Schema):
    id: uuid.UUID
    members: list[MemberRevealed]


@households_router.get("", response={200: HouseholdPage, **ERROR_RESPONSES})
def list_households(request, params: Query[HouseholdParams]):
    """Visible households in region order."""
    within = visible_region(request.auth, params.region).path if params.region else ""
    households = visible_households(request.auth, within=within)
    items, next_cursor = page_of(households, ordering=SCOPE_ORDER, page=params)
    return {"items": items, "next_cursor": next_cursor}


@households_router.get("/{household_id}", response={200: HouseholdDetail, **ERROR_RESPONSES})
def get_household(request, household_id: str):
    """The household with its members, masked."""
    return get_by_id(visible_households(request.auth), household_id)


@households_router.post("", response={201: HouseholdDetail, **ERROR_RESPONSES})
def create_household(request, payload: HouseholdCreate):
    fields = payload.model_dump()
    fields["building"] = referenced_building(request.auth, payload.building)
    return Status(201, services.create_household(actor=request.auth, **fields))


@households_router.patch("/{household_id}", response={200: HouseholdDetail, **ERROR_RESPONSES})
def update_household(request, household_id: str, payload: HouseholdUpdate):
    """Changes only the fields sent; moving to another building moves the members too."""
    household = get_by_id(visible_households(request.auth), household_id)
    changes = payload.model_dump(exclude_unset=True)
    if "building" in changes:
        changes["building"] = referenced_building(request.auth, payload.building)
    return services.update_household(actor=request.auth, household=household, changes=changes)


@households_router.post(
    "/{household_id}/reveal", response={200: HouseholdRevealed, **ERROR_RESPONSES}
)
def reveal_household(request, household_id: str, payload: HouseholdReveal):
    """Every member's plain-text name, ID number and phone; one logged reveal per member."""
    household = get_by_id(visible_households(request.auth), household_id)
    members = services.reveal_household(
        actor=request.auth, household=household, reason=payload.reason
    )
    return {"id": household.pk, "members": members}

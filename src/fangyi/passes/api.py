"""Couriers' passes' JSON API, under /api/v1/passes: the whitelist (list, create, read, edit,
suspend, resume, revoke) for officers, and the holder's own pass (`GET /passes/mine`) for a
resident's token.

A region, area, person or household named in a body that the caller cannot see is an error in
that field (422); a pass in the URL that the caller cannot see is 404.
"""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.masking import mask_name
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES, Input, PageParams, Text, omitted
from fangyi.people.models import Household, Person
from fangyi.portal.api import RESIDENT_ERRORS
from fangyi.portal.auth import resident_auth
from fangyi.regions.models import Region

from . import services
from .area import SUPPLY_PASS
from .models import PassRole, PassState, SupplyPass

router = Router(tags=["passes"])

RoleCode = Literal[*PassRole.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
StateCode = Literal[*PassState.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ORDERING = ("region_path", "id")


class AreaRead(Schema):
    code: str
    name: str


class PassRead(Schema):
    id: uuid.UUID
    person: uuid.UUID
    person_name: str = Field(description="masked")
    id_tail: str
    role: RoleCode
    role_name: str
    organisation: str
    plate: str
    region: str = Field(description="the region code whose officers keep the pass")
    region_name: str
    areas: list[AreaRead] = Field(description="where the pass lets its holder through")
    valid_from: datetime.date
    valid_until: datetime.date
    state: StateCode
    state_name: str
    state_reason: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_person(supply_pass: SupplyPass) -> uuid.UUID:
        return supply_pass.person_id

    @staticmethod
    def resolve_person_name(supply_pass: SupplyPass) -> str:
        return mask_name(supply_pass.person.name)

    @staticmethod
    def resolve_id_tail(supply_pass: SupplyPass) -> str:
        return supply_pass.person.id_tail

    @staticmethod
    def resolve_role_name(supply_pass: SupplyPass) -> str:
        return str(supply_pass.get_role_display())

    @staticmethod
    def resolve_region(supply_pass: SupplyPass) -> str:
        return supply_pass.region.code

    @staticmethod
    def resolve_region_name(supply_pass: SupplyPass) -> str:
        return supply_pass.region.name

    @staticmethod
    def resolve_areas(supply_pass: SupplyPass) -> list[dict]:
        return [{"code": a.code, "name": a.name} for a in supply_pass.areas.order_by("path")]

    @staticmethod
    def resolve_state_name(supply_pass: SupplyPass) -> str:
        return str(supply_pass.get_state_display())


class PassPage(Schema):
    items: list[PassRead]
    next_cursor: str | None


class PassParams(PageParams):
    state: StateCode | None = None
    role: RoleCode | None = None
    region: str | None = Field(
        None, max_length=18, description="a region code: passes kept there or below"
    )


class PassCreate(Input):
    person: uuid.UUID | None = Field(None, description="a registered person; or name and id_number")
    name: Text = Field("", max_length=50)
    id_number: Text = Field("", max_length=32, description="a resident ID number")
    household: uuid.UUID | None = Field(
        None, description="where to register a person the ID number does not find"
    )
    region: Text = Field(max_length=18, description="the region code whose officers keep it")
    areas: list[Text] = Field(
        min_length=1, max_length=services.MAX_AREAS, description="region codes it opens"
    )
    role: RoleCode
    organisation: Text = Field(max_length=services.MAX_ORGANISATION)
    plate: Text = Field("", max_length=20, description="a Chinese plate, e.g. 闽A12345")
    valid_from: datetime.date
    valid_until: datetime.date


class PassUpdate(Input):
    role: RoleCode = omitted()
    organisation: Text = omitted(max_length=services.MAX_ORGANISATION)
    plate: Text = omitted(max_length=20)
    areas: list[Text] = omitted(min_length=1, max_length=services.MAX_AREAS)
    valid_from: datetime.date = omitted()
    valid_until: datetime.date = omitted()


class ReasonInput(Input):
    reason: Text = Field(max_length=services.MAX_REASON)


class HolderPassRead(Schema):
    problem: str = Field(
        description='"" when a pass is shown; no_pass, suspended, not_yet or ended otherwise'
    )
    text: str | None = Field(description="the signed pass (FY1:…), for the QR")
    issued_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    colour: str | None = Field(description="the holder's colour the pass carries")
    tested_at: datetime.datetime | None = Field(description="the last negative test it carries")
    test_hours: int = Field(description="how old a test may be, under the plan in force")
    refusal: str = Field(
        description='"" when a checkpoint would let the holder through; not_green or '
        "test_too_old otherwise (the checkpoint also checks its own region)"
    )
    organisation: str | None
    plate: str | None
    areas: list[str] = Field(description="the names of the areas the pass opens")
    valid_until: datetime.date | None


def _region(user, code: str, field: str) -> Region:
    region = Region.objects.restrict(user, VIEW).filter(code=code.strip()).first()
    if region is None:
        raise ValidationError({field: _("没有这个区域，或其不在您的辖区内。")})
    return region


def _areas(user, codes: list[str]) -> list[Region]:
    return [_region(user, code, "areas") for code in codes]


def _visible(request, pass_id: str) -> SupplyPass:
    passes = SupplyPass.objects.restrict(request.auth, VIEW).select_related("person", "region")
    return get_by_id(passes, pass_id)


@router.get("", response={200: PassPage, **ERROR_RESPONSES})
def list_passes(request, params: Query[PassParams]):
    """The whitelist in the caller's regions, by region."""
    user = request.auth
    if not can(user, SUPPLY_PASS, VIEW):
        raise PermissionDenied(_("您无权查看保供通行证。"))
    within = _region(user, params.region, "region").path if params.region else ""
    passes = SupplyPass.objects.restrict(user, VIEW, within=within).select_related(
        "person", "region"
    )
    if params.state:
        passes = passes.filter(state=params.state)
    if params.role:
        passes = passes.filter(role=params.role)
    items, next_cursor = page_of(passes, ordering=ORDERING, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/mine", auth=resident_auth, response={200: HolderPassRead, **RESIDENT_ERRORS})
def my_pass(request):
    """The resident's own pass, freshly signed (it lives a few minutes), or why there is none."""
    person = Person.objects.get(pk=request.auth.person_id)
    found = services.holder_pass(person)
    supply_pass = found.supply_pass
    code = found.code
    return {
        "problem": found.problem,
        "text": code.text if code else None,
        "issued_at": code.issued_at if code else None,
        "expires_at": code.expires_at if code else None,
        "colour": found.colour or None,
        "tested_at": found.tested_at,
        "test_hours": found.test_hours,
        "refusal": found.refusal,
        "organisation": supply_pass.organisation if supply_pass else None,
        "plate": supply_pass.plate if supply_pass else None,
        "areas": [a.name for a in supply_pass.areas.order_by("path")] if supply_pass else [],
        "valid_until": supply_pass.valid_until if supply_pass else None,
    }


@router.post("", response={201: PassRead, **ERROR_RESPONSES})
def create_pass(request, payload: PassCreate):
    """Whitelists a courier, driver or volunteer: a registered person, or a name and ID number
    (found among the caller's residents, or registered in `household`)."""
    user = request.auth
    if not can(user, SUPPLY_PASS, ADD):
        raise PermissionDenied(_("您无权登记保供人员。"))
    region = _region(user, payload.region, "region")
    person = None
    if payload.person is not None:
        person = Person.objects.restrict(user, VIEW).filter(pk=payload.person).first()
        if person is None:
            raise ValidationError({"person": _("没有这个居民，或其不在您的辖区内。")})
    household = None
    if payload.household is not None:
        household = Household.objects.restrict(user, VIEW).filter(pk=payload.household).first()
        if household is None:
            raise ValidationError({"household": _("没有这个户，或其不在您的辖区内。")})
    supply_pass = services.create_pass(
        actor=user,
        region=region,
        areas=_areas(user, payload.areas),
        role=payload.role,
        organisation=payload.organisation,
        plate=payload.plate,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        person=person,
        name=payload.name,
        id_number=payload.id_number,
        household=household,
    )
    return Status(201, _visible(request, str(supply_pass.pk)))


@router.get("/{pass_id}", response={200: PassRead, **ERROR_RESPONSES})
def get_pass(request, pass_id: str):
    return _visible(request, pass_id)


@router.patch("/{pass_id}", response={200: PassRead, **ERROR_RESPONSES})
def update_pass(request, pass_id: str, payload: PassUpdate):
    """Changes what the pass says; the codes alive are revoked, the next one says it anew."""
    supply_pass = _visible(request, pass_id)
    if not can(request.auth, SUPPLY_PASS, CHANGE, supply_pass.region_path):
        raise PermissionDenied(_("您无权修改该通行证。"))
    changes = payload.model_dump(exclude_unset=True)
    if "areas" in changes:
        changes["areas"] = _areas(request.auth, changes["areas"])
    services.update_pass(actor=request.auth, supply_pass=supply_pass, changes=changes)
    return _visible(request, pass_id)


@router.post("/{pass_id}/suspend", response={200: PassRead, **ERROR_RESPONSES})
def suspend_pass(request, pass_id: str, payload: ReasonInput):
    """Stops the pass for now; the codes alive join the revocation list."""
    supply_pass = _visible(request, pass_id)
    services.suspend_pass(actor=request.auth, supply_pass=supply_pass, reason=payload.reason)
    return _visible(request, pass_id)


@router.post("/{pass_id}/resume", response={200: PassRead, **ERROR_RESPONSES})
def resume_pass(request, pass_id: str):
    supply_pass = _visible(request, pass_id)
    services.resume_pass(actor=request.auth, supply_pass=supply_pass)
    return _visible(request, pass_id)


@router.post("/{pass_id}/revoke", response={200: PassRead, **ERROR_RESPONSES})
def revoke_pass(request, pass_id: str, payload: ReasonInput):
    """Ends the pass for good (a reason is required); the codes alive join the revocation
    list."""
    supply_pass = _visible(request, pass_id)
    services.revoke_pass(actor=request.auth, supply_pass=supply_pass, reason=payload.reason)
    return _visible(request, pass_id)

"""Enterprises' JSON API, under /api/v1/enterprises: the register and self-registration, the
applications to reopen and their decisions, an enterprise's employees (linked by ID number,
seen only as colour, zone kind and last negative test), and the resident's own links.

A region named in a body that the caller cannot see is an error in that field (422); an
enterprise or application in the URL that the caller cannot see is 404.
"""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core import ratelimit
from fangyi.core.api import get_by_id, page_of
from fangyi.core.paths import under
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES, Input, PageParams, Text
from fangyi.people.models import Person
from fangyi.portal.api import RESIDENT_ERRORS
from fangyi.portal.auth import resident_auth
from fangyi.regions.models import Region

from . import services
from .area import EMPLOYEE, ENTERPRISE
from .models import Application, Employment, Enterprise, Standing

router = Router(tags=["enterprises"])

StandingCode = Literal[*Standing.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ApplicationState = Literal[*Application.State.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ORDERING = ("region_path", "id")


class EnterpriseRead(Schema):
    id: uuid.UUID
    name: str
    credit_code: str
    region: str = Field(description="the region code of its address")
    region_name: str
    address: str
    contact_name: str
    contact_phone: str
    standing: StandingCode
    standing_name: str
    staff_count: int | None
    self_registered: bool
    created_at: datetime.datetime

    @staticmethod
    def resolve_region(enterprise: Enterprise) -> str:
        return enterprise.region.code

    @staticmethod
    def resolve_region_name(enterprise: Enterprise) -> str:
        return enterprise.region.name

    @staticmethod
    def resolve_standing_name(enterprise: Enterprise) -> str:
        return str(enterprise.get_standing_display())


class EnterprisePage(Schema):
    items: list[EnterpriseRead]
    next_cursor: str | None


class EnterpriseParams(PageParams):
    standing: StandingCode | None = None
    region: str | None = Field(None, max_length=18, description="a region code: at or below")


class EnterpriseCreate(Input):
    name: Text = Field(max_length=services.MAX_NAME)
    credit_code: Text = Field(max_length=18, description="统一社会信用代码, 18 characters")
    region: Text = Field(max_length=18, description="the region code of its address")
    address: Text = Field("", max_length=services.MAX_ADDRESS)
    contact_name: Text = Field(max_length=50)
    contact_phone: Text = Field(max_length=11)


class CommitmentRead(Schema):
    code: str
    text: str

    @staticmethod
    def resolve_text(commitment) -> str:
        return commitment.label


class ApplicationCreate(Input):
    commitments: list[Text] = Field(max_length=50, description="the codes of the commitments")
    staff_count: int = Field(ge=1, le=services.MAX_STAFF)


class ApplicationRead(Schema):
    id: uuid.UUID
    enterprise: uuid.UUID
    enterprise_name: str
    commitments: list[str]
    staff_count: int
    state: ApplicationState
    state_name: str
    reason: str
    submitted_at: datetime.datetime
    decided_at: datetime.datetime | None

    @staticmethod
    def resolve_enterprise(application: Application) -> uuid.UUID:
        return application.enterprise_id

    @staticmethod
    def resolve_enterprise_name(application: Application) -> str:
        return application.enterprise.name

    @staticmethod
    def resolve_state_name(application: Application) -> str:
        return str(application.get_state_display())


class ApplicationPage(Schema):
    items: list[ApplicationRead]
    next_cursor: str | None


class ApplicationParams(PageParams):
    state: ApplicationState | None = None
    region: str | None = Field(None, max_length=18, description="a region code: at or below")


class ReasonInput(Input):
    reason: Text = Field(max_length=services.MAX_REASON)


class LinkInput(Input):
    id_number: Text = Field(max_length=32, description="the employee's resident ID number")
    name: Text = Field(max_length=50)


class EmployeeRead(Schema):
    """All an enterprise sees of an employee."""

    id: uuid.UUID = Field(description="the link's id, not the person's")
    masked_name: str
    state: str
    colour: str = Field(description='"" until the employee confirms the link')
    zone_kind: str = Field(description="the kind of zone they live in, or empty")
    last_negative_test: datetime.date | None


class EmployeePage(Schema):
    items: list[EmployeeRead]
    next_cursor: str | None


class LinkRead(Schema):
    id: uuid.UUID
    enterprise_name: str
    state: str
    linked_at: datetime.datetime

    @staticmethod
    def resolve_enterprise_name(employment: Employment) -> str:
        return employment.enterprise.name


def _region(user, code: str, field: str = "region") -> Region:
    region = Region.objects.restrict(user, VIEW).filter(code=code.strip()).first()
    if region is None:
        raise ValidationError({field: _("没有这个区域，或其不在您的辖区内。")})
    return region


def _visible(request, enterprise_id: str, resource: str = ENTERPRISE) -> Enterprise:
    return get_by_id(services.enterprises_for(request.auth, resource, VIEW), enterprise_id)


def _applications(user):
    return Application.objects.filter(
        enterprise__in=services.enterprises_for(user, ENTERPRISE, VIEW)
    ).select_related("enterprise")


@router.get("", response={200: EnterprisePage, **ERROR_RESPONSES})
def list_enterprises(request, params: Query[EnterpriseParams]):
    """The register in the caller's regions (an account: its own enterprise)."""
    user = request.auth
    if not can(user, ENTERPRISE, VIEW):
        raise PermissionDenied(_("您无权查看企业。"))
    enterprises = services.enterprises_for(user)
    if params.region:
        enterprises = enterprises.filter(under("region_path", _region(user, params.region).path))
    if params.standing:
        enterprises = enterprises.filter(standing=params.standing)
    items, next_cursor = page_of(enterprises, ordering=ORDERING, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", response={201: EnterpriseRead, **ERROR_RESPONSES})
def register_enterprise(request, payload: EnterpriseCreate):
    """An officer registers an enterprise of their region."""
    user = request.auth
    if not can(user, ENTERPRISE, ADD):
        raise PermissionDenied(_("您无权登记企业。"))
    data = payload.model_dump()
    region = _region(user, data.pop("region"))
    return Status(201, services.register_enterprise(actor=user, region=region, **data))


@router.post("/self-register", auth=None, response={201: EnterpriseRead, **ERROR_RESPONSES})
def self_register(request, payload: EnterpriseCreate):
    """The public form: an enterprise registers itself; an officer confirms it. Limited per
    client address like every unauthenticated endpoint."""
    ratelimit.hit("public-address", ratelimit.client_address(request))
    data = payload.model_dump()
    region = Region.objects.filter(code=data.pop("region").strip()).first()
    if region is None:
        raise ValidationError({"region": _("没有这个区域。")})
    return Status(201, services.self_register(region=region, **data))


@router.get("/commitments", response={200: list[CommitmentRead], **ERROR_RESPONSES})
def list_commitments(request):
    """The prevention commitments an application must tick, all of them."""
    if not can(request.auth, ENTERPRISE, VIEW):
        raise PermissionDenied(_("您无权查看企业。"))
    return services.active_commitments()


@router.get("/applications", response={200: ApplicationPage, **ERROR_RESPONSES})
def list_applications(request, params: Query[ApplicationParams]):
    """Applications to reopen in the caller's regions, oldest first (pending ones by default
    are filtered with state=pending)."""
    user = request.auth
    if not can(user, ENTERPRISE, VIEW):
        raise PermissionDenied(_("您无权查看复工申请。"))
    applications = _applications(user)
    if params.region:
        applications = applications.filter(under("region_path", _region(user, params.region).path))
    if params.state:
        applications = applications.filter(state=params.state)
    items, next_cursor = page_of(applications, ordering=("submitted_at", "id"), page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/applications/{application_id}/approve", response={200: ApplicationRead, **ERROR_RESPONSES}
)
def approve_application(request, application_id: str):
    application = get_by_id(_applications(request.auth), application_id)
    return services.approve(actor=request.auth, application=application)


@router.post(
    "/applications/{application_id}/return", response={200: ApplicationRead, **ERROR_RESPONSES}
)
def return_application(request, application_id: str, payload: ReasonInput):
    """Returns the application with a reason; the enterprise may apply again."""
    application = get_by_id(_applications(request.auth), application_id)
    return services.return_application(
        actor=request.auth, application=application, reason=payload.reason
    )


@router.get("/me/links", auth=resident_auth, response={200: list[LinkRead], **RESIDENT_ERRORS})
def my_links(request):
    """The resident's links to enterprises, pending or confirmed."""
    person = Person.objects.get(pk=request.auth.person_id)
    return list(services.links_of(person)[:50])


def _answer(request, link_id: str, accept: bool):
    person = Person.objects.get(pk=request.auth.person_id)
    link = get_by_id(Employment.objects.filter(person=person), link_id)
    return services.answer_link(person=person, employment_id=link.pk, accept=accept)


@router.post(
    "/me/links/{link_id}/confirm", auth=resident_auth, response={200: LinkRead, **RESIDENT_ERRORS}
)
def confirm_link(request, link_id: str):
    return _answer(request, link_id, True)


@router.post(
    "/me/links/{link_id}/decline", auth=resident_auth, response={200: LinkRead, **RESIDENT_ERRORS}
)
def decline_link(request, link_id: str):
    return _answer(request, link_id, False)


@router.get("/{enterprise_id}", response={200: EnterpriseRead, **ERROR_RESPONSES})
def get_enterprise(request, enterprise_id: str):
    return _visible(request, enterprise_id)


@router.post("/{enterprise_id}/confirm", response={200: EnterpriseRead, **ERROR_RESPONSES})
def confirm_registration(request, enterprise_id: str):
    """Confirms a self-registered enterprise, which may then apply to reopen."""
    enterprise = _visible(request, enterprise_id)
    return services.confirm_registration(actor=request.auth, enterprise=enterprise)


@router.post("/{enterprise_id}/applications", response={201: ApplicationRead, **ERROR_RESPONSES})
def apply_to_reopen(request, enterprise_id: str, payload: ApplicationCreate):
    enterprise = _visible(request, enterprise_id)
    application = services.apply_to_reopen(
        actor=request.auth,
        enterprise=enterprise,
        commitments=payload.commitments,
        staff_count=payload.staff_count,
    )
    return Status(201, application)


@router.get("/{enterprise_id}/employees", response={200: EmployeePage, **ERROR_RESPONSES})
def list_employees(request, enterprise_id: str, params: Query[PageParams]):
    """The enterprise's employees: masked name, and for those who confirmed the link only
    their colour, zone kind and last negative test. Each row seen is logged."""
    enterprise = _visible(request, enterprise_id, EMPLOYEE)
    employments = services.employees_for(request.auth, enterprise)
    rows, next_cursor = page_of(employments, ordering=("linked_at", "id"), page=params)
    items = services.look(actor=request.auth, enterprise=enterprise, employments=rows)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/{enterprise_id}/employees", response={201: EmployeeRead, **ERROR_RESPONSES})
def link_employee(request, enterprise_id: str, payload: LinkInput):
    """Links a resident by ID number and name; they confirm it on the resident portal."""
    enterprise = _visible(request, enterprise_id, EMPLOYEE)
    employment = services.link_employee(
        actor=request.auth, enterprise=enterprise, id_number=payload.id_number, name=payload.name
    )
    [row] = services.look(actor=request.auth, enterprise=enterprise, employments=[employment])
    return Status(201, row)


@router.post(
    "/{enterprise_id}/employees/{link_id}/end", response={200: EmployeeRead, **ERROR_RESPONSES}
)
def end_employment(request, enterprise_id: str, link_id: str):
    enterprise = _visible(request, enterprise_id, EMPLOYEE)
    if not can(request.auth, EMPLOYEE, CHANGE):
        raise PermissionDenied(_("您无权解除该员工的关联。"))
    employment = get_by_id(services.employees_for(request.auth, enterprise), link_id)
    services.end_employment(actor=request.auth, employment=employment)
    return {
        "id": employment.pk,
        "masked_name": "",
        "state": employment.state,
        "colour": "",
        "zone_kind": "",
        "last_negative_test": None,
    }

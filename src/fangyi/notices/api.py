"""Notices' JSON API, under /api/v1/notices: writing, publishing and withdrawing for officers,
the counts per region, the households not reached and "told in person" for grid staff; and
under /api/v1/me/notices the resident's notices, read by opening one, and confirmed.

A region or household named in a body that the caller cannot see is an error in that field
(422); a notice in the URL that the caller cannot see is 404.
"""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import ADD, VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES, Input, PageParams, Text, omitted
from fangyi.people.models import Household, Person
from fangyi.portal.api import RESIDENT_ERRORS
from fangyi.portal.auth import resident_auth
from fangyi.regions.models import Region

from . import services
from .area import NOTICE, NOTICE_REACH
from .models import Notice, NoticeState

router = Router(tags=["notices"])
resident_router = Router(tags=["portal"], auth=resident_auth)

StateCode = Literal[*NoticeState.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
NEWEST = ("-created_at", "-id")
BY_PLACE = ("region_path", "unit", "room", "id")


class RegionRead(Schema):
    code: str
    name: str


class NoticeRead(Schema):
    id: uuid.UUID
    title: str
    body: str
    ask_confirm: bool
    state: StateCode
    state_name: str
    region: str = Field(description="the region code whose officers keep the notice")
    regions: list[RegionRead] = Field(description="the regions the notice is for")
    created_at: datetime.datetime
    published_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None
    withdrawal_reason: str
    sms_queued: int = Field(description="SMS queued for residents without the portal")

    @staticmethod
    def resolve_state_name(notice: Notice) -> str:
        return str(notice.get_state_display())

    @staticmethod
    def resolve_region(notice: Notice) -> str:
        return notice.region.code

    @staticmethod
    def resolve_regions(notice: Notice) -> list[dict]:
        return [
            {"code": t.region.code, "name": t.region.name}
            for t in notice.targets.select_related("region").order_by("path")
        ]


class NoticePage(Schema):
    items: list[NoticeRead]
    next_cursor: str | None


class NoticeParams(PageParams):
    state: StateCode | None = None


class NoticeCreate(Input):
    title: Text = Field(max_length=services.MAX_TITLE)
    body: Text = Field(max_length=services.MAX_BODY)
    regions: list[Text] = Field(
        min_length=1, max_length=services.MAX_REGIONS, description="region codes it is for"
    )
    ask_confirm: bool = False


class NoticeUpdate(Input):
    title: Text = omitted(max_length=services.MAX_TITLE)
    body: Text = omitted(max_length=services.MAX_BODY)
    regions: list[Text] = omitted(min_length=1, max_length=services.MAX_REGIONS)
    ask_confirm: bool = omitted()


class ReasonInput(Input):
    reason: Text = Field(max_length=services.MAX_REASON)


class CountRow(Schema):
    region: str
    region_name: str
    households: int
    residents: int
    households_reached: int
    residents_reached: int
    read: int
    confirmed: int
    sms_sent: int
    told: int


class SmsRead(Schema):
    queued: int
    sent: int
    failed: int = Field(description="failed and to be tried again, or given up")
    gave_up: int
    cancelled: int


class CountsRead(Schema):
    total: CountRow
    children: list[CountRow]
    sms: SmsRead


class CountParams(Schema):
    region: str | None = Field(
        None, max_length=18, description="a region code; the notice's own by default"
    )


class HouseholdRead(Schema):
    id: uuid.UUID
    address: str
    building: str

    @staticmethod
    def resolve_address(household: Household) -> str:
        return household.short_address

    @staticmethod
    def resolve_building(household: Household) -> str:
        return household.building.code


class HouseholdPage(Schema):
    items: list[HouseholdRead]
    next_cursor: str | None


class UnreachedParams(PageParams):
    region: str | None = Field(None, max_length=18)


class ToldInput(Input):
    household: uuid.UUID


class ToldRead(Schema):
    household: uuid.UUID
    told_at: datetime.datetime
    told_by: str

    @staticmethod
    def resolve_household(told) -> uuid.UUID:
        return told.household_id

    @staticmethod
    def resolve_told_by(told) -> str:
        return told.told_by_name


def _region(user, code: str, field: str) -> Region:
    code = code.strip()
    # Region codes are digits; anything else (a NUL byte, which PostgreSQL refuses) is none.
    region = (
        Region.objects.restrict(user, VIEW).filter(code=code).first() if code.isdigit() else None
    )
    if region is None:
        raise ValidationError({field: _("没有这个区域，或其不在您的辖区内。")})
    return region


def _visible(request, notice_id: str) -> Notice:
    return get_by_id(services.visible_notices(request.auth).select_related("region"), notice_id)


def _row(row: services.ReachRow) -> dict:
    return {
        "region": row.region.code,
        "region_name": row.region.name,
        "households": row.households,
        "residents": row.residents,
        "households_reached": row.households_reached,
        "residents_reached": row.residents_reached,
        "read": row.read,
        "confirmed": row.confirmed,
        "sms_sent": row.sms_sent,
        "told": row.told,
    }


@router.get("", response={200: NoticePage, **ERROR_RESPONSES})
def list_notices(request, params: Query[NoticeParams]):
    """The notices for the caller's regions (and the drafts they may change), newest first."""
    if not can(request.auth, NOTICE, VIEW):
        raise PermissionDenied(_("您无权查看通知。"))
    notices = services.visible_notices(request.auth).select_related("region")
    if params.state:
        notices = notices.filter(state=params.state)
    items, next_cursor = page_of(notices, ordering=NEWEST, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("", response={201: NoticeRead, **ERROR_RESPONSES})
def create_notice(request, payload: NoticeCreate):
    """A draft for regions (codes); publish it to show it to their residents."""
    user = request.auth
    if not can(user, NOTICE, ADD):
        raise PermissionDenied(_("您无权起草通知。"))
    notice = services.create_notice(
        actor=user,
        title=payload.title,
        body=payload.body,
        regions=[_region(user, code, "regions") for code in payload.regions],
        ask_confirm=payload.ask_confirm,
    )
    return Status(201, _visible(request, str(notice.pk)))


@router.get("/{notice_id}", response={200: NoticeRead, **ERROR_RESPONSES})
def get_notice(request, notice_id: str):
    return _visible(request, notice_id)


@router.patch("/{notice_id}", response={200: NoticeRead, **ERROR_RESPONSES})
def update_notice(request, notice_id: str, payload: NoticeUpdate):
    """Changes a draft."""
    notice = _visible(request, notice_id)
    changes = payload.model_dump(exclude_unset=True)
    if not services.may_change(request.auth, notice):
        raise PermissionDenied(_("您无权修改该通知。"))
    if "regions" in changes:
        changes["regions"] = [_region(request.auth, c, "regions") for c in changes["regions"]]
    services.update_notice(actor=request.auth, notice=notice, changes=changes)
    return _visible(request, notice_id)


@router.post("/{notice_id}/publish", response={200: NoticeRead, **ERROR_RESPONSES})
def publish_notice(request, notice_id: str):
    """Publishes a draft: on the portal at once; SMS queued for residents without it."""
    notice = _visible(request, notice_id)
    services.publish_notice(actor=request.auth, notice=notice)
    return _visible(request, notice_id)


@router.post("/{notice_id}/withdraw", response={200: NoticeRead, **ERROR_RESPONSES})
def withdraw_notice(request, notice_id: str, payload: ReasonInput):
    """Withdraws a published notice; residents see the reason in its place."""
    notice = _visible(request, notice_id)
    services.withdraw_notice(actor=request.auth, notice=notice, reason=payload.reason)
    return _visible(request, notice_id)


@router.get("/{notice_id}/counts", response={200: CountsRead, **ERROR_RESPONSES})
def notice_counts(request, notice_id: str, params: Query[CountParams]):
    """Households and residents reached and confirmed, for a region and each of its children."""
    notice = _visible(request, notice_id)
    region = _region(request.auth, params.region, "region") if params.region else None
    if region is None:
        region = services.default_region(request.auth, notice)
    if region is None:
        raise Http404
    total, children = services.reach_counts(notice, region)
    summary = services.sms_summary(notice)
    return {
        "total": _row(total),
        "children": [_row(row) for row in children],
        "sms": summary.__dict__,
    }


@router.get("/{notice_id}/unreached", response={200: HouseholdPage, **ERROR_RESPONSES})
def unreached(request, notice_id: str, params: Query[UnreachedParams]):
    """Households of the notice in the caller's regions that nobody has reached yet."""
    notice = _visible(request, notice_id)
    if not can(request.auth, NOTICE_REACH, VIEW):
        raise PermissionDenied(_("您无权查看未触达的户。"))
    within = _region(request.auth, params.region, "region").path if params.region else ""
    households = services.unreached_households(notice, request.auth, within=within)
    items, next_cursor = page_of(
        households.select_related("building"), ordering=BY_PLACE, page=params
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post("/{notice_id}/told", response={201: ToldRead, **ERROR_RESPONSES})
def told_in_person(request, notice_id: str, payload: ToldInput):
    """Records that a household was told the notice in person."""
    notice = _visible(request, notice_id)
    if not can(request.auth, NOTICE_REACH, ADD):
        raise PermissionDenied(_("您无权登记已当面告知。"))
    household = services.households_for(notice, request.auth).filter(pk=payload.household).first()
    if household is None:
        raise ValidationError({"household": _("没有这个户，或其不在您的辖区内。")})
    told = services.mark_told(actor=request.auth, notice=notice, household=household)
    return Status(201, told)


# The resident's notices


class MyNoticeRead(Schema):
    id: uuid.UUID
    title: str
    body: str
    state: StateCode
    published_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None
    withdrawal_reason: str
    ask_confirm: bool
    read_at: datetime.datetime | None
    confirmed_at: datetime.datetime | None


class MyNoticePage(Schema):
    items: list[MyNoticeRead]
    next_cursor: str | None


PUBLISHED_NEWEST = ("-published_at", "-id")


def _mine(notice: Notice, read) -> dict:
    return {
        "id": notice.pk,
        "title": notice.title,
        "body": notice.body,
        "state": notice.state,
        "published_at": notice.published_at,
        "withdrawn_at": notice.withdrawn_at,
        "withdrawal_reason": notice.withdrawal_reason,
        "ask_confirm": notice.ask_confirm,
        "read_at": read.read_at if read else None,
        "confirmed_at": read.confirmed_at if read else None,
    }


def _person(request) -> Person:
    return Person.objects.get(pk=request.auth.person_id)


@resident_router.get("", response={200: MyNoticePage, **RESIDENT_ERRORS})
def my_notices(request, params: Query[PageParams]):
    """The notices for my building and the regions above it, newest first."""
    person = _person(request)
    notices, next_cursor = page_of(
        services.resident_notices(person), ordering=PUBLISHED_NEWEST, page=params
    )
    reads = services.reads_of(person, [n.pk for n in notices])
    return {"items": [_mine(n, reads.get(n.pk)) for n in notices], "next_cursor": next_cursor}


def _resident_call(call):
    try:
        return call()
    except Notice.DoesNotExist as exc:
        raise Http404 from exc


@resident_router.get("/{notice_id}", response={200: MyNoticeRead, **RESIDENT_ERRORS})
def my_notice(request, notice_id: str):
    """One notice, recorded as read the first time."""
    person = _person(request)
    pk = _uuid(notice_id)
    notice, read = _resident_call(lambda: services.read_notice(person=person, notice_id=pk))
    return _mine(notice, read)


@resident_router.post("/{notice_id}/confirm", response={200: MyNoticeRead, **RESIDENT_ERRORS})
def confirm_notice(request, notice_id: str):
    """I confirm I have read a notice that asks for it."""
    person = _person(request)
    pk = _uuid(notice_id)
    read = _resident_call(lambda: services.confirm_notice(person=person, notice_id=pk))
    return _mine(read.notice, read)


def _uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise Http404 from exc

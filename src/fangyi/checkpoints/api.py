"""Venues and their place codes, checkpoint scans, and the colocated query for investigators.

As elsewhere, a region or venue named in a body that the caller cannot see is an error in that
field (422); an object in the URL that the caller cannot see is 404. Scans are uploaded in
batches of up to 500 by the checkpoint page's offline queue; an error names the item's index
(`scans.3.scanned_at`).
"""

import datetime
import uuid
from typing import Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.paths import under
from fangyi.core.permissions import ADD, VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES, Input, Moment, PageParams, Text, omitted
from fangyi.health.models import Colour
from fangyi.people.models import Person
from fangyi.regions.models import Region

from . import services
from .area import CHECKIN, SCAN
from .models import Scan, ScanKind, ScanResult, Venue, VenueKind

router = Router(tags=["checkpoints"])

MAX_SCANS = 500
KindCode = Literal[*VenueKind.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ResultCode = Literal[*ScanResult.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ScanKindCode = Literal[*ScanKind.values, ""]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
ColourCode = Literal[*Colour.values, ""]  # type: ignore[valid-type]  # a Literal of the choices, built at run time


# Venues


class VenueRead(Schema):
    id: uuid.UUID
    name: str
    kind: KindCode
    kind_name: str
    region: str = Field(description="the region's code")
    region_name: str
    address: str
    active: bool
    created_at: datetime.datetime

    @staticmethod
    def resolve_kind_name(venue: Venue) -> str:
        return str(venue.get_kind_display())

    @staticmethod
    def resolve_region(venue: Venue) -> str:
        return venue.region.code

    @staticmethod
    def resolve_region_name(venue: Venue) -> str:
        return venue.region.name


class VenuePage(Schema):
    items: list[VenueRead]
    next_cursor: str | None


class VenueParams(PageParams):
    region: Text | None = Field(None, max_length=18, description="only under this region code")
    kind: KindCode | None = None
    active: bool | None = Field(None, description="only active (true) or stopped (false) ones")


class VenueCreate(Input):
    name: Text = Field(max_length=100)
    kind: KindCode
    region: Text = Field(max_length=18, description="the region's code")
    address: Text = Field("", max_length=200)


class VenueChange(Input):
    name: Text = omitted(max_length=100)
    kind: KindCode = omitted()
    region: Text = omitted(max_length=18, description="the region's code")
    address: Text = omitted(max_length=200)
    active: bool = omitted(description="false stops its place code from checking anyone in")


class PlaceCodeRead(Schema):
    text: str = Field(description="the signed FYP1: code")
    url: str = Field(description="the check-in link the printed QR holds")
    expires_at: datetime.datetime


def _venues(user, action: str = VIEW):
    return Venue.objects.restrict(user, action).select_related("region")


def _region(user, code: str) -> Region:
    region = Region.objects.restrict(user, VIEW).filter(code=code).first()
    if region is None:
        raise ValidationError({"region": _("没有这个区域，或其不在您的辖区内。")})
    return region


@router.get("/venues", response={200: VenuePage, **ERROR_RESPONSES})
def list_venues(request, params: Query[VenueParams]):
    """Venues in the caller's regions, by region then name."""
    within = ""
    if params.region:
        within = _region(request.auth, params.region).path
    venues = _venues(request.auth).filter(under("region_path", within))
    if params.kind:
        venues = venues.filter(kind=params.kind)
    if params.active is not None:
        venues = venues.filter(active=params.active)
    items, next_cursor = page_of(venues, ordering=("region_path", "name", "id"), page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/venues", response={201: VenueRead, **ERROR_RESPONSES})
def create_venue(request, payload: VenueCreate):
    region = _region(request.auth, payload.region)
    venue = services.create_venue(
        actor=request.auth,
        name=payload.name,
        kind=payload.kind,
        region=region,
        address=payload.address,
    )
    return Status(201, venue)


@router.get("/venues/{venue_id}", response={200: VenueRead, **ERROR_RESPONSES})
def get_venue(request, venue_id: str):
    return get_by_id(_venues(request.auth), venue_id)


@router.patch("/venues/{venue_id}", response={200: VenueRead, **ERROR_RESPONSES})
def change_venue(request, venue_id: str, payload: VenueChange):
    """Changes the fields given; `"active": false` stops the venue."""
    venue = get_by_id(_venues(request.auth), venue_id)
    changes = payload.model_dump(exclude_unset=True)
    if "region" in changes:
        changes["region"] = _region(request.auth, changes["region"])
    return services.update_venue(actor=request.auth, venue=venue, changes=changes)


@router.get("/venues/{venue_id}/place-code", response={200: PlaceCodeRead, **ERROR_RESPONSES})
def get_place_code(request, venue_id: str):
    """A freshly signed place code and the link to print as its QR."""
    venue = get_by_id(_venues(request.auth), venue_id)
    code = services.place_code(user=request.auth, venue=venue)
    origin = f"{request.scheme}://{request.get_host()}"
    return {
        "text": code.text,
        "url": services.check_in_link(origin=origin, text=code.text),
        "expires_at": code.expires_at,
    }


# Scans


class ScanUpload(Input):
    client_id: uuid.UUID = Field(description="made by the phone; a re-upload is skipped")
    scanned_at: Moment
    result: ResultCode
    kind: ScanKindCode | None = Field("", description="empty or null when unreadable")
    colour: ColourCode | None = Field(
        None, description="display codes, and passes (the colour the pass carries)"
    )
    sub: Text = Field("", max_length=64)
    kid: Text = Field("", max_length=16)
    revocation_hash: Text = Field("", max_length=32)
    venue: uuid.UUID | None = None


class ScanBatch(Input):
    scans: list[ScanUpload] = Field(min_length=1, max_length=MAX_SCANS)


class ScanCounts(Schema):
    received: int
    new: int = Field(description="how many were not stored before")


class ScanRead(Schema):
    id: uuid.UUID = Field(description="the phone's client_id")
    staff: str | None
    venue: uuid.UUID | None
    venue_name: str | None
    scanned_at: datetime.datetime
    recorded_at: datetime.datetime
    result: str
    kind: str
    colour: str
    person: uuid.UUID | None

    @staticmethod
    def resolve_id(scan: Scan) -> uuid.UUID:
        return scan.client_id

    @staticmethod
    def resolve_staff(scan: Scan) -> str | None:
        return scan.staff.get_username() if scan.staff else None

    @staticmethod
    def resolve_venue(scan: Scan) -> uuid.UUID | None:
        return scan.venue_id

    @staticmethod
    def resolve_venue_name(scan: Scan) -> str | None:
        return scan.venue.name if scan.venue else None

    @staticmethod
    def resolve_person(scan: Scan) -> uuid.UUID | None:
        return scan.person_id


class ScanPage(Schema):
    items: list[ScanRead]
    next_cursor: str | None


class ScanParams(PageParams):
    venue: uuid.UUID | None = None
    result: ResultCode | None = None


@router.post("/scans", response={201: ScanCounts, **ERROR_RESPONSES})
def upload_scans(request, payload: ScanBatch):
    """Stores a checkpoint phone's queued scans; already stored `client_id`s are skipped."""
    user = request.auth
    if not can(user, SCAN, ADD):
        raise PermissionDenied(_("您没有上传扫码记录的权限。"))
    wanted = {item.venue for item in payload.scans if item.venue is not None}
    venues = Venue.objects.restrict(user, VIEW).in_bulk(wanted)
    errors = {
        f"scans.{index}.venue": [_("没有这个场所，或其不在您的辖区内。")]
        for index, item in enumerate(payload.scans)
        if item.venue is not None and item.venue not in venues
    }
    if errors:
        raise ValidationError(errors)
    items = [
        services.ScanInput(
            client_id=item.client_id,
            scanned_at=item.scanned_at,
            result=item.result,
            kind=item.kind or "",
            colour=item.colour or "",
            sub=item.sub,
            kid=item.kid,
            revocation_hash=item.revocation_hash,
            venue=venues.get(item.venue) if item.venue is not None else None,
        )
        for item in payload.scans
    ]
    try:
        received, new = services.record_scans(user=user, items=items)
    except ValidationError as exc:
        raise ValidationError(
            {f"scans.{field}": messages for field, messages in exc.message_dict.items()}
        ) from exc
    return Status(201, {"received": received, "new": new})


@router.get("/scans", response={200: ScanPage, **ERROR_RESPONSES})
def list_scans(request, params: Query[ScanParams]):
    """Scans made in the caller's regions, newest first."""
    scans = Scan.objects.restrict(request.auth, VIEW).select_related("staff", "venue")
    if params.venue:
        scans = scans.filter(venue_id=params.venue)
    if params.result:
        scans = scans.filter(result=params.result)
    items, next_cursor = page_of(scans, ordering=("-scanned_at", "-id"), page=params)
    return {"items": items, "next_cursor": next_cursor}


# Investigators


class ColocatedParams(Schema):
    person: uuid.UUID
    start: Moment | None = Field(
        None, alias="from", description="default: FANGYI_CHECKIN_KEEP_DAYS days before `to`"
    )
    end: Moment | None = Field(None, alias="to", description="default: now")
    window_minutes: int = Field(30, ge=1, le=services.MAX_WINDOW_MINUTES)


class ColocatedItem(Schema):
    person: uuid.UUID
    name: str = Field(description="masked")
    venue: uuid.UUID
    venue_name: str
    at: datetime.datetime = Field(description="their check-in")
    person_at: datetime.datetime = Field(description="the investigated person's check-in")
    minutes_apart: float


class ColocatedRead(Schema):
    person: uuid.UUID
    start: datetime.datetime = Field(alias="from")
    end: datetime.datetime = Field(alias="to")
    window_minutes: int
    items: list[ColocatedItem]
    truncated: bool = Field(description=f"more than {services.MAX_CONTACTS} found; narrow it")


@router.get("/colocated", response={200: ColocatedRead, **ERROR_RESPONSES}, by_alias=True)
def colocated(request, params: Query[ColocatedParams]):
    """People checked in at the person's venues within ±window minutes of the person's
    check-ins in [from, to). For investigators (officer and up); each query is logged."""
    user = request.auth
    if not can(user, CHECKIN, VIEW):
        raise PermissionDenied(_("只有流调人员可以查询同场所人员。"))
    person = Person.objects.restrict(user, VIEW).get(pk=params.person)
    if not can(user, CHECKIN, VIEW, person.region_path):
        raise Person.DoesNotExist
    end = params.end or timezone.now()
    start = params.start or end - datetime.timedelta(days=settings.FANGYI_CHECKIN_KEEP_DAYS)
    found = services.colocated(
        user=user, person=person, start=start, end=end, window_minutes=params.window_minutes
    )
    return {
        "person": person.pk,
        "from": start,
        "to": end,
        "window_minutes": params.window_minutes,
        "items": [
            {
                "person": contact.person_id,
                "name": contact.masked_name,
                "venue": contact.venue_id,
                "venue_name": contact.venue_name,
                "at": contact.at,
                "person_at": contact.person_at,
                "minutes_apart": contact.minutes_apart,
            }
            for contact in found.contacts
        ],
        "truncated": found.truncated,
    }

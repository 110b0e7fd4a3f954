"""Venues and their place codes, residents' check-ins, checkpoint scans, the colocated query and
the retention purge. The only place that writes the checkpoints tables."""

import datetime
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, FilteredRelation, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.codes import format, keys
from fangyi.codes import services as codes
from fangyi.codes.models import CodeSubject
from fangyi.core import audit
from fangyi.core.masking import mask_name
from fangyi.core.models import AccessEvent
from fangyi.core.permissions import ADD, CHANGE, EVERYWHERE, VIEW, can, require, scope_paths
from fangyi.health.models import Colour, Status
from fangyi.health.services import current_status
from fangyi.people.models import Person
from fangyi.regions.models import Region

from .area import CHECKIN, SCAN, VENUE
from .models import CheckIn, Scan, ScanKind, ScanResult, Venue, VenueKind

VENUE_FIELDS = ["name", "kind", "region", "address", "active"]
# The codes that name a person: a scan of one is linked to its holder.
PERSON_KINDS = (
    ScanKind.DISPLAY,
    ScanKind.CARD,
    ScanKind.RELEASE,
    ScanKind.NOTICE,
    ScanKind.PASS,
)
# Reloading the check-in page, or scanning twice at a door, is one visit.
REPEAT_VISIT = datetime.timedelta(minutes=5)
# A phone's clock may run a little ahead of the server's.
SCAN_CLOCK_SKEW = datetime.timedelta(minutes=5)
MAX_WINDOW_MINUTES = 240
MAX_CONTACTS = 1000
# A code's signature checked out: its `sub` really is ours, so it may name a person.
SIGNED_RESULTS = {
    ScanResult.VALID,
    ScanResult.REFUSED,
    ScanResult.EXPIRED,
    ScanResult.NOT_YET_VALID,
    ScanResult.REVOKED,
}


def keep_for() -> datetime.timedelta:
    return datetime.timedelta(days=settings.FANGYI_CHECKIN_KEEP_DAYS)


# Venues


def _clean_venue(venue: Venue) -> None:
    venue.name = (venue.name or "").strip()
    venue.address = (venue.address or "").strip()
    errors: dict[str, list[str]] = {}
    if not venue.name:
        errors["name"] = [_("请填写场所名称。")]
    if venue.kind not in VenueKind.values:
        errors["kind"] = [_("请选择场所类型。")]
    if errors:
        raise ValidationError(errors)
    venue.full_clean(exclude=["region", "region_path", "sub", "created_by"], validate_unique=False)


def create_venue(*, actor, name: str, kind: str, region: Region, address: str = "") -> Venue:
    require(actor, VENUE, ADD, region.path)
    venue = Venue(
        name=name,
        kind=kind,
        region=region,
        region_path=region.path,
        address=address,
        created_by=actor,
    )
    _clean_venue(venue)
    with transaction.atomic():
        venue.save(force_insert=True)
        audit.record_created(actor=actor, obj=venue, fields=VENUE_FIELDS)
    return venue


def update_venue(*, actor, venue: Venue, changes: dict) -> Venue:
    require(actor, VENUE, CHANGE, venue.region_path)
    unknown = set(changes) - set(VENUE_FIELDS)
    if unknown:
        raise ValidationError({name: _("不能修改此字段。") for name in unknown})
    before = audit.snapshot(venue, VENUE_FIELDS)
    for name, value in changes.items():
        setattr(venue, name, value)
    if venue.region.path != venue.region_path:
        # Moving a venue needs the right where it goes as well as where it was.
        require(actor, VENUE, CHANGE, venue.region.path)
        venue.region_path = venue.region.path
    _clean_venue(venue)
    after = audit.snapshot(venue, VENUE_FIELDS)
    if before == after:
        return venue
    with transaction.atomic():
        venue.save()
        audit.record_updated(actor=actor, obj=venue, before=before, after=after)
    return venue


def deactivate_venue(*, actor, venue: Venue) -> Venue:
    """Its place code stops checking anyone in; past check-ins and scans stay."""
    return update_venue(actor=actor, venue=venue, changes={"active": False})


# Place codes and check-ins


@dataclass(frozen=True)
class PlaceCode:
    text: str
    expires_at: datetime.datetime


def place_code(*, user, venue: Venue) -> PlaceCode:
    require(user, VENUE, VIEW, venue.region_path)
    if not venue.active:
        raise ValidationError(_("该场所已停用，不能生成场所码。"))
    text, expires_at = codes.issue_place_code(
        subject=venue.sub,
        venue_name=venue.name,
        venue_kind=venue.kind,
        region_code=venue.region.code,
    )
    return PlaceCode(text, expires_at)


def check_in_link(*, origin: str, text: str) -> str:
    """What the printed QR holds: a phone's camera app opens links, not `FYP1:` texts."""
    return f"{origin}{reverse('checkpoints:check-in')}?{urlencode({'c': text})}"


@dataclass(frozen=True)
class PlaceCheck:
    verification: format.Verification
    venue: Venue | None

    @property
    def ok(self) -> bool:
        return self.venue is not None


def verify_place(text: str) -> PlaceCheck:
    """A place code as this server sees it: signed by us, alive, naming an active venue."""
    checked = format.verify(text, keys.verification_keys(), codes.revoked_hashes(), place=True)
    venue = None
    if checked.valid and checked.claims is not None:
        venue = (
            Venue.objects.filter(sub=checked.claims["sub"], active=True)
            .select_related("region")
            .first()
        )
    return PlaceCheck(checked, venue)


def check_in(
    *, person: Person, venue: Venue, now: datetime.datetime | None = None
) -> tuple[CheckIn, Status]:
    """Records the resident's visit and answers with their colour now, for the guard.

    The caller has established who the resident is (the portal's login), as for their code.
    """
    now = now or timezone.now()
    status = current_status(person)
    recent = (
        CheckIn.objects.filter(person=person, venue=venue, at__gt=now - REPEAT_VISIT, at__lte=now)
        .order_by("-at")
        .first()
    )
    if recent is not None:
        return recent, status
    visit = CheckIn.objects.create(person=person, venue=venue, at=now, colour=status.colour)
    return visit, status


# Scans uploaded by checkpoint phones


@dataclass(frozen=True)
class ScanInput:
    client_id: uuid.UUID
    scanned_at: datetime.datetime
    result: str
    kind: str = ""
    colour: str = ""
    sub: str = ""
    kid: str = ""
    revocation_hash: str = ""
    venue: Venue | None = None


def _home_path(user) -> str:
    """Where a scan made at no venue is filed: the first region the staff may scan in."""
    paths = scope_paths(user, SCAN, ADD)
    if paths is EVERYWHERE:
        return ""
    return paths[0]


def record_scans(*, user, items: list[ScanInput], now: datetime.datetime | None = None):
    """Stores the scans not stored before; answers (received, new).

    Phones queue scans while offline and upload them again when unsure the last upload
    arrived, so a known `client_id` is skipped, not refused. Errors name the item's index.
    """
    require(user, SCAN, ADD, message=_("您没有上传扫码记录的权限。"))
    now = now or timezone.now()
    oldest, latest = now - keep_for(), now + SCAN_CLOCK_SKEW
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        if not oldest <= item.scanned_at <= latest:
            errors[f"{index}.scanned_at"] = [
                _("扫码时间须在最近 %(days)d 天内，且不能晚于现在。")
                % {"days": settings.FANGYI_CHECKIN_KEEP_DAYS}
            ]
        if item.result not in ScanResult.values:
            errors[f"{index}.result"] = [_("结果取值无效。")]
        if item.kind and item.kind not in ScanKind.values:
            errors[f"{index}.kind"] = [_("码类型取值无效。")]
        if item.colour and item.colour not in Colour.values:
            errors[f"{index}.colour"] = [_("颜色取值无效。")]
        if item.venue is not None and not can(user, SCAN, ADD, item.venue.region_path):
            errors[f"{index}.venue"] = [_("没有这个场所，或其不在您的辖区内。")]
    if errors:
        raise ValidationError(errors)
    unique: dict[uuid.UUID, ScanInput] = {}
    for item in items:
        unique.setdefault(item.client_id, item)
    known = set(Scan.objects.filter(client_id__in=list(unique)).values_list("client_id", flat=True))
    fresh = [item for client_id, item in unique.items() if client_id not in known]
    subs = {
        item.sub
        for item in fresh
        if item.sub and item.kind in PERSON_KINDS and item.result in SIGNED_RESULTS
    }
    persons = dict(CodeSubject.objects.filter(sub__in=subs).values_list("sub", "person_id"))
    home = _home_path(user) if any(item.venue is None for item in fresh) else ""
    rows = [
        Scan(
            client_id=item.client_id,
            staff=user,
            venue=item.venue,
            scanned_at=item.scanned_at,
            recorded_at=now,
            result=item.result,
            kind=item.kind,
            colour=item.colour,
            sub=item.sub,
            kid=item.kid,
            revocation_hash=item.revocation_hash,
            person_id=persons.get(item.sub) if item.result in SIGNED_RESULTS else None,
            region_path=item.venue.region_path if item.venue is not None else home,
        )
        for item in fresh
    ]
    # Two uploads of the same queue racing each other: the second one's rows are dropped.
    Scan.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(items), len(rows)


# Investigators: who was at the same places at the same times


@dataclass(frozen=True)
class Contact:
    person_id: uuid.UUID
    masked_name: str
    venue_id: uuid.UUID
    venue_name: str
    at: datetime.datetime
    person_at: datetime.datetime
    minutes_apart: float


@dataclass(frozen=True)
class Colocated:
    contacts: list[Contact]
    truncated: bool


def colocated(
    *,
    user,
    person: Person,
    start: datetime.datetime,
    end: datetime.datetime,
    window_minutes: int,
) -> Colocated:
    """People checked in at a venue within `window_minutes` of one of the person's check-ins
    in [start, end). Logged as an investigation of the person.

    Contacts are not narrowed to the investigator's regions: a supermarket's customers come
    from everywhere. Only masked names are shown.
    """
    require(user, CHECKIN, VIEW, person.region_path)
    errors: dict[str, list[str]] = {}
    if not 1 <= window_minutes <= MAX_WINDOW_MINUTES:
        errors["window_minutes"] = [
            _("时间窗口须在 1 到 %(max)d 分钟之间。") % {"max": MAX_WINDOW_MINUTES}
        ]
    if end <= start:
        errors["to"] = [_("结束时间须晚于开始时间。")]
    elif end - start > keep_for():
        errors["to"] = [
            _("查询跨度不能超过 %(days)d 天。") % {"days": settings.FANGYI_CHECKIN_KEEP_DAYS}
        ]
    if errors:
        raise ValidationError(errors)
    window = datetime.timedelta(minutes=window_minutes)
    # One self-join through the venue: the person's visits in the range (index person, at),
    # then everyone else's visits to each venue within the window of each visit (index venue,
    # at, bounded per visit). A constant bound on `at` added here would look helpful, but both
    # databases then scan the whole range at every venue instead of the window.
    rows = list(
        CheckIn.objects.annotate(
            index_visit=FilteredRelation(
                "venue__checkins",
                condition=Q(venue__checkins__person=person)
                & Q(venue__checkins__at__gte=start)
                & Q(venue__checkins__at__lt=end),
            )
        )
        .filter(
            Q(at__gte=F("index_visit__at") - window),
            Q(at__lte=F("index_visit__at") + window),
        )
        .exclude(person=person)
        .values("person_id", "person__name", "venue_id", "venue__name", "at", "index_visit__at")
        .order_by("index_visit__at", "at", "id")[: MAX_CONTACTS + 1]
    )
    contacts = [
        Contact(
            person_id=row["person_id"],
            masked_name=mask_name(row["person__name"]),
            venue_id=row["venue_id"],
            venue_name=row["venue__name"],
            at=row["at"],
            person_at=row["index_visit__at"],
            minutes_apart=round(abs((row["at"] - row["index_visit__at"]).total_seconds()) / 60, 1),
        )
        for row in rows[:MAX_CONTACTS]
    ]
    audit.record_access(
        actor=user,
        kind=AccessEvent.INVESTIGATION,
        obj=person,
        reason=_("同场所查询：%(start)s 至 %(end)s，前后 %(window)d 分钟，%(count)d 条结果")
        % {
            "start": timezone.localtime(start).strftime("%Y-%m-%d %H:%M"),
            "end": timezone.localtime(end).strftime("%Y-%m-%d %H:%M"),
            "window": window_minutes,
            "count": len(contacts),
        },
        fields=["checkins"],
    )
    return Colocated(contacts, truncated=len(rows) > MAX_CONTACTS)


# Retention


def purge_old(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Deletes check-ins and scans older than FANGYI_CHECKIN_KEEP_DAYS."""
    cutoff = (now or timezone.now()) - keep_for()
    checkins, _by_model = CheckIn.objects.filter(at__lt=cutoff).delete()
    scans, _by_model = Scan.objects.filter(scanned_at__lt=cutoff).delete()
    return {"checkins": checkins, "scans": scans}

"""Centralised quarantine sites and their rooms: creating and editing them (the only writers),
rooms added in bulk ("101-130"), and occupancy at a glance, counted in one query per list."""

import re
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.permissions import ADD, CHANGE, require
from fangyi.regions.models import Region

from .area import SITE
from .models import Room, Site
from .services import OCCUPYING

SITE_FIELDS = ["name", "address", "region", "phone", "active", "notes"]
ROOM_FIELDS = ["site", "number", "capacity", "active"]
MAX_ROOMS = 500
MAX_CAPACITY = 20
# "101-130", "A01-A20", or a list "101,102,105".
RANGE = re.compile(r"^(?P<prefix>[A-Za-z]*)(?P<first>\d{1,6})-(?P=prefix)?(?P<last>\d{1,6})$")
NUMBER = re.compile(r"^[A-Za-z0-9-]{1,20}$")


def _clean_site(name: str, address: str, phone: str, notes: str) -> dict:
    values = {
        "name": (name or "").strip(),
        "address": (address or "").strip(),
        "phone": (phone or "").strip(),
        "notes": (notes or "").strip(),
    }
    errors = {}
    if not values["name"]:
        errors["name"] = [_("请填写名称。")]
    elif len(values["name"]) > 100:
        errors["name"] = [_("名称最多 100 个字。")]
    if not values["address"]:
        errors["address"] = [_("请填写地址。")]
    elif len(values["address"]) > 200:
        errors["address"] = [_("地址最多 200 个字。")]
    if values["phone"] and not re.fullmatch(r"[0-9+\- ]{3,20}", values["phone"]):
        errors["phone"] = [_("请填写有效的联系电话。")]
    if len(values["notes"]) > 2000:
        errors["notes"] = [_("备注最多 2000 个字。")]
    if errors:
        raise ValidationError(errors)
    return values


def create_site(
    *, actor, name: str, address: str, region: Region, phone: str = "", notes: str = ""
) -> Site:
    require(actor, SITE, ADD, region.path)
    values = _clean_site(name, address, phone, notes)
    site = Site(region=region, region_path=region.path, **values)
    with transaction.atomic():
        site.save(force_insert=True)
        audit.record_created(actor=actor, obj=site, fields=SITE_FIELDS)
    return site


def update_site(
    *,
    actor,
    site: Site,
    name: str,
    address: str,
    region: Region,
    phone: str = "",
    notes: str = "",
    active: bool = True,
) -> Site:
    require(actor, SITE, CHANGE, site.region_path)
    require(actor, SITE, CHANGE, region.path)
    values = _clean_site(name, address, phone, notes)
    before = audit.snapshot(site, SITE_FIELDS)
    for field, value in values.items():
        setattr(site, field, value)
    site.region = region
    site.region_path = region.path
    site.active = active
    with transaction.atomic():
        site.save()
        audit.record_updated(
            actor=actor, obj=site, before=before, after=audit.snapshot(site, SITE_FIELDS)
        )
    return site


def room_numbers(spec: str) -> list[str]:
    """Room numbers from "101-130", "A01-A20" or "101,102,105" (mixed too), in order given."""
    numbers: list[str] = []
    for part in (spec or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        match = RANGE.match(part)
        if match:
            first, last = match["first"], match["last"]
            if int(last) < int(first):
                raise ValidationError({"numbers": _("范围应从小到大，如 101-130。")})
            if int(last) - int(first) >= MAX_ROOMS:
                raise ValidationError(
                    {"numbers": _("一次最多添加 %(max)d 间。") % {"max": MAX_ROOMS}}
                )
            width = len(first)
            numbers += [f"{match['prefix']}{n:0{width}d}" for n in range(int(first), int(last) + 1)]
        elif NUMBER.match(part):
            numbers.append(part)
        else:
            raise ValidationError({"numbers": _("房间号“%(part)s”无效。") % {"part": part[:20]}})
    if not numbers:
        raise ValidationError({"numbers": _("请填写房间号，如 101-130。")})
    if len(numbers) > MAX_ROOMS:
        raise ValidationError({"numbers": _("一次最多添加 %(max)d 间。") % {"max": MAX_ROOMS}})
    if len(set(numbers)) != len(numbers):
        raise ValidationError({"numbers": _("房间号有重复。")})
    return numbers


def _check_capacity(capacity) -> int:
    if (
        not isinstance(capacity, int)
        or isinstance(capacity, bool)
        or not 1 <= capacity <= MAX_CAPACITY
    ):
        raise ValidationError(
            {"capacity": _("床位数应为 1 到 %(max)d 之间的整数。") % {"max": MAX_CAPACITY}}
        )
    return capacity


def add_rooms(*, actor, site: Site, numbers: str, capacity: int = 1) -> list[Room]:
    """Adds rooms by number ("101-130"); numbers the site has already are refused by name."""
    require(actor, SITE, CHANGE, site.region_path)
    wanted = room_numbers(numbers)
    capacity = _check_capacity(capacity)
    taken = sorted(
        Room.objects.filter(site=site, number__in=wanted).values_list("number", flat=True)
    )
    if taken:
        raise ValidationError(
            {"numbers": _("已有房间：%(numbers)s。") % {"numbers": "、".join(taken[:10])}}
        )
    rooms = [
        Room(id=uuid.uuid4(), site=site, number=number, capacity=capacity) for number in wanted
    ]
    with transaction.atomic():
        Room.objects.bulk_create(rooms)
        changes = audit.BulkChanges(actor=actor)
        for room in rooms:
            changes.add(
                object_type=Room._meta.label_lower,
                object_id=room.pk,
                object_repr=str(room),
                region_path=site.region_path,
                action="create",
                before=None,
                after=audit.snapshot(room, ROOM_FIELDS),
            )
        changes.flush()
    return rooms


def update_room(*, actor, room: Room, capacity: int, active: bool) -> Room:
    """A room's beds or its availability; a room cannot shrink below the people in it."""
    require(actor, SITE, CHANGE, room.site.region_path)
    capacity = _check_capacity(capacity)
    occupied = Room.objects.filter(pk=room.pk).aggregate(
        n=Count("orders", filter=Q(orders__state__in=OCCUPYING))
    )["n"]
    if capacity < occupied:
        raise ValidationError(
            {"capacity": _("房间里现有 %(n)d 人，床位数不能少于此数。") % {"n": occupied}}
        )
    before = audit.snapshot(room, ROOM_FIELDS)
    room.capacity = capacity
    room.active = active
    with transaction.atomic():
        room.save(update_fields=["capacity", "active"])
        changes = audit.BulkChanges(actor=actor)
        changes.add(
            object_type=Room._meta.label_lower,
            object_id=room.pk,
            object_repr=str(room),
            region_path=room.site.region_path,
            action="update",
            before=before,
            after=audit.snapshot(room, ROOM_FIELDS),
        )
        changes.flush()
    return room


@dataclass(frozen=True)
class Occupancy:
    rooms: int
    beds: int
    occupied: int
    free_rooms: int

    @property
    def free_beds(self) -> int:
        return max(self.beds - self.occupied, 0)


def occupancy(site_ids) -> dict[uuid.UUID, Occupancy]:
    """Rooms, beds, people and empty rooms of each site, from one grouped query over rooms."""
    per_room = (
        Room.objects.filter(site_id__in=list(site_ids), active=True)
        .annotate(people=Count("orders", filter=Q(orders__state__in=OCCUPYING)))
        .values_list("site_id", "capacity", "people")
    )
    totals: dict[uuid.UUID, list[int]] = {pk: [0, 0, 0, 0] for pk in site_ids}
    for site_id, capacity, people in per_room:
        row = totals[site_id]
        row[0] += 1
        row[1] += capacity
        row[2] += people
        row[3] += people == 0
    return {pk: Occupancy(*row) for pk, row in totals.items()}


def rooms_with_people(site: Site):
    """The site's rooms with the number of people in each, by number."""
    return site.rooms.annotate(
        people=Count("orders", filter=Q(orders__state__in=OCCUPYING))
    ).order_by("number")

"""The hotline's setup through the API, under /api/v1/hotline/setup: the category tree,
handling units, routing rules, calendar days entered by hand and Open311 partners' keys, with
the rights of the setup pages (热线设置). Who holds `hotline_setup`/view reads; who may add or
change it (administrators, the command centre) writes, through the same services as the pages.

Units, rules and keys are scoped by their region: one out of the caller's sight answers 404,
one they see but may not change 403. Categories and calendar days belong to the whole
installation. What the pages stop rather than delete is stopped here too (`"active": false`
on a category or a unit); rules and calendar days are deleted; keys are revoked.
"""

import datetime
import re
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import ADD, CHANGE, VIEW, can, require
from fangyi.core.schemas import ERROR_RESPONSES, Input, PageParams, Text, omitted
from fangyi.regions.models import Region

from .. import services as hotline
from ..api import CategoryRead, PlaceLevelCode, RuleCreate, RuleRead, UnitCreate, UnitRead
from ..area import HOTLINE_SETUP
from ..models import CalendarDay, Category, HandlingUnit, Kind, Open311Key, RoutingRule
from ..open311 import services as open311
from . import services

# The routes' functions say "setup" in their names: ninja names a route's URL after its
# function, and `api:list_keys` or `api:list_units` are other routes' (the scan page asks
# for the former).
router = Router(tags=["hotline setup"])

KindCode = Literal[*Kind.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time

CATEGORY_CODE = re.compile(r"[-a-zA-Z0-9_]{1,40}")
BY_CODE = ("code",)
UNIT_ORDER = ("code", "id")
RULE_ORDER = ("region_path", "id")
DAY_ORDER = ("-day",)
KEY_ORDER = ("-created_at", "id")
# The attribute of a key just issued that carries the key itself, for its one answer.
ISSUED = "issued_key"
# The largest value of a PositiveSmallIntegerField on every database.
LARGEST_ORDER = 32767


def _need(user, action: str = VIEW) -> None:
    """The setup's right somewhere: 403 before anything is looked up."""
    require(user, HOTLINE_SETUP, action)


def _region(user, code: str, action: str) -> Region:
    """The region of a code where the user may set the hotline up; the same error whether it
    does not exist or lies outside, so that the answer tells nothing of the tree."""
    region = Region.objects.filter(code=code).first()
    if region is None or not can(user, HOTLINE_SETUP, action, region.path):
        raise ValidationError({"region": _("没有这个区域，或其不在您的辖区内。")})
    return region


# Categories


class CategoryDetail(CategoryRead):
    active: bool
    order: int


class CategoryCreate(Input):
    code: Text = Field(
        max_length=40,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description="what Open311 partners file with (service_code); never changed",
    )
    name: Text = Field(min_length=1, max_length=60)
    parent: Text | None = Field(None, max_length=40, description="parent's code; none: top")
    kind: KindCode
    limit_minutes: int | None = Field(
        None, ge=1, le=services.LONGEST_MINUTES, description="wall-clock limit"
    )
    limit_working_days: int | None = Field(
        None,
        ge=1,
        le=services.LONGEST_WORKING_DAYS,
        description="working-time limit; one of the two limits at most, neither: the kind's",
    )
    confidential: bool = False
    order: int = Field(0, ge=0, le=LARGEST_ORDER)


class CategoryChange(Input):
    """The fields given change; the others stay."""

    name: Text = omitted(min_length=1, max_length=60)
    parent: Text | None = Field(None, max_length=40, description="parent's code; null: top")
    kind: KindCode = omitted()
    limit_minutes: int | None = Field(None, ge=1, le=services.LONGEST_MINUTES)
    limit_working_days: int | None = Field(None, ge=1, le=services.LONGEST_WORKING_DAYS)
    confidential: bool = omitted()
    active: bool = omitted(description="false: takes no new tickets")
    order: int = omitted(ge=0, le=LARGEST_ORDER)


class CategoryPage(Schema):
    items: list[CategoryDetail]
    next_cursor: str | None


def _category(code: str) -> Category:
    if not CATEGORY_CODE.fullmatch(code):
        raise Http404
    return Category.objects.select_related("parent").get(code=code)


def _parent(code: str | None) -> Category | None:
    if not code:
        return None
    parent = Category.objects.filter(code=code).first()
    if parent is None:
        raise ValidationError({"parent": _("没有这个类别。")})
    return parent


@router.get("/categories", response={200: CategoryPage, **ERROR_RESPONSES})
def list_setup_categories(request, params: Query[PageParams]):
    """Every category, stopped ones too, by code; each names its parent."""
    _need(request.auth)
    rows = Category.objects.select_related("parent")
    items, next_cursor = page_of(rows, ordering=BY_CODE, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/categories", response={201: CategoryDetail, **ERROR_RESPONSES})
def create_setup_category(request, payload: CategoryCreate):
    """A new node of the tree."""
    _need(request.auth, ADD)
    category = services.create_category(
        actor=request.auth,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        parent=_parent(payload.parent),
        limit_minutes=payload.limit_minutes,
        limit_working_days=payload.limit_working_days,
        confidential=payload.confidential,
        order=payload.order,
    )
    return Status(201, _category(category.code))


@router.get("/categories/{category_code}", response={200: CategoryDetail, **ERROR_RESPONSES})
def get_setup_category(request, category_code: str):
    _need(request.auth)
    return _category(category_code)


@router.patch("/categories/{category_code}", response={200: CategoryDetail, **ERROR_RESPONSES})
def change_setup_category(request, category_code: str, payload: CategoryChange):
    """Changes the fields given. Setting one limit does not clear the other: send the other as
    null. A category is never deleted (tickets and Open311 partners name it): `"active":
    false` stops it taking new tickets."""
    _need(request.auth, CHANGE)
    category = _category(category_code)
    given = payload.model_dump(exclude_unset=True)
    current = {
        "name": category.name,
        "kind": category.kind,
        "parent": category.parent,
        "limit_minutes": category.limit_minutes,
        "limit_working_days": category.limit_working_days,
        "confidential": category.confidential,
        "active": category.active,
        "order": category.order,
    }
    if "parent" in given:
        given["parent"] = _parent(given["parent"])
    services.update_category(actor=request.auth, category=category, **(current | given))
    return _category(category.code)


# Handling units


class UnitDetail(UnitRead):
    members: list[str] = Field(description="usernames")
    supervisors: list[str] = Field(description="usernames")

    @staticmethod
    def resolve_members(unit: HandlingUnit) -> list[str]:
        return sorted(user.get_username() for user in unit.members.all())

    @staticmethod
    def resolve_supervisors(unit: HandlingUnit) -> list[str]:
        return sorted(user.get_username() for user in unit.supervisors.all())


class UnitChange(Input):
    """The fields given change; the others stay. The code, kind and region never change."""

    name: Text = omitted(min_length=1, max_length=100)
    phone: Text = omitted(max_length=20)
    members: list[Text] = omitted(max_length=200, description="usernames: all of them")
    supervisors: list[Text] = omitted(max_length=50, description="usernames: all of them")
    active: bool = omitted(description="false: no dispatch to it, the rules skip it")


class UnitPage(Schema):
    items: list[UnitDetail]
    next_cursor: str | None


def _units(user) -> QuerySet[HandlingUnit]:
    return (
        HandlingUnit.objects.restrict(user, VIEW)
        .select_related("region")
        .prefetch_related("members", "supervisors")
    )


@router.get("/units", response={200: UnitPage, **ERROR_RESPONSES})
def list_setup_units(request, params: Query[PageParams]):
    """The handling units of the caller's regions, stopped ones too, with their staff."""
    _need(request.auth)
    items, next_cursor = page_of(_units(request.auth), ordering=UNIT_ORDER, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/units", response={201: UnitDetail, **ERROR_RESPONSES})
def create_setup_unit(request, payload: UnitCreate):
    """A department, or the team of a street or community (bound to that region)."""
    user = request.auth
    _need(user, ADD)
    unit = hotline.create_unit(
        actor=user,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        region=_region(user, payload.region, ADD),
        phone=payload.phone,
        members=hotline.staff_named(payload.members, "members"),
        supervisors=hotline.staff_named(payload.supervisors, "supervisors"),
    )
    return Status(201, _units(user).get(pk=unit.pk))


@router.get("/units/{unit_id}", response={200: UnitDetail, **ERROR_RESPONSES})
def get_setup_unit(request, unit_id: str):
    _need(request.auth)
    return get_by_id(_units(request.auth), unit_id)


@router.patch("/units/{unit_id}", response={200: UnitDetail, **ERROR_RESPONSES})
def change_setup_unit(request, unit_id: str, payload: UnitChange):
    """Changes the fields given; `members` and `supervisors` replace the unit's lists.
    A unit is never deleted (its tickets name it): `"active": false` stops it."""
    user = request.auth
    _need(user, CHANGE)
    unit = get_by_id(_units(user), unit_id)
    given = payload.model_dump(exclude_unset=True)
    services.update_unit(
        actor=user,
        unit=unit,
        name=given.get("name", unit.name),
        phone=given.get("phone", unit.phone),
        members=(
            hotline.staff_named(given["members"], "members")
            if "members" in given
            else unit.members.all()
        ),
        supervisors=(
            hotline.staff_named(given["supervisors"], "supervisors")
            if "supervisors" in given
            else unit.supervisors.all()
        ),
        active=given.get("active", unit.active),
    )
    return _units(user).get(pk=unit.pk)


# Routing rules


class RuleChange(Input):
    """The fields given change. Naming a unit or a place level replaces where the rule sends
    (one of the two); the region never changes (remove the rule and make another)."""

    category: Text | None = Field(None, max_length=40, description="category code; null: any")
    unit: uuid.UUID | None = None
    place_level: PlaceLevelCode | None = Field(None, description="or: the place's team")


class RulePage(Schema):
    items: list[RuleRead]
    next_cursor: str | None


def _rules(user) -> QuerySet[RoutingRule]:
    return RoutingRule.objects.restrict(user, VIEW).select_related("category", "region")


def _rule_category(code: str | None) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise ValidationError({"category": _("没有这个类别。")})
    return category


def _rule_unit(user, pk: uuid.UUID | None) -> HandlingUnit | None:
    if pk is None:
        return None
    unit = HandlingUnit.objects.restrict(user, VIEW).filter(pk=pk).first()
    if unit is None:
        raise ValidationError({"unit": _("没有这个承办单位，或其不在您的辖区内。")})
    return unit


@router.get("/rules", response={200: RulePage, **ERROR_RESPONSES})
def list_setup_rules(request, params: Query[PageParams]):
    """The routing rules of the caller's regions."""
    _need(request.auth)
    items, next_cursor = page_of(_rules(request.auth), ordering=RULE_ORDER, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/rules", response={201: RuleRead, **ERROR_RESPONSES})
def create_setup_rule(request, payload: RuleCreate):
    """Tickets of a category (or any) in a region go to a unit, or to the team of their
    street or community."""
    user = request.auth
    _need(user, ADD)
    rule = hotline.create_rule(
        actor=user,
        region=_region(user, payload.region, ADD),
        category=_rule_category(payload.category),
        unit=_rule_unit(user, payload.unit),
        place_level=payload.place_level or "",
    )
    return Status(201, _rules(user).get(pk=rule.pk))


@router.get("/rules/{rule_id}", response={200: RuleRead, **ERROR_RESPONSES})
def get_setup_rule(request, rule_id: str):
    _need(request.auth)
    return get_by_id(_rules(request.auth), rule_id)


@router.patch("/rules/{rule_id}", response={200: RuleRead, **ERROR_RESPONSES})
def change_setup_rule(request, rule_id: str, payload: RuleChange):
    """A rule's category and where it sends. Tickets already dispatched stay with their
    units."""
    user = request.auth
    _need(user, CHANGE)
    rule = get_by_id(_rules(user), rule_id)
    given = payload.model_dump(exclude_unset=True)
    category = _rule_category(given["category"]) if "category" in given else rule.category
    if "unit" in given or "place_level" in given:
        unit = _rule_unit(user, given.get("unit"))
        place_level = given.get("place_level") or ""
    else:
        unit, place_level = rule.unit, rule.place_level
    services.update_rule(
        actor=user, rule=rule, category=category, unit=unit, place_level=place_level
    )
    return _rules(user).get(pk=rule.pk)


@router.delete("/rules/{rule_id}", response={204: None, **ERROR_RESPONSES})
def delete_setup_rule(request, rule_id: str):
    """Removes a rule: new tickets are routed by the others; those dispatched stay."""
    user = request.auth
    _need(user, CHANGE)
    services.delete_rule(actor=user, rule=get_by_id(_rules(user), rule_id))
    return Status(204, None)


# Calendar days entered by hand


class CalendarDayRead(Schema):
    day: datetime.date
    is_workday: bool
    note: str
    entered_by: str | None = Field(description="username")
    entered_at: datetime.datetime

    @staticmethod
    def resolve_entered_by(entry: CalendarDay) -> str | None:
        return entry.entered_by.get_username() if entry.entered_by is not None else None


class CalendarDayInput(Input):
    is_workday: bool = Field(description="true: an adjusted working day; false: a day off")
    note: Text = Field("", max_length=100)


class CalendarDayPage(Schema):
    items: list[CalendarDayRead]
    next_cursor: str | None


def _days() -> QuerySet[CalendarDay]:
    return CalendarDay.objects.select_related("entered_by")


@router.get("/calendar", response={200: CalendarDayPage, **ERROR_RESPONSES})
def list_setup_calendar_days(request, params: Query[PageParams]):
    """The days entered by hand, latest first; every other day is the official calendar's
    (Monday to Friday for a year it does not know)."""
    _need(request.auth)
    items, next_cursor = page_of(_days(), ordering=DAY_ORDER, page=params)
    return {"items": items, "next_cursor": next_cursor}


def _day(text: str) -> datetime.date:
    """A day as YYYY-MM-DD (pydantic would also take a number of seconds since 1970)."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError({"day": _("日期格式应为 YYYY-MM-DD。")}) from exc


@router.get("/calendar/{day}", response={200: CalendarDayRead, **ERROR_RESPONSES})
def get_setup_calendar_day(request, day: str):
    _need(request.auth)
    return _days().get(day=_day(day))


@router.put("/calendar/{day}", response={200: CalendarDayRead, **ERROR_RESPONSES})
def set_setup_calendar_day(request, day: str, payload: CalendarDayInput):
    """Enters the day (YYYY-MM-DD), or changes it if entered before. Limits of tickets
    already taken in stay as they were computed."""
    _need(request.auth, CHANGE)
    moment = _day(day)
    hotline.set_calendar_day(
        actor=request.auth, day=moment, is_workday=payload.is_workday, note=payload.note
    )
    return _days().get(day=moment)


@router.delete("/calendar/{day}", response={204: None, **ERROR_RESPONSES})
def delete_setup_calendar_day(request, day: str):
    """Forgets a day entered by hand: the official calendar rules it again."""
    _need(request.auth, CHANGE)
    entry = _days().get(day=_day(day))
    services.delete_calendar_day(actor=request.auth, day=entry.day)
    return Status(204, None)


# Open311 partners' keys


class KeyRead(Schema):
    id: uuid.UUID
    partner: str
    prefix: str = Field(description="the key's first characters; the key itself is not kept")
    region: str = Field(description="region code")
    active: bool
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None

    @staticmethod
    def resolve_region(key: Open311Key) -> str:
        return key.region.code


class KeyIssued(KeyRead):
    key: str = Field(description="shown this once: only its digest is kept")

    @staticmethod
    def resolve_key(key: Open311Key) -> str:
        return getattr(key, ISSUED)


class KeyCreate(Input):
    partner: Text = Field(min_length=1, max_length=open311.MAX_PARTNER)
    region: Text = Field(max_length=18, description="region code: the key files only there")


class KeyPage(Schema):
    items: list[KeyRead]
    next_cursor: str | None


def _keys(user) -> QuerySet[Open311Key]:
    return Open311Key.objects.restrict(user, VIEW).select_related("region")


@router.get("/keys", response={200: KeyPage, **ERROR_RESPONSES})
def list_setup_keys(request, params: Query[PageParams]):
    """The keys of the caller's regions, newest first, revoked ones too; never the key."""
    _need(request.auth)
    items, next_cursor = page_of(_keys(request.auth), ordering=KEY_ORDER, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/keys", response={201: KeyIssued, **ERROR_RESPONSES})
def issue_setup_key(request, response: HttpResponse, payload: KeyCreate):
    """A key for a partner in a region. The answer holds the key, this once, and is not
    cached."""
    user = request.auth
    _need(user, ADD)
    key, raw = open311.issue_key(
        actor=user, partner=payload.partner, region=_region(user, payload.region, ADD)
    )
    response["Cache-Control"] = "no-store"
    issued = _keys(user).get(pk=key.pk)
    setattr(issued, ISSUED, raw)
    return Status(201, issued)


@router.post("/keys/{key_id}/revoke", response={200: KeyRead, **ERROR_RESPONSES})
def revoke_setup_key(request, key_id: str):
    """Filing with the key is refused from now on (403); a key revoked stays revoked."""
    user = request.auth
    _need(user, ADD)
    key = get_by_id(_keys(user), key_id)
    if not key.active:
        raise ValidationError({"key_id": _("该密钥已停用。")})
    return open311.revoke_key(actor=user, key=key)

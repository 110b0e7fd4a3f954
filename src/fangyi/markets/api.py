"""Necessities monitoring's JSON API: the basket, monitoring points, daily reports, who has
not reported, the lights with their series and actions, and the rules in force.

A point, report or light outside the caller's scope answers 404 (for a reporter, a point
they are not assigned to is outside); a point or region named in a body that the caller
cannot use is an error in that field.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.paths import under
from fangyi.core.permissions import ADD, VIEW, can
from fangyi.core.schemas import ERROR_RESPONSES, Input, PageParams, Text, omitted
from fangyi.regions.models import Region

from . import services
from .area import MARKET_LIGHT, MARKET_POINT, MARKET_RULES, PRICE_REPORT
from .models import ActionKind, Category, Colour, Item, Light, LightAction, PointKind, today

router = Router(tags=["markets"])

KindCode = Literal[*PointKind.values]  # type: ignore[valid-type]  # a Literal of the choices
ColourCode = Literal[*Colour.values]  # type: ignore[valid-type]  # a Literal of the choices
CategoryCode = Literal[*Category.values]  # type: ignore[valid-type]  # a Literal of the choices
ActionCode = Literal[*ActionKind.values]  # type: ignore[valid-type]  # a Literal of the choices
BY_REGION = ("region_path", "id")
NEWEST_FIRST = ("-day", "-id")
NEWEST_ACTION = ("-taken_at", "-id")
MAX_SERIES_DAYS = 400
Amount = Decimal | None


class ItemRead(Schema):
    code: str
    name: str
    unit: str
    category: CategoryCode


class PointRead(Schema):
    id: uuid.UUID
    code: str
    name: str
    kind: KindCode
    region: str = Field(description="the region's code")
    region_name: str
    address: str
    active: bool
    reporters: list[uuid.UUID]

    @staticmethod
    def resolve_region(point) -> str:
        return point.region.code

    @staticmethod
    def resolve_region_name(point) -> str:
        return point.region.name

    @staticmethod
    def resolve_reporters(point) -> list[uuid.UUID]:
        return [user.pk for user in point.reporters.all()]


class PointPage(Schema):
    items: list[PointRead]
    next_cursor: str | None


class PointParams(PageParams):
    region: Text | None = Field(None, max_length=18, description="only under this region code")


class PointCreate(Input):
    code: Text = Field(max_length=32)
    name: Text = Field(max_length=100)
    kind: KindCode
    region: Text = Field(max_length=18, description="the region's code")
    address: Text = Field("", max_length=200)
    reporters: list[uuid.UUID] = Field([], max_length=services.MAX_REPORTERS)


class PointUpdate(Input):
    name: Text = omitted(max_length=100)
    kind: KindCode = omitted()
    address: Text = omitted(max_length=200)
    active: bool = omitted()
    reporters: list[uuid.UUID] = omitted(max_length=services.MAX_REPORTERS)


class ReportRead(Schema):
    id: uuid.UUID
    point: uuid.UUID
    item: str
    day: datetime.date
    price: Decimal
    stock: Decimal | None
    sales: Decimal | None
    reported_at: datetime.datetime

    @staticmethod
    def resolve_point(report) -> uuid.UUID:
        return report.point_id

    @staticmethod
    def resolve_item(report) -> str:
        return report.item.code


class ReportPage(Schema):
    items: list[ReportRead]
    next_cursor: str | None


class ReportParams(PageParams):
    point: uuid.UUID | None = None
    item: Text | None = Field(None, max_length=20, description="an item's code")
    day: datetime.date | None = None


class EntryInput(Input):
    item: Text = Field(max_length=20, description="the item's code")
    price: Decimal = Field(gt=0, max_digits=8, decimal_places=2)
    stock: Amount = Field(None, ge=0, max_digits=12, decimal_places=2)
    sales: Amount = Field(None, ge=0, max_digits=12, decimal_places=2)


class ReportInput(Input):
    point: uuid.UUID
    day: datetime.date | None = Field(None, description="default: today")
    items: list[EntryInput] = Field(min_length=1, max_length=100)


class ReportsWritten(Schema):
    items: list[ReportRead]


class MissingParams(PageParams):
    day: datetime.date | None = Field(None, description="default: today")


class LightRead(Schema):
    id: uuid.UUID
    item: str
    item_name: str
    region: str
    region_name: str
    day: datetime.date
    colour: ColourCode
    price: Decimal | None
    change_percent: Decimal | None = Field(description="10-day average against the 10 before")
    change_colour: ColourCode
    cover_days: Decimal | None
    cover_colour: ColourCode
    deviation: Decimal | None = Field(description="standard deviations above the baseline")
    deviation_colour: ColourCode
    actions: int

    @staticmethod
    def resolve_item(light) -> str:
        return light.item.code

    @staticmethod
    def resolve_item_name(light) -> str:
        return light.item.name

    @staticmethod
    def resolve_region(light) -> str:
        return light.region.code

    @staticmethod
    def resolve_region_name(light) -> str:
        return light.region.name

    @staticmethod
    def resolve_actions(light) -> int:
        return light.actions.count()


class LightPage(Schema):
    items: list[LightRead]
    next_cursor: str | None


class LightParams(PageParams):
    region: Text | None = Field(None, max_length=18, description="only under this region code")
    colour: ColourCode | None = None


class SeriesParams(Schema):
    days: int = Field(90, ge=1, le=MAX_SERIES_DAYS)


class SeriesPoint(Schema):
    day: datetime.date
    price: Decimal | None
    average: Decimal | None
    yellow: Decimal | None = Field(description="the average's yellow threshold that day")
    red: Decimal | None
    cover: Decimal | None


class SeriesRead(Schema):
    item: str
    region: str
    unit: str
    price_yellow_percent: Decimal | None
    price_red_percent: Decimal | None
    cover_target: int | None
    points: list[SeriesPoint]


class ActionRead(Schema):
    id: uuid.UUID
    kind: ActionCode
    note: str
    quantity: str
    colour: ColourCode
    taken_at: datetime.datetime
    actor: str

    @staticmethod
    def resolve_actor(action) -> str:
        return action.actor.get_username() if action.actor else ""


class ActionPage(Schema):
    items: list[ActionRead]
    next_cursor: str | None


class ActionInput(Input):
    kind: ActionCode
    note: Text = Field("", max_length=services.MAX_NOTE)
    quantity: Text = Field("", max_length=50)


class RulesRead(Schema):
    name: str
    window_days: int
    min_days: int
    price_bands: dict[str, list[str]]
    cover_targets: dict[str, int]
    lockdown_date: datetime.date | None
    baseline_days: int
    baseline_min_days: int
    baseline_yellow_sd: Decimal
    baseline_red_sd: Decimal


class RulesUpdate(Input):
    lockdown_date: datetime.date | None


def _within(user, code: str | None) -> str:
    if not code:
        return ""
    region = Region.objects.restrict(user, VIEW).filter(code=code).first()
    if region is None and can(user, MARKET_POINT, VIEW):
        # Reporters see no region tree; their points' regions are still theirs to filter by.
        region = Region.objects.filter(
            code=code, pk__in=services.points_for(user).values("region_id")
        ).first()
    if region is None:
        raise ValidationError({"region": _("没有这个区域，或其不在您的辖区内。")})
    return region.path


def _point(request, point_id: str, resource: str = MARKET_POINT, action: str = VIEW):
    return get_by_id(services.points_for(request.auth, resource, action), point_id)


def _light(request, light_id: str) -> Light:
    return get_by_id(
        Light.objects.restrict(request.auth, VIEW).select_related("item", "region"), light_id
    )


def _users(ids: list[uuid.UUID]) -> list:
    found = {user.pk: user for user in get_user_model().objects.filter(pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {"reporters": _("没有这些工作人员：%(ids)s。") % {"ids": "、".join(missing)}}
        )
    return [found[pk] for pk in dict.fromkeys(ids)]


@router.get("/items", response={200: list[ItemRead], **ERROR_RESPONSES})
def list_items(request):
    """The basket, in its order."""
    if not (can(request.auth, PRICE_REPORT, VIEW) or can(request.auth, MARKET_LIGHT, VIEW)):
        raise PermissionDenied
    return list(Item.objects.all())


@router.get("/points", response={200: PointPage, **ERROR_RESPONSES})
def list_points(request, params: Query[PointParams]):
    """Monitoring points in the caller's regions (a reporter's: their own), by region."""
    points = services.points_for(request.auth).prefetch_related("reporters")
    within = _within(request.auth, params.region)
    if within:
        points = points.filter(under("region_path", within))
    items, next_cursor = page_of(points, ordering=BY_REGION, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/points", response={201: PointRead, **ERROR_RESPONSES})
def create_point(request, payload: PointCreate):
    if not can(request.auth, MARKET_POINT, ADD):
        raise PermissionDenied
    region = Region.objects.restrict(request.auth, VIEW).filter(code=payload.region).first()
    if region is None or not can(request.auth, MARKET_POINT, ADD, region.path):
        raise ValidationError({"region": _("没有这个区域，或其不在您的辖区内。")})
    point = services.create_point(
        actor=request.auth,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        region=region,
        address=payload.address,
        reporters=_users(payload.reporters),
    )
    return Status(201, point)


@router.get("/points/{point_id}", response={200: PointRead, **ERROR_RESPONSES})
def get_point(request, point_id: str):
    return _point(request, point_id)


@router.patch("/points/{point_id}", response={200: PointRead, **ERROR_RESPONSES})
def update_point(request, point_id: str, payload: PointUpdate):
    point = _point(request, point_id)
    given = payload.model_dump(exclude_unset=True)
    if "reporters" in given:
        given["reporters"] = _users(given["reporters"])
    return services.update_point(actor=request.auth, point=point, **given)


@router.get("/reports", response={200: ReportPage, **ERROR_RESPONSES})
def list_reports(request, params: Query[ReportParams]):
    """Reports the caller may see (a reporter's: their points'), newest day first."""
    reports = services.reports_for(request.auth)
    if params.point:
        reports = reports.filter(point_id=params.point)
    if params.item:
        reports = reports.filter(item__code=params.item)
    if params.day:
        reports = reports.filter(day=params.day)
    items, next_cursor = page_of(reports, ordering=NEWEST_FIRST, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/reports", response={201: ReportsWritten, **ERROR_RESPONSES})
def submit_report(request, payload: ReportInput):
    """A point's day: any number of basket items at once; an item sent again that day
    replaces its figures. The lights of the items are recomputed before the answer."""
    if not can(request.auth, PRICE_REPORT, ADD):
        raise PermissionDenied
    point = services.points_for(request.auth, PRICE_REPORT, ADD).filter(pk=payload.point).first()
    if point is None:
        raise ValidationError({"point": _("没有这个监测点，或您不是它的报价员。")})
    written = services.submit_report(
        actor=request.auth,
        point=point,
        day=payload.day or today(),
        entries=[
            services.Entry(item=entry.item, price=entry.price, stock=entry.stock, sales=entry.sales)
            for entry in payload.items
        ],
    )
    return Status(201, {"items": written})


@router.get("/missing", response={200: PointPage, **ERROR_RESPONSES})
def list_missing(request, params: Query[MissingParams]):
    """Active points in the caller's regions without a report on the day."""
    if not can(request.auth, PRICE_REPORT, VIEW):
        raise PermissionDenied
    points = services.missing_points(request.auth, params.day).prefetch_related("reporters")
    items, next_cursor = page_of(points, ordering=BY_REGION, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/lights", response={200: LightPage, **ERROR_RESPONSES})
def list_lights(request, params: Query[LightParams]):
    """Lights in the caller's regions, by region."""
    lights = Light.objects.restrict(
        request.auth, VIEW, within=_within(request.auth, params.region)
    ).select_related("item", "region")
    if params.colour:
        lights = lights.filter(colour=params.colour)
    items, next_cursor = page_of(lights, ordering=BY_REGION, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/lights/{light_id}", response={200: LightRead, **ERROR_RESPONSES})
def get_light(request, light_id: str):
    return _light(request, light_id)


@router.get("/lights/{light_id}/series", response={200: SeriesRead, **ERROR_RESPONSES})
def light_series(request, light_id: str, params: Query[SeriesParams]):
    """The item's daily average price in the region, its window average, the yellow and red
    lines the average is judged against, and the days of cover."""
    light = _light(request, light_id)
    points, found = services.chart(light, params.days)
    band = found.price.get(light.item.category)
    return {
        "item": light.item.code,
        "region": light.region.code,
        "unit": light.item.unit,
        "price_yellow_percent": band.yellow if band else None,
        "price_red_percent": band.red if band else None,
        "cover_target": found.cover.get(light.item.category),
        "points": [vars(point) for point in points],
    }


@router.get("/lights/{light_id}/actions", response={200: ActionPage, **ERROR_RESPONSES})
def list_actions(request, light_id: str, params: Query[PageParams]):
    light = _light(request, light_id)
    actions = LightAction.objects.filter(light=light).select_related("actor")
    items, next_cursor = page_of(actions, ordering=NEWEST_ACTION, page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/lights/{light_id}/actions", response={201: ActionRead, **ERROR_RESPONSES})
def record_action(request, light_id: str, payload: ActionInput):
    light = _light(request, light_id)
    action = services.record_action(
        actor=request.auth,
        light=light,
        kind=payload.kind,
        note=payload.note,
        quantity=payload.quantity,
    )
    return Status(201, action)


def _rules_read(found) -> dict:
    return {
        "name": found.name,
        "window_days": found.window_days,
        "min_days": found.min_days,
        "price_bands": {key: [str(v) for v in band] for key, band in found.price_bands.items()},
        "cover_targets": found.cover_targets,
        "lockdown_date": found.lockdown_date,
        "baseline_days": found.baseline_days,
        "baseline_min_days": found.baseline_min_days,
        "baseline_yellow_sd": found.baseline_yellow_sd,
        "baseline_red_sd": found.baseline_red_sd,
    }


@router.get("/rules", response={200: RulesRead, **ERROR_RESPONSES})
def get_rules(request):
    """The warning rules in force."""
    if not can(request.auth, MARKET_RULES, VIEW):
        raise PermissionDenied
    return _rules_read(services.rule_set())


@router.patch("/rules", response={200: RulesRead, **ERROR_RESPONSES})
def update_rules(request, payload: RulesUpdate):
    """Sets or clears the lockdown date; every light is recomputed in the background."""
    return _rules_read(services.set_lockdown(actor=request.auth, day=payload.lockdown_date))

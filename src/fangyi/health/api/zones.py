"""Zones: listing, drawing, reading and lifting (or lowering) one."""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.permissions import VIEW
from fangyi.core.schemas import ERROR_RESPONSES, Input, Moment, PageParams, Text
from fangyi.regions.models import Region

from .. import services
from ..models import Zone
from .common import Note, zones_router

MAX_REGIONS = 1_000


class ZoneCriterion(Schema):
    label: str
    met: bool


class ZoneRead(Schema):
    id: uuid.UUID
    kind: str
    kind_name: str
    name: str
    reason: str
    starts_at: datetime.datetime
    regions: list[str] = Field(description="codes of the regions it covers")
    residents: int
    clean_days: int = Field(description="days since the last positive inside, or the start")
    meets_lifting_criteria: bool
    criteria: list[ZoneCriterion]
    policy: str = Field(description="the plan it was drawn under, e.g. 2022-06-9th.v1")
    lifted_at: datetime.datetime | None
    lift_reason: str
    predecessor: uuid.UUID | None = Field(description="the zone this one was lowered from")


class ZoneLifted(ZoneRead):
    lowered_to: uuid.UUID | None = Field(description="the lower zone that replaces it, if any")


class ZonePage(Schema):
    items: list[ZoneRead]
    next_cursor: str | None


class ZoneParams(PageParams):
    state: Literal["active", "lifted", "all"] = "active"


class ZoneCreate(Input):
    kind: Text = Field(max_length=32, description="a zone kind of the plan in force")
    regions: list[Text] = Field(
        min_length=1, max_length=MAX_REGIONS, description="codes of the regions"
    )
    reason: Note
    starts_at: Moment | None = Field(None, description="now when omitted")
    name: Text = Field("", max_length=100, description="named after its regions when blank")


class ZoneLift(Input):
    reason: Note


def _zone_body(zone: Zone) -> dict:
    state = services.zone_state(zone)
    return {
        "id": zone.pk,
        "kind": zone.kind,
        "kind_name": state.kind.get("name", zone.kind),
        "name": zone.name,
        "reason": zone.reason,
        "starts_at": zone.starts_at,
        "regions": sorted(area.region.code for area in zone.areas.all()),
        "residents": state.residents,
        "clean_days": state.clean_days,
        "meets_lifting_criteria": state.meets_criteria,
        "criteria": [{"label": label, "met": met} for label, met in state.criteria],
        "policy": zone.policy.label,
        "lifted_at": zone.lifted_at,
        "lift_reason": zone.lift_reason,
        "predecessor": zone.predecessor_id,
    }


def _visible_zones(user):
    return (
        Zone.objects.restrict(user, VIEW)
        .select_related("policy", "predecessor")
        .prefetch_related("areas__region")
    )


def _referenced_regions(user, codes: list[str]) -> list[Region]:
    wanted = list(dict.fromkeys(codes))
    found = {r.code: r for r in Region.objects.restrict(user, VIEW).filter(code__in=wanted)}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise ValidationError(
            {
                "regions": _("没有这些区域，或它们不在您的辖区内：%(codes)s。")
                % {"codes": "、".join(missing[:10])}
            }
        )
    return [found[code] for code in wanted]


@zones_router.get(
    "", response={200: ZonePage, **ERROR_RESPONSES}, operation_id="fangyi_health_api_list_zones"
)
def list_zones(request, params: Query[ZoneParams]):
    """Visible zones, latest start first: active ones unless `state` says otherwise."""
    zones = _visible_zones(request.auth)
    if params.state == "active":
        zones = zones.active()
    elif params.state == "lifted":
        zones = zones.filter(lifted_at__isnull=False)
    items, next_cursor = page_of(zones, ordering=("-starts_at", "-id"), page=params)
    return {"items": [_zone_body(zone) for zone in items], "next_cursor": next_cursor}


@zones_router.post(
    "", response={201: ZoneRead, **ERROR_RESPONSES}, operation_id="fangyi_health_api_draw_zone"
)
def draw_zone(request, payload: ZoneCreate):
    """Draws a zone of the plan in force over the regions; their residents are recomputed."""
    regions = _referenced_regions(request.auth, payload.regions)
    zone = services.draw_zone(
        actor=request.auth,
        kind=payload.kind,
        regions=regions,
        reason=payload.reason,
        starts_at=payload.starts_at,
        name=payload.name,
    )
    return Status(201, _zone_body(_visible_zones(request.auth).get(pk=zone.pk)))


@zones_router.get(
    "/{zone_id}",
    response={200: ZoneRead, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_get_zone",
)
def get_zone(request, zone_id: str):
    return _zone_body(get_by_id(_visible_zones(request.auth), zone_id))


@zones_router.post(
    "/{zone_id}/lift",
    response={200: ZoneLifted, **ERROR_RESPONSES},
    operation_id="fangyi_health_api_lift_zone",
)
def lift_zone(request, zone_id: str, payload: ZoneLift):
    """Lifts the zone, or lowers it where the plan says so (high → medium)."""
    zone = get_by_id(_visible_zones(request.auth), zone_id)
    lowered = services.lift_zone(actor=request.auth, zone=zone, reason=payload.reason)
    return _zone_body(zone) | {"lowered_to": lowered.pk if lowered else None}

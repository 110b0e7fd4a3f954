"""/api/v1/command/briefings: the briefings the caller sees (city and districts, by day), one
briefing with its figures, making one now, and its PDF or Word file."""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangyi.core.api import get_by_id, page_of
from fangyi.core.schemas import ERROR_RESPONSES, Input, PageParams, Text
from fangyi.regions.models import Region, looks_like_code

from .. import services as command
from . import services
from .models import Briefing

router = Router(tags=["command"])
ORDERING = ("-day", "region_path", "id")
FILES: dict = {
    "responses": {
        200: {
            "content": {
                "application/pdf": {},
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
            }
        }
    }
}


class BriefingRead(Schema):
    id: uuid.UUID
    region: str = Field(description="the region's code")
    region_name: str
    day: datetime.date = Field(description="the day the figures are of")
    generated_at: datetime.datetime
    pdf_url: str
    docx_url: str

    @staticmethod
    def resolve_region(briefing: Briefing) -> str:
        return briefing.region.code

    @staticmethod
    def resolve_region_name(briefing: Briefing) -> str:
        return briefing.region.name

    @staticmethod
    def resolve_pdf_url(briefing: Briefing) -> str:
        return f"/api/v1/command/briefings/{briefing.pk}/download?format=pdf"

    @staticmethod
    def resolve_docx_url(briefing: Briefing) -> str:
        return f"/api/v1/command/briefings/{briefing.pk}/download?format=docx"


class FigureLine(Schema):
    key: str
    name: str
    unit: str
    value: float | None
    previous: float | None
    change: float | None


class BriefingDetail(BriefingRead):
    figures: list[FigureLine]

    @staticmethod
    def resolve_figures(briefing: Briefing) -> list[dict]:
        return [{"key": key, **values} for key, values in briefing.figures.items()]


class BriefingPage(Schema):
    items: list[BriefingRead]
    next_cursor: str | None


class BriefingParams(PageParams):
    region: str = Field("", max_length=18, description="a region's code")
    day: datetime.date | None = None


class BriefingCreate(Input):
    region: Text = Field(max_length=18, description="the city's or a district's code")
    day: datetime.date | None = Field(None, description="yesterday when not given")


class DownloadParams(Schema):
    format: Literal["pdf", "docx"] = "pdf"


@router.get("", response={200: BriefingPage, **ERROR_RESPONSES})
def list_briefings(request, params: Query[BriefingParams]):
    """The briefings the caller sees, the latest day first."""
    briefings = services.briefings_for(request.auth)
    if params.region:
        if not looks_like_code(params.region):
            raise ValidationError({"region": _("区域编码只能是数字。")})
        briefings = briefings.filter(region__code=params.region)
    if params.day:
        briefings = briefings.filter(day=params.day)
    items, next_cursor = page_of(briefings, ordering=ORDERING, page=params)
    return {"items": items, "next_cursor": next_cursor}


def _region(user, code: str) -> Region:
    region = None
    if looks_like_code(code):
        region = next((r for r in services.regions_for(user) if r.code == code), None)
    if region is None:
        raise ValidationError({"region": _("没有这个市或区县，或您不能为其生成简报。")})
    return region


@router.post("", response={201: BriefingDetail, **ERROR_RESPONSES})
def generate(request, payload: BriefingCreate):
    """Makes the region's briefing of the day now (yesterday by default), replacing the day's
    earlier one."""
    day = payload.day or command.today() - datetime.timedelta(days=1)
    briefing = services.generate(
        actor=request.auth, region=_region(request.auth, payload.region), day=day
    )
    return Status(201, services.briefings_for(request.auth).get(pk=briefing.pk))


@router.get("/{briefing_id}", response={200: BriefingDetail, **ERROR_RESPONSES})
def get_briefing(request, briefing_id: str):
    return get_by_id(services.briefings_for(request.auth), briefing_id)


@router.get("/{briefing_id}/download", response=ERROR_RESPONSES, openapi_extra=FILES)
def download(request, briefing_id: str, params: Query[DownloadParams]):
    """The briefing's PDF (format=pdf) or Word file (format=docx)."""
    briefing = get_by_id(services.briefings_for(request.auth), briefing_id)
    content, content_type, filename = services.file_of(briefing, params.format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""/api/v1/command/figures: a region's figures for a day, each with yesterday's change and the
URL of the list it counts."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from fangyi.core.permissions import VIEW, can

from . import services
from .area import FIGURES
from .views import _default_region, scoped_region

router = Router(tags=["command"])


class FigureRead(Schema):
    key: str
    name: str
    unit: str
    group: str
    value: float | None = Field(description="null when the day has no snapshot")
    previous: float | None = Field(description="yesterday's snapshot; null when not taken")
    change: float | None
    url: str | None = Field(description="the list this figure counts, for the same region and day")


class FiguresRead(Schema):
    region: str
    region_name: str
    date: datetime.date
    live: bool = Field(description="counted now (today) rather than read from a snapshot")
    figures: list[FigureRead]


@router.get("/figures", response=FiguresRead)
def figures(request, region: str = "", date: datetime.date | None = None):
    user = request.auth
    if not can(user, FIGURES, VIEW):
        raise PermissionDenied
    chosen = scoped_region(user, region) if region else _default_region(user)
    if chosen is None:
        raise Http404
    if date is not None and date > services.today():
        raise ValidationError({"date": _("日期不能晚于今天。")})
    board = services.board(user=user, region=chosen, day=date)
    return {
        "region": chosen.code,
        "region_name": chosen.name,
        "date": board.day,
        "live": board.live,
        "figures": [
            {
                "key": item.figure.key,
                "name": str(item.figure.name),
                "unit": str(item.figure.unit),
                "group": str(item.figure.group),
                "value": item.value,
                "previous": item.previous,
                "change": item.change,
                "url": item.url,
            }
            for item in board.values
        ],
    }

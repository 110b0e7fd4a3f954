"""The command screen (/command/): a region's headline figures with yesterday's change and a
14-day sparkline, every figure linked to its list, the children as a map (where their outlines
are known) or a treemap coloured by a chosen figure (clicking drills down), trend charts and
the command centre's to-do."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from fangyi.core.areas import cards_for
from fangyi.core.permissions import VIEW, can
from fangyi.hotline.area import TICKET
from fangyi.hotline.models import Outcome, ProblemList
from fangyi.hotline.problems.area import PROBLEM_LIST
from fangyi.regions.filters import top_regions
from fangyi.regions.models import Boundary, Level, Region, looks_like_code

from . import figures, services
from .area import FIGURES

DEFAULT_MAP_FIGURE = "cases.new"


def chosen_day(text: str) -> datetime.date | None:
    """The date a query names, or None when it names none that can be shown."""
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return None
    return day if day <= services.today() else None


def scoped_region(user, code: str) -> Region | None:
    """The region a query names, if the user may see its figures; else None."""
    if not looks_like_code(code):
        return None
    region = Region.objects.restrict(user, VIEW).filter(code=code).first()
    if region is None or not can(user, FIGURES, VIEW, region.path):
        return None
    return region


def _default_region(user) -> Region | None:
    for region in top_regions(user):
        if can(user, FIGURES, VIEW, region.path):
            return region
    return None


def outlined_children(user, region: Region) -> int:
    """How many of the region's children in the user's scope have an outline to draw."""
    return (
        Boundary.objects.restrict(user, VIEW)
        .filter(region__parent=region, region__level__lte=Level.GRID)
        .count()
    )


def chart_data(board: services.Board, map_key: str) -> dict:
    return {
        "days": [day.isoformat() for day in board.days],
        "figures": {
            item.figure.key: {"name": str(item.figure.name), "trend": item.trend}
            for item in board.values
        },
        "map": {
            "region": board.region.code,
            "key": map_key,
            "name": str(figures.BY_KEY[map_key].name),
            "children": [
                {"name": child.name, "code": child.code, "value": values.get(map_key, 0)}
                for child, values in board.children
            ],
        },
        "labels": {"nodata": _("暂无下级区域")},
    }


TREND_CHARTS = (
    ("cases", _("新增病例"), ("cases.controlled", "cases.community")),
    ("colours", _("健康码"), ("residents.yellow", "residents.orange", "residents.red")),
    (
        "orders",
        _("隔离管控"),
        ("orders.centralised", "orders.home", "orders.home_monitoring", "orders.to_place"),
    ),
    ("screening", _("核酸筛查"), ("screening.sampled", "screening.positive")),
    (
        "work",
        _("物资与热线"),
        ("supplies.open", "supplies.late", "hotline.open", "hotline.overdue"),
    ),
)


@login_required
def screen(request):
    user = request.user
    if not can(user, FIGURES, VIEW):
        raise PermissionDenied
    code = request.GET.get("region", "")
    if code:
        region = scoped_region(user, code)
        if region is None:
            raise Http404
    else:
        region = _default_region(user)
        if region is None:
            raise Http404
    day = services.today()
    if request.GET.get("date"):
        day = chosen_day(request.GET["date"]) or day
        if day == services.today() and request.GET["date"] != day.isoformat():
            messages.warning(request, _("日期无效，已显示今天的指标。"))
    map_key = request.GET.get("figure", "")
    if map_key not in figures.BY_KEY:
        map_key = DEFAULT_MAP_FIGURE
    board = services.board(user=user, region=region, day=day)
    outlined = outlined_children(user, region) if board.children else 0
    groups: dict = {}
    for item in board.values:
        groups.setdefault(str(item.figure.group), []).append(item)
    return render(
        request,
        "command/screen.html",
        {
            "board": board,
            "headline": [item for item in board.values if item.figure.headline],
            "groups": groups,
            "figures": figures.FIGURES,
            "map_key": map_key,
            "outlined": outlined,
            "ancestors": [r for r in region.ancestors() if can(user, FIGURES, VIEW, r.path)],
            "charts": [(name, title) for name, title, _keys in TREND_CHARTS],
            "chart_data": chart_data(board, map_key)
            | {"charts": {name: list(keys) for name, _title, keys in TREND_CHARTS}},
        },
    )


# The to-do shows the problem list's first items; its page has the rest.
PROBLEMS_SHOWN = 10


def problems_waiting(user, region: Region | None) -> tuple[ProblemList | None, list, int]:
    """Today's problem list (急难愁盼清单) of the screen's city or district (a street's screen
    reads its district's), if the user may see it: (the list, its first items not fixed yet,
    how many such items it has). Items to fix today come first, then the most called about;
    each item comes with whether the user may open its ticket."""
    if region is None or region.level < Level.CITY or not can(user, PROBLEM_LIST, VIEW):
        return None, [], 0
    path = region.path if region.level <= Level.DISTRICT else region.path[:6]
    found = (
        ProblemList.objects.restrict(user, VIEW)
        .filter(region_path=path, day=services.today())
        .select_related("region")
        .first()
    )
    if found is None:
        return None, [], 0
    items = found.items.exclude(outcome=Outcome.FIXED)
    shown = [
        (item, item.ticket is not None and can(user, TICKET, VIEW, item.ticket.region_path))
        for item in items.select_related("ticket", "unit").order_by(
            "-fix_today", "-count", "title", "id"
        )[:PROBLEMS_SHOWN]
    ]
    return found, shown, items.count()


@login_required
def todo(request):
    """The command centre's to-do: the day's problem list of the screen's region, items not
    fixed yet, and the user's home cards that have something waiting (overdue work of every
    area, zones meeting their lifting criteria, appeals near their limit)."""
    user = request.user
    if not can(user, FIGURES, VIEW):
        raise PermissionDenied
    region = None
    if request.GET.get("region"):
        region = scoped_region(user, request.GET["region"])
        if region is None:
            raise Http404
    problem_list, problems, open_problems = problems_waiting(user, region)
    waiting = [(card, todo) for card, todo in cards_for(user) if not todo.empty]
    return render(
        request,
        "command/_todo.html",
        {
            "todo": waiting,
            "problem_list": problem_list,
            "problems": problems,
            "open_problems": open_problems,
        },
    )


@login_required
def outlines(request):
    """The outlines of a region's children as a GeoJSON FeatureCollection, for the screen's
    map (ECharts registers it as the region's map): each feature carries the child's code and
    name. A child without an outline is left out; the screen lists it in the table."""
    user = request.user
    if not can(user, FIGURES, VIEW):
        return JsonResponse({"detail": _("您没有查看指挥中心的权限。")}, status=403)
    region = scoped_region(user, request.GET.get("region", ""))
    if region is None:
        return JsonResponse({"detail": _("没有找到该区域，或不在您的辖区内。")}, status=404)
    rows = (
        Boundary.objects.restrict(user, VIEW)
        .filter(region__parent=region, region__level__lte=Level.GRID)
        .order_by("path")
        .values_list("region__code", "region__name", "geometry")
    )
    features = [
        {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry}
        for code, name, geometry in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})

"""Markets pages: the basket as a grid of lights per region, a light's chart with its
thresholds and the actions taken, the reporter's phone form (every basket item of a point
on one screen), the points and who has not reported today."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.paths import under
from fangyi.core.permissions import ADD, CHANGE, EVERYWHERE, VIEW, can, scope_paths
from fangyi.core.views import cursor_page
from fangyi.regions.filters import chosen_region
from fangyi.regions.models import Region

from . import services
from .api import BY_REGION
from .area import MARKET_LIGHT, MARKET_POINT, PRICE_REPORT
from .forms import ActionForm, PointForm, RegionForm
from .models import Item, Light, LightAction, today

CHART_DAYS = 60


def _require(user, resource: str, action: str) -> None:
    if not can(user, resource, action):
        raise PermissionDenied


def _rows(user, region: Region | None) -> list[Region]:
    """The regions of the grid: the chosen one (or the user's top regions) and their
    children that have lights."""
    if region is not None:
        bases = [region]
    else:
        paths = scope_paths(user, MARKET_LIGHT, VIEW)
        if paths is EVERYWHERE:
            bases = list(Region.objects.filter(parent__isnull=True).order_by("path"))
        else:
            bases = list(Region.objects.filter(path__in=paths).order_by("path"))
    lit = Light.objects.values("region_id")
    children = Region.objects.filter(parent__in=bases, pk__in=lit).order_by("path")
    return [*bases, *children]


@login_required
def lights(request):
    """物价红绿灯: the basket across, regions down; each light opens its chart."""
    user = request.user
    _require(user, MARKET_LIGHT, VIEW)
    form = RegionForm(request.GET)
    form.is_valid()
    region = chosen_region(request, form)
    rows = _rows(user, region) if region is not False else []
    items = list(Item.objects.all())
    found = {
        (light.region_id, light.item_id): light
        for light in Light.objects.restrict(user, VIEW)
        .filter(region__in=rows)
        .annotate(acted=Exists(LightAction.objects.filter(light=OuterRef("pk"))))
    }
    grid = [
        {"region": row, "cells": [found.get((row.pk, item.pk)) for item in items]} for row in rows
    ]
    counts = {colour: 0 for colour in ("red", "yellow", "green", "none")}
    for light in found.values():
        counts[light.colour] += 1
    return render(
        request,
        "markets/lights.html",
        {
            "form": form,
            "region": region or None,
            "items": items,
            "grid": grid,
            "counts": counts,
            "rules": services.rule_set(),
        },
    )


def _visible_light(request, pk) -> Light:
    return get_object_or_404(
        Light.objects.restrict(request.user, VIEW).select_related("item", "region"), pk=pk
    )


def _chart_data(light: Light) -> dict:
    points, found = services.chart(light, CHART_DAYS)

    def number(value: Decimal | None):
        return None if value is None else float(round(value, 2))

    band = found.price.get(light.item.category)
    target = found.cover.get(light.item.category)
    return {
        "days": [point.day.isoformat() for point in points],
        "price": [number(point.price) for point in points],
        "average": [number(point.average) for point in points],
        "yellow": [number(point.yellow) for point in points],
        "red": [number(point.red) for point in points],
        "cover": [number(point.cover) for point in points],
        "cover_target": target,
        "cover_red": target / 2 if target else None,
        "labels": {
            "price": _("日均价"),
            "average": _("10 日均价"),
            "yellow": _("黄灯线"),
            "red": _("红灯线"),
            "cover": _("可供应天数"),
            "target": _("目标天数"),
            "unit": light.item.unit,
        },
        "band": [str(band.yellow), str(band.red)] if band else None,
    }


@login_required
def light_detail(request, pk):
    light = _visible_light(request, pk)
    actions = (
        LightAction.objects.filter(light=light)
        .select_related("actor")
        .order_by("-taken_at", "-id")[:50]
    )
    may_act = can(request.user, MARKET_LIGHT, CHANGE, light.region_path)
    return render(
        request,
        "markets/light.html",
        {
            "light": light,
            "actions": actions,
            "form": ActionForm() if may_act else None,
            "chart": _chart_data(light),
            "rules": services.rule_set(),
        },
    )


@login_required
@require_POST
def light_action(request, pk):
    light = _visible_light(request, pk)
    if not can(request.user, MARKET_LIGHT, CHANGE, light.region_path):
        raise PermissionDenied
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            services.record_action(actor=request.user, light=light, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已记录处置措施。"))
    else:
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    return redirect(reverse("markets:light", args=[light.pk]))


@login_required
def report_points(request):
    """The reporter's start: their points, each with whether today's report is in."""
    user = request.user
    _require(user, PRICE_REPORT, ADD)
    points = list(
        services.points_for(user, PRICE_REPORT, ADD)
        .filter(active=True)
        .order_by("name", "id")[:200]
    )
    done = set(
        services.reports_for(user)
        .filter(day=today(), point__in=points)
        .values_list("point_id", flat=True)
    )
    if len(points) == 1 and not done:
        return redirect(reverse("markets:report-point", args=[points[0].pk]))
    for point in points:
        point.done = point.pk in done
    return render(request, "markets/report_points.html", {"points": points})


def _entries(post, items) -> tuple[list[services.Entry], dict]:
    """The rows filled in (an item with anything typed), and every row's text as typed, to
    show the form again with its errors."""
    entries, typed = [], {}
    for item in items:
        price = post.get(f"price-{item.code}", "").strip()
        stock = post.get(f"stock-{item.code}", "").strip()
        sales = post.get(f"sales-{item.code}", "").strip()
        typed[item.code] = {"price": price, "stock": stock, "sales": sales}
        if price or stock or sales:
            entries.append(services.Entry(item=item.code, price=price, stock=stock, sales=sales))
    return entries, typed


@login_required
def report_form(request, pk):
    """Every basket item of one point on one phone screen; a blank row is an item the point
    does not sell today."""
    user = request.user
    _require(user, PRICE_REPORT, ADD)
    point = get_object_or_404(services.points_for(user, PRICE_REPORT, ADD), pk=pk)
    items = list(Item.objects.all())
    day = today()
    errors: dict[str, dict[str, str]] = {}
    if request.method == "POST":
        entries, values = _entries(request.POST, items)
        try:
            written = services.submit_report(actor=user, point=point, day=day, entries=entries)
        except ValidationError as exc:
            for key, found in exc.message_dict.items():
                parts = key.split(".")
                if len(parts) == 3:
                    code = entries[int(parts[1])].item
                    errors.setdefault(code, {})[parts[2]] = " ".join(found)
                else:
                    messages.error(request, " ".join(found))
        else:
            messages.success(request, _("已提交 %(n)d 个品种的价格。") % {"n": len(written)})
            return redirect(reverse("markets:report"))
    else:
        values = {
            report.item.code: {
                "price": report.price,
                "stock": "" if report.stock is None else report.stock,
                "sales": "" if report.sales is None else report.sales,
            }
            for report in services.reports_for(user).filter(point=point, day=day)
        }
    rows = [
        {"item": item, "values": values.get(item.code, {}), "errors": errors.get(item.code, {})}
        for item in items
    ]
    return render(request, "markets/report_form.html", {"point": point, "rows": rows, "day": day})


@login_required
def point_list(request):
    """Monitoring points in the user's regions; officers add one here."""
    user = request.user
    _require(user, MARKET_POINT, VIEW)
    may_add = can(user, MARKET_POINT, ADD)
    form = PointForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            region = Region.objects.restrict(user, VIEW).filter(code=data["region"]).first()
            try:
                if region is None:
                    raise ValidationError({"region": _("没有这个区域，或其不在您的辖区内。")})
                point = services.create_point(
                    actor=user,
                    code=data["code"],
                    name=data["name"],
                    kind=data["kind"],
                    region=region,
                    address=data["address"],
                    reporters=services.reporters_by_username(user, form.reporter_names()),
                )
            except (ValidationError, PermissionDenied) as exc:
                found = getattr(exc, "message_dict", None)
                for field, problems in (found or {"region": [str(exc)]}).items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("已设立监测点 %(name)s。") % {"name": point.name})
                return redirect(reverse("markets:points"))
    filter_form = RegionForm(request.GET)
    filter_form.is_valid()
    region = chosen_region(request, filter_form)
    points = services.points_for(user).none()
    if region is not False:
        points = services.points_for(user).prefetch_related("reporters")
        if region:
            points = points.filter(under("region_path", region.path))
    rows, next_cursor = cursor_page(request, points, BY_REGION)
    return render(
        request,
        "markets/points.html",
        {"form": form, "filter_form": filter_form, "points": rows, "next_cursor": next_cursor},
    )


@login_required
def missing(request):
    """Active points without a report today; past 10:00 they are late."""
    user = request.user
    _require(user, PRICE_REPORT, VIEW)
    rows, next_cursor = cursor_page(
        request, services.missing_points(user).prefetch_related("reporters"), BY_REGION
    )
    return render(
        request,
        "markets/missing.html",
        {
            "points": rows,
            "next_cursor": next_cursor,
            "late": services.past_deadline(),
            "deadline": services.REPORT_DEADLINE,
            "day": today(),
        },
    )

"""Counts of colours per region and per child region, for the region page."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.functions import Substr
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from fangyi.core.paths import under
from fangyi.core.permissions import ADD, PERSON, VIEW, ZONE, can
from fangyi.regions.models import PATH_LENGTHS, Level, Region

from ..models import Policy, Status
from .common import COLOUR_ORDER, with_vary

COUNTS_SECONDS = 60


def status_counts(region: Region) -> dict:
    """Status rows under a region by colour, and by child region and colour.

    Cached for a minute per path: a city page would otherwise count millions of status rows
    on every view, and colours only move when a recompute runs, so a tally a minute old serves
    as well as a fresh one.
    """
    key = f"health:status-counts:{region.path}"
    counts = cache.get(key)
    if counts is None:
        counts = _count_statuses(region)
        cache.set(key, counts, COUNTS_SECONDS)
    return counts


def _count_statuses(region: Region) -> dict:
    inside = Status.objects.filter(under("region_path", region.path))
    total = dict(inside.values_list("colour").annotate(n=Count("pk")))
    children: dict[str, dict[str, int]] = {}
    if region.level < Level.BUILDING:
        length = PATH_LENGTHS[Level(region.level + 1)]
        rows = (
            inside.annotate(prefix=Substr("region_path", 1, length))
            .values_list("prefix", "colour")
            .annotate(n=Count("pk"))
        )
        for prefix, colour, n in rows:
            children.setdefault(prefix, {})[colour] = n
    return {"total": total, "children": children}


def _tally(region: Region, counts: dict, colours: list[str]) -> dict:
    return {
        "region": region,
        "counts": [(colour, counts.get(colour, 0)) for colour in colours],
        "uncounted": max(0, region.resident_count - sum(counts.values())),
    }


@login_required
def region_counts(request, code: str):
    region = get_object_or_404(Region.objects.restrict(request.user, VIEW), code=code)
    fragment = bool(request.headers.get("HX-Request"))
    if not can(request.user, PERSON, VIEW, region.path):
        if fragment:
            return with_vary(HttpResponse(""))
        raise PermissionDenied
    counts = status_counts(region)
    in_force = Policy.objects.in_force().parameters.get("colours") or []
    present = set(counts["total"])
    colours = [c for c in COLOUR_ORDER if c in in_force or c in present]
    children = []
    if region.level < Level.BUILDING:
        children = [
            _tally(child, counts["children"].get(child.path, {}), colours)
            for child in Region.objects.restrict(request.user, VIEW)
            .filter(parent=region)
            .order_by("path")
        ]
    context = {
        "region": region,
        "colours": colours,
        "total": _tally(region, counts["total"], colours),
        "children": children,
        "may_draw": can(request.user, ZONE, ADD, region.path),
    }
    template = "health/_region_counts.html" if fragment else "health/region_counts.html"
    return with_vary(render(request, template, context))

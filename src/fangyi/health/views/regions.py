"""Counts of colours per region and per child region, for the region page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from fangyi.core.permissions import ADD, VIEW, can
from fangyi.health.area import ZONE
from fangyi.people.area import PERSON
from fangyi.regions.models import Level, Region, looks_like_code

from ..counts import status_counts
from ..models import Policy
from .common import COLOUR_ORDER, with_vary


def _tally(region: Region, counts: dict, colours: list[str]) -> dict:
    return {
        "region": region,
        "counts": [(colour, counts.get(colour, 0)) for colour in colours],
        "uncounted": max(0, region.resident_count - sum(counts.values())),
    }


@login_required
def region_counts(request, code: str):
    if not looks_like_code(code):
        raise Http404
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

"""The region tree: a lazily expanded navigator and one page per region."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from fangyi.core.permissions import VIEW, can
from fangyi.people.area import HOUSEHOLD, PERSON
from fangyi.people.lists import person_page, render_person_page
from fangyi.people.models import Person

from .area import REGION
from .filters import top_regions
from .models import Level, Region, looks_like_code


def _visible_region(request, code: str) -> Region:
    if not looks_like_code(code):
        raise Http404
    return get_object_or_404(Region.objects.restrict(request.user, VIEW), code=code)


def _children(request, region: Region):
    return Region.objects.restrict(request.user, VIEW).filter(parent=region).order_by("path")


@login_required
def region_tree(request):
    return render(request, "regions/tree.html", {"regions": top_regions(request.user)})


@login_required
def region_children(request, code: str):
    region = _visible_region(request, code)
    return render(request, "regions/_tree_nodes.html", {"regions": _children(request, region)})


@login_required
def region_detail(request, code: str):
    region = _visible_region(request, code)
    persons, next_cursor = person_page(
        request, Person.objects.restrict(request.user, VIEW, within=region.path)
    )
    if request.headers.get("HX-Request"):
        return render_person_page(request, persons, next_cursor)
    breadcrumbs = [
        (ancestor, can(request.user, REGION, VIEW, ancestor.path))
        for ancestor in region.ancestors()
    ]
    households = None
    if region.level == Level.BUILDING and can(request.user, HOUSEHOLD, VIEW, region.path):
        households = (
            region.households.restrict(request.user, VIEW)
            .select_related("building")
            .order_by("unit", "room")
        )
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "breadcrumbs": breadcrumbs,
            "children": _children(request, region),
            "households": households,
            "show_people": can(request.user, PERSON, VIEW),
            "persons": persons,
            "next_cursor": next_cursor,
        },
    )

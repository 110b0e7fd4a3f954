"""What lists of every area share about regions: the user's top regions, and narrowing a
list to the region its filter form names."""

from django.utils.translation import gettext as _

from fangyi.core.permissions import EVERYWHERE, VIEW, scope_paths

from .area import REGION
from .models import Region


def top_regions(user):
    """The highest regions the user may view: the roots of their part of the tree."""
    paths = scope_paths(user, REGION, VIEW)
    if paths is EVERYWHERE:
        return Region.objects.filter(parent__isnull=True).order_by("path")
    return Region.objects.filter(path__in=paths).order_by("path")


def chosen_region(request, form):
    """The region a list's filter form narrows it to, or None; False when the code is unknown
    or outside the user's scope, which the form then says. (The lookup comes before add_error,
    which drops the field from cleaned_data.)"""
    code = form.cleaned_data.get("region")
    if not code:
        return None
    region = Region.objects.restrict(request.user, VIEW).filter(code=code).first()
    if region is None:
        form.add_error("region", _("没有找到该区域，或不在您的辖区内。"))
        return False
    return region


def in_region_filter(request, form, queryset):
    """(queryset, region): the list restricted to the user's scope within the chosen region;
    empty when the chosen region is unknown or out of scope."""
    region = chosen_region(request, form)
    if region is False:
        return queryset.none(), None
    return queryset.restrict(request.user, VIEW, within=region.path if region else ""), region

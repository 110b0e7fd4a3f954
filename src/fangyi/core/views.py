"""Home page, audit log, and what every area's pages share (cursor pages, top regions)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fangyi.core.models import AccessEvent, ObjectChange
from fangyi.core.pagination import InvalidCursor, keyset_page
from fangyi.core.permissions import (
    AUDIT,
    EVERYWHERE,
    GRID_LEADER,
    GRID_WORKER,
    LAB,
    REGION,
    SAMPLER,
    VIEW,
    VOLUNTEER,
    assignments_of,
    can,
    scope_paths,
)
from fangyi.regions.models import Region

# Roles that work inside one grid: their home is that grid's page, not an overview.
FIELD_ROLES = {GRID_WORKER, GRID_LEADER, VOLUNTEER, SAMPLER}
# Roles with one screen to work at: they start there.
WORK_SCREENS = {SAMPLER: "screening:sampling", LAB: "screening:lab"}


def cursor_page(request, queryset, ordering: tuple[str, ...]):
    """One keyset page for `?cursor=`; a cursor we did not issue falls back to the first page."""
    cursor = request.GET.get("cursor") or None
    try:
        return keyset_page(
            queryset, ordering=ordering, cursor=cursor, size=settings.FANGYI_PAGE_SIZE
        )
    except InvalidCursor:
        messages.warning(request, _("翻页链接无效，已回到第一页。"))
        return keyset_page(queryset, ordering=ordering, cursor=None, size=settings.FANGYI_PAGE_SIZE)


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


def top_regions(user):
    """The highest regions the user may view: the roots of their part of the tree."""
    paths = scope_paths(user, REGION, VIEW)
    if paths is EVERYWHERE:
        return Region.objects.filter(parent__isnull=True).order_by("path")
    return Region.objects.filter(path__in=paths).order_by("path")


@login_required
def home(request):
    assignments = assignments_of(request.user)
    if not assignments and not request.user.is_superuser:
        return render(request, "core/home.html", {"unassigned": True})
    roles = {role for role, _path in assignments}
    paths = {path for _role, path in assignments}
    if not request.user.is_superuser and len(roles) == 1 and next(iter(roles)) in WORK_SCREENS:
        return redirect(WORK_SCREENS[next(iter(roles))])
    if not request.user.is_superuser and roles <= FIELD_ROLES and len(paths) == 1:
        grid = Region.objects.restrict(request.user, VIEW).filter(path__in=paths).first()
        if grid is not None:
            return redirect("region-detail", code=grid.code)
    return render(request, "core/home.html", {"regions": top_regions(request.user)})


AUDIT_KINDS = {"changes": ObjectChange, "access": AccessEvent}


@login_required
def audit_log(request):
    if not can(request.user, AUDIT, VIEW):
        raise PermissionDenied
    kind = request.GET.get("kind") if request.GET.get("kind") in AUDIT_KINDS else "changes"
    object_id = request.GET.get("object", "").strip()[:64]
    actor = request.GET.get("actor", "").strip()[:150]
    rows = AUDIT_KINDS[kind].objects.restrict(request.user, VIEW)
    if object_id:
        rows = rows.filter(object_id=object_id)
    if actor:
        rows = rows.filter(actor_name=actor)
    rows, next_cursor = cursor_page(request, rows, ("-time", "-id"))
    return render(
        request,
        "core/audit_log.html",
        {
            "kind": kind,
            "object_id": object_id,
            "actor": actor,
            "rows": rows,
            "next_cursor": next_cursor,
        },
    )

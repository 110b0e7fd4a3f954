"""Sweeps pages: the list, starting a sweep, a sweep's coverage (drilling down to buildings and
their unvisited doors), splitting buildings among the grid team, ending a sweep, the
community's list, the visits with refused answers, and the worker's phone sheet (an offline
page: see static/sweeps/sheet.js and core/offline.py)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core import offline
from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, CHANGE, EXPORT, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.fieldwork import services as fieldwork
from fangyi.regions.filters import chosen_region
from fangyi.regions.models import Region

from . import coverage as cov
from . import problems, refused, services, sheets
from .api import BY_REGION, NEWEST_FIRST
from .area import SWEEP, SWEEP_VISIT
from .forms import AssignForm, HandledForm, KeepForm, ProblemFilterForm, RegionForm, SweepForm
from .models import DoorState, ProblemKind

# The sheet's files for the service worker to answer from offline; a new version of the sheet
# that must not be mixed with the old files changes it.
PAGE_CACHE = "fangyi-sweep-sheet-v1"


def _require(user, resource: str, action: str) -> None:
    if not can(user, resource, action):
        raise PermissionDenied


def _sweep(request, pk):
    sweep = services.visible_sweeps(request.user).select_related("region").filter(pk=pk).first()
    if sweep is None:
        raise Http404
    return sweep


@login_required
def sweep_list(request):
    user = request.user
    _require(user, SWEEP, VIEW)
    rows, next_cursor = cursor_page(
        request, services.visible_sweeps(user).select_related("region"), NEWEST_FIRST
    )
    return render(
        request,
        "sweeps/list.html",
        {
            "sweeps": rows,
            "next_cursor": next_cursor,
            "may_start": can(user, SWEEP, ADD),
            "may_visit": can(user, SWEEP_VISIT, ADD),
        },
    )


@login_required
def sweep_new(request):
    user = request.user
    _require(user, SWEEP, ADD)
    form = SweepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = form.region_codes()
        regions = list(Region.objects.restrict(user, VIEW).filter(code__in=codes))
        try:
            if not codes or len(regions) != len(codes):
                raise ValidationError({"regions": _("没有这个区域，或其不在您的辖区内。")})
            sweep = services.start_sweep(
                actor=user,
                title=form.cleaned_data["title"],
                regions=regions,
                deadline=form.cleaned_data["deadline"],
                sections=form.cleaned_data["sections"],
            )
        except PermissionDenied:
            form.add_error("regions", _("您无权在该区域开展排查。"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已开始排查，%(n)d 户已列入网格任务。") % {"n": sweep.household_count},
            )
            return redirect(sweep.get_absolute_url())
    return render(request, "sweeps/new.html", {"form": form})


@login_required
def sweep_detail(request, pk):
    """The sweep's coverage at a region (its own by default): the figures, each child region
    the sweep reaches, and at a building its doors not visited yet."""
    user = request.user
    sweep = _sweep(request, pk)
    form = RegionForm(request.GET)
    form.is_valid()
    region = chosen_region(request, form) or sweep.region
    found = cov.coverage(user, sweep, region)
    doors, next_cursor = cursor_page(request, cov.unvisited(user, sweep, region), BY_REGION)
    return render(
        request,
        "sweeps/detail.html",
        {
            "sweep": sweep,
            "form": form,
            "coverage": found,
            "doors": doors,
            "next_cursor": next_cursor,
            "path": [r for r in Region.objects.filter(path__in=_between(sweep, region))],
            "may_change": can(user, SWEEP, CHANGE, sweep.region_path),
            "may_split": can(user, SWEEP, CHANGE),
            "may_visit": can(user, SWEEP_VISIT, ADD),
            # The export button exports the region shown: only where the ledger would allow it.
            "may_export": can(user, SWEEP, EXPORT, found.region.path),
            "listed": DoorState.LISTED,
            "refused_count": refused.refused_visits(user, sweep, region).count(),
        },
    )


def _between(sweep, region) -> list[str]:
    """The paths from the sweep's region down to `region`, for the breadcrumbs."""
    return [
        region.path[:n]
        for n in range(len(sweep.region_path), len(region.path) + 1)
        if region.path[:n] and len(region.path[:n]) in (2, 4, 6, 9, 12, 15, 18)
    ]


@login_required
@require_POST
def sweep_end(request, pk):
    sweep = _sweep(request, pk)
    try:
        services.end_sweep(actor=request.user, sweep=sweep)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("排查已结束，手机上保存的数据将在下次打开时清除。"))
    return redirect(sweep.get_absolute_url())


@login_required
def sweep_buildings(request, pk):
    """Grid leaders give each building of the sweep to a member of the grid team."""
    user = request.user
    _require(user, SWEEP, CHANGE)
    sweep = _sweep(request, pk)
    if request.method == "POST":
        form = AssignForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择楼栋和承办人。"))
        else:
            building = (
                Region.objects.restrict(user, VIEW)
                .filter(code=form.cleaned_data["building"])
                .first()
            )
            assignee = (
                get_user_model()
                .objects.filter(pk=form.cleaned_data["assignee"], is_active=True)
                .first()
            )
            try:
                if building is None:
                    raise ValidationError({"building": _("没有这个楼栋，或其不在您的辖区内。")})
                services.assign_building(
                    actor=user, sweep=sweep, building=building, assignee=assignee
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(
                    request,
                    "；".join(exc.messages)
                    if isinstance(exc, ValidationError)
                    else _("没有权限。"),
                )
            else:
                messages.success(request, _("已分派 %(name)s。") % {"name": building.name})
        return redirect(reverse("sweeps:buildings", args=[sweep.pk]))
    rows = [row for row in sheets.building_rows(user, sweep) if row["may_assign"]]
    takers = fieldwork.takers_for([row["path"] for row in rows]) if rows else []
    for row in rows:
        row["takers"] = [t for t in takers if fieldwork.may_take(t, row["path"])]
    return render(request, "sweeps/buildings.html", {"sweep": sweep, "rows": rows})


@login_required
def sweep_sheet(request, pk):
    """The phone sheet: downloads the worker's households, records visits offline, uploads."""
    user = request.user
    _require(user, SWEEP_VISIT, ADD)
    sweep = _sweep(request, pk)
    return render(
        request,
        "sweeps/sheet.html",
        {
            "sweep": sweep,
            "sheet_url": f"/api/v1/sweeps/{sweep.pk}/sheet",
            "upload_url": f"/api/v1/sweeps/{sweep.pk}/visits",
            "service_worker_url": offline.worker_url("sweeps:service-worker", PAGE_CACHE),
            "page_cache": PAGE_CACHE,
        },
    )


@login_required
def sweep_problems(request, pk):
    """The community's list: households missed twice and households visited twice (both
    visits side by side), open or settled, under a region of the sweep."""
    user = request.user
    sweep = _sweep(request, pk)
    form = ProblemFilterForm(request.GET)
    form.is_valid()
    kind = form.cleaned_data.get("kind") or ProblemKind.LISTED
    settled = bool(form.cleaned_data.get("settled"))
    region = chosen_region(request, form) or sweep.region
    doors, next_cursor = cursor_page(
        request, problems.problem_doors(user, sweep, region, kind=kind, settled=settled), BY_REGION
    )
    return render(
        request,
        "sweeps/problems.html",
        {
            "sweep": sweep,
            "form": form,
            "region": region,
            "kind": kind,
            "settled": settled,
            "kinds": ProblemKind.choices,
            "rows": problems.rows_for(user, sweep, doors),
            "next_cursor": next_cursor,
        },
    )


@login_required
def sweep_refused(request, pk):
    """Every visit under a region of the sweep with answers the services refused: which part,
    whose and why, for someone with the rights to settle it at the person's page."""
    user = request.user
    sweep = _sweep(request, pk)
    form = RegionForm(request.GET)
    form.is_valid()
    region = chosen_region(request, form) or sweep.region
    visits, next_cursor = cursor_page(
        request, refused.refused_visits(user, sweep, region), BY_REGION
    )
    return render(
        request,
        "sweeps/refused.html",
        {
            "sweep": sweep,
            "form": form,
            "region": region,
            "rows": refused.rows_for(visits),
            "next_cursor": next_cursor,
        },
    )


def _problem_door(request, pk, household):
    sweep = _sweep(request, pk)
    door = problems.door_of(request.user, sweep, household)
    if door is None:
        raise Http404
    return sweep, door


def _back(request, sweep, kind: str):
    return redirect(f"{reverse('sweeps:problems', args=[sweep.pk])}?kind={kind}")


@login_required
@require_POST
def problem_keep(request, pk, household):
    """Settles a conflict by keeping one of the household's visits."""
    _require(request.user, SWEEP, CHANGE)
    sweep, door = _problem_door(request, pk, household)
    form = KeepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要采用的走访记录。"))
        return _back(request, sweep, ProblemKind.CONFLICT)
    try:
        problems.keep_visit(
            actor=request.user, sweep=sweep, door=door, visit_id=form.cleaned_data["visit"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            _("已采用所选走访记录：%(address)s。") % {"address": door.household.short_address},
        )
    return _back(request, sweep, ProblemKind.CONFLICT)


@login_required
@require_POST
def problem_handled(request, pk, household):
    """Marks a household missed twice as handled by the community, with a note."""
    _require(request.user, SWEEP, CHANGE)
    sweep, door = _problem_door(request, pk, household)
    form = HandledForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("请写明如何处理（不超过 %(n)d 个字）。") % {"n": problems.MAX_NOTE}
        )
        return _back(request, sweep, ProblemKind.LISTED)
    try:
        problems.mark_handled(
            actor=request.user, sweep=sweep, door=door, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, _("已标记为已处理：%(address)s。") % {"address": door.household.short_address}
        )
    return _back(request, sweep, ProblemKind.LISTED)

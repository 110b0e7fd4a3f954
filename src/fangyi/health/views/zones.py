"""Zones: the active and lifted lists with the affected-regions tree, drawing one, and
lifting or lowering one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.forms import add_service_errors
from fangyi.core.paths import under
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.health.area import ZONE
from fangyi.regions.models import PATH_LENGTHS, Level, Region, ancestor_paths

from .. import services
from ..forms import ReasonForm, ZoneForm, local_minute
from ..models import Policy, Zone, ZoneRegion
from ..templatetags.health import colour_name, localized
from .common import SEVERITY, zone_colour, zone_kind_label

# The affected-regions tree stops at the deepest level that keeps it under this many nodes.
TREE_LIMIT = 300


def _zone_kinds(policy: Policy) -> list[dict]:
    return [
        {
            "code": kind["code"],
            "label": f"{localized(kind)}（{colour_name(kind.get('colour'))}）",
        }
        for kind in policy.parameters["zone_kinds"]
    ]


def _zone_form(request, data=None) -> ZoneForm:
    policy = Policy.objects.in_force()
    initial = {"starts_at": local_minute(timezone.now()), "regions": request.GET.get("region", "")}
    return ZoneForm(data, user=request.user, kinds=_zone_kinds(policy), initial=initial)


def _lowers_to(zone: Zone, policy: Policy) -> dict | None:
    """The kind the plan lowers this zone to when it is lifted (high → medium), if any."""
    becomes = ((zone.policy.zone_kind(zone.kind) or {}).get("lift") or {}).get("becomes")
    return policy.zone_kind(becomes) if becomes else None


def _may_lift(user, zone: Zone) -> bool:
    return all(can(user, ZONE, CHANGE, area.path) for area in zone.areas.all())


def affected_tree(user) -> tuple[list[dict], bool]:
    """The regions inside active zones as a tree (district → building) the user may view,
    each node tinted with the most severe colour of the zones over it.

    Returns (roots, truncated): levels are added from the top down while the tree stays
    under TREE_LIMIT nodes, so a zone over a whole street shows its communities and grids,
    not its thousands of buildings.
    """
    policies = {policy.pk: policy for policy in Policy.objects.all()}
    tints: dict[str, str] = {}
    labels: dict[str, list[str]] = {}
    areas = ZoneRegion.objects.filter(
        zone__in=Zone.objects.restrict(user, VIEW).active()
    ).values_list("path", "zone__kind", "zone__policy_id")
    for path, code, policy_id in areas:
        kind = policies[policy_id].zone_kind(code) or {}
        colour = kind.get("colour") or "none"
        if SEVERITY.get(colour, -1) >= SEVERITY.get(tints.get(path, ""), -2):
            tints[path] = colour
        labels.setdefault(path, []).append(localized(kind) if kind else code)
    if not tints:
        return [], False
    paths = set(tints)
    for path in tints:
        paths.update(p for p in ancestor_paths(path) if len(p) >= PATH_LENGTHS[Level.DISTRICT])
    visible = Region.objects.restrict(user, VIEW)
    regions = {region.path: region for region in visible.filter(path__in=paths)}
    if len(regions) > TREE_LIMIT:
        return _nest(_shallowest(regions), tints, labels), True
    for level in range(Level.DISTRICT + 1, Level.BUILDING + 1):
        tops = [path for path in tints if len(path) < PATH_LENGTHS[Level(level)]]
        if not tops:
            continue
        inside = Q()
        for path in tops:
            inside |= under("path", path)
        room = TREE_LIMIT - len(regions)
        found = list(visible.filter(inside, level=level).order_by("path")[: room + 1])
        if len(found) > room:
            return _nest(regions, tints, labels), True
        regions.update((region.path, region) for region in found)
    return _nest(regions, tints, labels), False


def _nest(regions: dict[str, Region], tints: dict[str, str], labels: dict) -> list[dict]:
    nodes: dict[str, dict] = {}
    roots: list[dict] = []
    for path in sorted(regions):
        covering = [tints[p] for p in ancestor_paths(path) if p in tints]
        node = {
            "region": regions[path],
            "tint": max(covering, key=lambda c: SEVERITY.get(c, -1)) if covering else None,
            "zones": labels.get(path, []),
            "children": [],
        }
        nodes[path] = node
        parent = next((p for p in reversed(ancestor_paths(path)[:-1]) if p in nodes), None)
        (nodes[parent]["children"] if parent else roots).append(node)
    return roots


def _shallowest(regions: dict[str, Region]) -> dict[str, Region]:
    """The top levels of `regions` that fit in TREE_LIMIT nodes together."""
    kept: dict[str, Region] = {}
    for level in sorted({region.level for region in regions.values()}):
        row = {path: region for path, region in regions.items() if region.level == level}
        if len(kept) + len(row) > TREE_LIMIT:
            break
        kept |= row
    return kept


def _item(zone: Zone) -> dict:
    """A zone's card: its kind, and for a lowered one the kind it was lowered from."""
    lowered_from = zone_kind_label(zone.predecessor) if zone.predecessor is not None else ""
    return {
        "zone": zone,
        "kind": zone_kind_label(zone),
        "colour": zone_colour(zone),
        "lowered_from": lowered_from,
    }


@login_required
def zone_list(request):
    user = request.user
    if not can(user, ZONE, VIEW):
        raise PermissionDenied
    lifted = request.GET.get("tab") == "lifted"
    policy = Policy.objects.in_force()
    zones = (
        Zone.objects.restrict(user, VIEW)
        .select_related("policy", "created_by", "lifted_by", "predecessor__policy")
        .prefetch_related("areas__region")
    )
    # The command centre's zone figures link here with the region the zones were drawn in and
    # their kinds; an unknown or out-of-scope region shows no zones.
    code = request.GET.get("region", "")
    if code:
        within = (
            Region.objects.restrict(user, VIEW).filter(code=code).values_list("path", flat=True)
            if code.isascii() and code.isdigit()
            else []
        )
        zones = zones.filter(under("region_path", within[0])) if within else zones.none()
    kinds = [kind for kind in request.GET.getlist("kind") if kind][:10]
    if kinds:
        zones = zones.filter(kind__in=kinds)
    context = {"lifted": lifted, "policy": policy}
    if lifted:
        rows, next_cursor = cursor_page(
            request,
            zones.filter(lifted_at__isnull=False).prefetch_related("successors"),
            ("-lifted_at", "-id"),
        )
        items = [_item(zone) for zone in rows]
    else:
        rows, next_cursor = cursor_page(request, zones.active(), ("-starts_at", "-id"))
        items = []
        for zone in rows:
            lowers_to = _lowers_to(zone, policy)
            items.append(
                _item(zone)
                | {
                    "state": services.zone_state(zone),
                    "lowers_to": localized(lowers_to) if lowers_to else "",
                    "may_lift": _may_lift(user, zone),
                }
            )
        context["tree"], context["tree_truncated"] = affected_tree(user)
        if can(user, ZONE, ADD):
            context["form"] = _zone_form(request)
    context.update(items=items, next_cursor=next_cursor)
    return render(request, "health/zone_list.html", context)


@login_required
def zone_create(request):
    user = request.user
    if not can(user, ZONE, ADD):
        raise PermissionDenied
    form = _zone_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            zone = services.draw_zone(
                actor=user,
                kind=data["kind"],
                regions=data["regions"],
                reason=data["reason"],
                starts_at=data["starts_at"],
                name=data["name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("regions", str(exc))
        else:
            messages.success(
                request,
                _("已划定「%(name)s」（%(kind)s）。")
                % {"name": zone.name, "kind": zone_kind_label(zone)},
            )
            return redirect("health:zone-list")
    return render(request, "health/zone_form.html", {"form": form})


@login_required
def zone_lift(request, pk):
    user = request.user
    zone = get_object_or_404(
        Zone.objects.restrict(user, VIEW)
        .select_related("policy")
        .prefetch_related("areas__region"),
        pk=pk,
    )
    if not _may_lift(user, zone):
        raise PermissionDenied
    if zone.lifted_at is not None:
        messages.info(request, _("该区域已经解除。"))
        return redirect(reverse("health:zone-list") + "?tab=lifted")
    lowers_to = _lowers_to(zone, Policy.objects.in_force())
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lowered = services.lift_zone(actor=user, zone=zone, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if lowered is not None:
                messages.success(
                    request,
                    _("「%(name)s」已由%(old)s降为%(new)s。")
                    % {
                        "name": zone.name,
                        "old": zone_kind_label(zone),
                        "new": zone_kind_label(lowered),
                    },
                )
            else:
                messages.success(request, _("已解除「%(name)s」。") % {"name": zone.name})
            return redirect("health:zone-list")
    context = {
        "zone": zone,
        "kind": zone_kind_label(zone),
        "colour": zone_colour(zone),
        "state": services.zone_state(zone),
        "lowers_to": localized(lowers_to) if lowers_to else "",
        "form": form,
    }
    return render(request, "health/zone_lift.html", context)

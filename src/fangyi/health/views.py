"""Health pages: a person's colour and facts, tallies per region, zones, appeals, manual
decisions and the prevention plans. Reads go through restrict(); every change through services,
whose ValidationErrors are shown on the form fields they name."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.core.forms import add_service_errors
from fangyi.core.paths import under
from fangyi.core.permissions import (
    ADD,
    APPEAL,
    CHANGE,
    DECISION,
    FACT,
    PERSON,
    POLICY,
    VIEW,
    ZONE,
    can,
)
from fangyi.core.views import chosen_region, cursor_page, in_region_filter
from fangyi.people.models import Person
from fangyi.regions.models import PATH_LENGTHS, Level, Region, ancestor_paths, looks_like_code

from . import services
from .forms import (
    APPEAL_STATES,
    DECISION_STATES,
    RECORDABLE_KINDS,
    AppealForm,
    DecisionForm,
    FactForm,
    ReasonForm,
    RegionFilterForm,
    VerdictForm,
    ZoneForm,
    local_minute,
)
from .models import (
    Appeal,
    Colour,
    Fact,
    FactKind,
    ManualDecision,
    Policy,
    QuarantineSetting,
    Status,
    TestOutcome,
    TubeKind,
    Zone,
    ZoneRegion,
)
from .templatetags.health import OVERDUE, colour_name, in_english, localized

COLOUR_ORDER = [Colour.GREEN, Colour.YELLOW, Colour.ORANGE, Colour.RED]
SEVERITY = {colour: rank for rank, colour in enumerate(COLOUR_ORDER)}
FACT_ORDERING = ("-occurred_at", "-id")
# The timeline's facts an appeal may contest are the recent ones; older ones are long spent.
APPEAL_FACTS = 50
COUNTS_SECONDS = 60
# The affected-regions tree stops at the deepest level that keeps it under this many nodes.
TREE_LIMIT = 300
DEFAULT_MANUAL = datetime.timedelta(hours=24)
VARIANT_LABELS = dict(TubeKind.choices) | dict(QuarantineSetting.choices)
OUTCOME_LABELS = dict(TestOutcome.choices)
SOURCE_LABELS = {
    "manual": gettext_lazy("页面录入"),
    "ledger": gettext_lazy("台账导入"),
    "api": gettext_lazy("接口"),
    "screening": gettext_lazy("核酸筛查"),
    "portal": gettext_lazy("居民自主申报"),
}
DETAIL_LABELS = {
    "area": gettext_lazy("来自"),
    "temperature": gettext_lazy("体温"),
    "symptoms": gettext_lazy("症状"),
    "index_case": gettext_lazy("关联病例"),
    "note": gettext_lazy("备注"),
    "reason": gettext_lazy("原因"),
}


def _with_vary(response):
    patch_vary_headers(response, ["HX-Request"])
    return response


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    """A service's error keys as the form calls its fields (details.area → area)."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(key, key): errors for key, errors in exc.error_dict.items()})


def _zone_colour(zone: Zone) -> str | None:
    return (zone.policy.zone_kind(zone.kind) or {}).get("colour")


def _zone_kind_label(zone: Zone) -> str:
    kind = zone.policy.zone_kind(zone.kind)
    return localized(kind) if kind else zone.kind


# A person's health panel


def _visible_person(request, pk) -> Person:
    queryset = Person.objects.restrict(request.user, VIEW).select_related("household__building")
    return get_object_or_404(queryset, pk=pk)


def _source_label(source: str) -> str:
    if source.startswith("appeal:"):
        return _("申诉处理")
    return str(SOURCE_LABELS.get(source, source))


def _fact_summary(fact: Fact) -> list[str]:
    parts = []
    if fact.outcome:
        parts.append(str(OUTCOME_LABELS.get(fact.outcome, fact.outcome)))
    if fact.variant:
        parts.append(str(VARIANT_LABELS.get(fact.variant, fact.variant)))
    for key, value in (fact.details or {}).items():
        if key == "symptoms":
            value = "、".join(map(str, value)) if value else _("无")
        elif key == "temperature":
            value = f"{value} ℃"
        parts.append(f"{DETAIL_LABELS.get(key, key)}: {value}")
    return parts


def _fact_label(fact: Fact) -> str:
    parts = [fact.get_kind_display(), local_minute(fact.occurred_at).replace("T", " ")]
    if fact.outcome:
        parts.append(str(OUTCOME_LABELS.get(fact.outcome, fact.outcome)))
    return " · ".join(parts)


def _timeline(request, person: Person):
    facts = Fact.objects.restrict(request.user, VIEW).filter(person=person)
    facts, next_cursor = cursor_page(request, facts.select_related("retracts"), FACT_ORDERING)
    retractions = {
        fact.retracts_id: fact for fact in Fact.objects.filter(retracts__in=[f.pk for f in facts])
    }
    for fact in facts:
        fact.retracted_by = retractions.get(fact.pk)
        fact.summary = _fact_summary(fact)
        fact.source_label = _source_label(fact.source)
    return facts, next_cursor


def _reasons(user, status: Status, *, facts_visible: bool) -> list[dict]:
    """The status's reasons in the reader's language, with the facts and zone they rest on."""
    fact_ids = {fact_id for reason in status.reasons for fact_id in reason.get("facts", [])}
    zone_ids = {reason["zone"] for reason in status.reasons if reason.get("zone")}
    facts = {}
    if facts_visible and fact_ids:
        facts = {
            str(fact.pk): fact for fact in Fact.objects.restrict(user, VIEW).filter(pk__in=fact_ids)
        }
    zones = {str(zone.pk): zone for zone in Zone.objects.filter(pk__in=zone_ids)}
    language = "en" if in_english() else "zh"
    shown = []
    for reason in status.reasons:
        cited = [facts[i] for i in reason.get("facts", []) if i in facts]
        zone = zones.get(reason.get("zone") or "")
        if zone is not None:
            contest = f"zone={zone.pk}"
        elif cited:
            contest = f"fact={cited[-1].pk}"
        else:
            contest = ""
        shown.append(
            {
                "code": reason["code"],
                "colour": reason["colour"],
                "text": reason.get(language) or reason.get("zh", ""),
                "facts": cited,
                "zone": zone,
                "decision": reason.get("decision"),
                "contest": contest,
            }
        )
    return shown


def _policy_names() -> dict[str, str]:
    return {policy.label: localized(policy) for policy in Policy.objects.all()}


@login_required
def person_panel(request, pk):
    """The colour, its reasons, the facts and the actions on a person: a fragment for the
    person page (loaded by htmx), or a page of its own without JavaScript."""
    person = _visible_person(request, pk)
    user = request.user
    status = services.current_status(person)
    facts_visible = can(user, FACT, VIEW, person.region_path)
    facts, next_cursor = _timeline(request, person) if facts_visible else ([], None)
    now = timezone.now()
    context = {
        "person": person,
        "status": status,
        "policy_name": _policy_names().get(status.policy_version, status.policy_version),
        "reasons": _reasons(user, status, facts_visible=facts_visible),
        "facts_visible": facts_visible,
        "facts": facts,
        "next_cursor": next_cursor,
        "may_add_fact": can(user, FACT, ADD, person.region_path),
        "may_appeal": can(user, APPEAL, ADD, person.region_path),
        "may_propose": can(user, DECISION, ADD, person.region_path),
        "open_appeals": Appeal.objects.restrict(user, VIEW)
        .filter(person=person, state=Appeal.State.OPEN)
        .select_related("fact", "zone")
        .order_by("filed_at"),
        "decisions": ManualDecision.objects.restrict(user, VIEW)
        .filter(
            person=person,
            state__in=[ManualDecision.State.PENDING, ManualDecision.State.APPROVED],
            expires_at__gt=now,
        )
        .order_by("-proposed_at"),
    }
    template = "health/person_health.html"
    if request.headers.get("HX-Request"):
        template = "health/_person_panel.html"
    return _with_vary(render(request, template, context))


@login_required
def fact_create(request, pk):
    person = _visible_person(request, pk)
    if not can(request.user, FACT, ADD, person.region_path):
        raise PermissionDenied
    if request.method == "POST":
        form = FactForm(request.POST)
        if form.is_valid():
            try:
                services.record_fact(
                    actor=request.user, source="manual", person=person, **form.service_fields()
                )
            except ValidationError as exc:
                names = {f"details.{name}": name for name in ("area", "temperature", "symptoms")}
                add_service_errors(form, _renamed(exc, names))
            else:
                messages.success(
                    request, _("已记录：%(kind)s。") % {"kind": FactKind(form.kind).label}
                )
                return redirect("person-detail", pk=person.pk)
    else:
        form = FactForm(kind=request.GET.get("kind", ""))
        form.initial = {"kind": form.kind, "occurred_at": local_minute(timezone.now())}
    return render(
        request,
        "health/fact_form.html",
        {"form": form, "person": person, "kinds": RECORDABLE_KINDS},
    )


def _appeal_targets(user, person: Person) -> tuple[list, dict, dict]:
    """What an appeal for this person may contest: the active zones they live in and their
    recent facts that stand (not retractions, not already retracted)."""
    zones = list(
        Zone.objects.active()
        .filter(areas__path__in=ancestor_paths(person.region_path))
        .select_related("policy")
        .distinct()
        .order_by("-starts_at")
    )
    facts = list(
        Fact.objects.restrict(user, VIEW)
        .filter(person=person, retractions__isnull=True)
        .exclude(kind=FactKind.RETRACTION)
        .order_by(*FACT_ORDERING)[:APPEAL_FACTS]
    )
    choices = [
        (
            f"zone:{zone.pk}",
            _("管控区域：%(name)s（%(kind)s）")
            % {"name": zone.name, "kind": _zone_kind_label(zone)},
        )
        for zone in zones
    ] + [(f"fact:{fact.pk}", _fact_label(fact)) for fact in facts]
    return choices, {str(z.pk): z for z in zones}, {str(f.pk): f for f in facts}


@login_required
def appeal_create(request, pk):
    person = _visible_person(request, pk)
    if not can(request.user, APPEAL, ADD, person.region_path):
        raise PermissionDenied
    choices, zones, facts = _appeal_targets(request.user, person)
    initial = {}
    for kind in ("zone", "fact"):
        if request.GET.get(kind):
            initial["target"] = f"{kind}:{request.GET[kind]}"
    form = AppealForm(request.POST or None, targets=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        kind, _sep, ident = form.cleaned_data["target"].partition(":")
        try:
            services.file_appeal(
                actor=request.user,
                person=person,
                reason=form.cleaned_data["reason"],
                fact=facts.get(ident) if kind == "fact" else None,
                zone=zones.get(ident) if kind == "zone" else None,
                on_behalf=True,
            )
        except ValidationError as exc:
            add_service_errors(form, _renamed(exc, {"fact": "target", "zone": "target"}))
        else:
            messages.success(request, _("已提交申诉，将由其他干部处理。"))
            return redirect("person-detail", pk=person.pk)
    return render(request, "health/appeal_form.html", {"form": form, "person": person})


@login_required
def decision_create(request, pk):
    person = _visible_person(request, pk)
    if not can(request.user, DECISION, ADD, person.region_path):
        raise PermissionDenied
    now = timezone.now()
    form = DecisionForm(
        request.POST or None, initial={"expires_at": local_minute(now + DEFAULT_MANUAL)}
    )
    form.fields["expires_at"].widget.attrs.update(
        min=local_minute(now), max=local_minute(now + services.MAX_MANUAL)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_decision(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已提交人工判定，须由另一名干部审批后生效。"))
            return redirect("person-detail", pk=person.pk)
    return render(request, "health/decision_form.html", {"form": form, "person": person})


# Counts per region


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
    if not looks_like_code(code):
        raise Http404
    region = get_object_or_404(Region.objects.restrict(request.user, VIEW), code=code)
    fragment = bool(request.headers.get("HX-Request"))
    if not can(request.user, PERSON, VIEW, region.path):
        if fragment:
            return _with_vary(HttpResponse(""))
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
    return _with_vary(render(request, template, context))


# Zones


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
    roots = []
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


@login_required
def zone_list(request):
    user = request.user
    if not can(user, ZONE, VIEW):
        raise PermissionDenied
    lifted = request.GET.get("tab") == "lifted"
    policy = Policy.objects.in_force()
    zones = (
        Zone.objects.restrict(user, VIEW)
        .select_related("policy", "created_by", "lifted_by")
        .prefetch_related("areas__region")
    )
    context = {"lifted": lifted, "policy": policy}
    if lifted:
        rows, next_cursor = cursor_page(
            request,
            zones.filter(lifted_at__isnull=False).prefetch_related("successors"),
            ("-lifted_at", "-id"),
        )
        items = [
            {"zone": zone, "kind": _zone_kind_label(zone), "colour": _zone_colour(zone)}
            for zone in rows
        ]
    else:
        rows, next_cursor = cursor_page(request, zones.active(), ("-starts_at", "-id"))
        items = []
        for zone in rows:
            lowers_to = _lowers_to(zone, policy)
            items.append(
                {
                    "zone": zone,
                    "kind": _zone_kind_label(zone),
                    "colour": _zone_colour(zone),
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
                % {"name": zone.name, "kind": _zone_kind_label(zone)},
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
                        "old": _zone_kind_label(zone),
                        "new": _zone_kind_label(lowered),
                    },
                )
            else:
                messages.success(request, _("已解除「%(name)s」。") % {"name": zone.name})
            return redirect("health:zone-list")
    context = {
        "zone": zone,
        "kind": _zone_kind_label(zone),
        "colour": _zone_colour(zone),
        "state": services.zone_state(zone),
        "lowers_to": localized(lowers_to) if lowers_to else "",
        "form": form,
    }
    return render(request, "health/zone_lift.html", context)


# Appeals


def _contested(appeal: Appeal) -> str:
    if appeal.zone is not None:
        return _("管控区域：%(name)s") % {"name": appeal.zone.name}
    return _fact_label(appeal.fact)


@login_required
def appeal_list(request):
    user = request.user
    if not can(user, APPEAL, VIEW):
        raise PermissionDenied
    form = RegionFilterForm(request.GET, states=APPEAL_STATES)
    form.is_valid()
    state = form.cleaned_data.get("state") or Appeal.State.OPEN
    appeals, _chosen = in_region_filter(request, form, Appeal.objects.all())
    appeals = appeals.filter(state=state).select_related("person", "fact", "zone")
    ordering = ("filed_at", "id") if state == Appeal.State.OPEN else ("-filed_at", "-id")
    rows, next_cursor = cursor_page(request, appeals, ordering)
    now = timezone.now()
    for appeal in rows:
        waited = now - appeal.filed_at
        appeal.age_hours = int(waited.total_seconds() // 3600)
        appeal.overdue = state == Appeal.State.OPEN and waited > OVERDUE
        appeal.contested = _contested(appeal)
    return render(
        request,
        "health/appeal_list.html",
        {"form": form, "state": state, "appeals": rows, "next_cursor": next_cursor},
    )


def _own_record(user, appeal: Appeal) -> bool:
    """The service refuses whoever recorded the fact or drew the zone: say so before they try."""
    if appeal.fact is not None:
        return appeal.fact.actor_id == user.pk
    return appeal.zone is not None and appeal.zone.created_by_id == user.pk


@login_required
def appeal_detail(request, pk):
    user = request.user
    appeal = get_object_or_404(
        Appeal.objects.restrict(user, VIEW).select_related(
            "person__household__building", "fact", "zone", "retraction"
        ),
        pk=pk,
    )
    may_decide = appeal.state == Appeal.State.OPEN and can(user, APPEAL, CHANGE, appeal.region_path)
    form = VerdictForm(request.POST or None)
    if request.method == "POST":
        if appeal.state != Appeal.State.OPEN:
            messages.info(request, _("该申诉已经处理。"))
            return redirect("health:appeal-detail", pk=appeal.pk)
        if not may_decide:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.decide_appeal(
                    actor=user, appeal=appeal, accept=form.accepted, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已采纳申诉。") if form.accepted else _("已驳回申诉。"))
                return redirect("health:appeal-list")
    return render(
        request,
        "health/appeal_detail.html",
        {
            "appeal": appeal,
            "contested": _contested(appeal),
            "may_decide": may_decide,
            "own_record": _own_record(user, appeal),
            "form": form,
        },
    )


# Manual decisions


def _counts_by_state(queryset, choices) -> list[tuple[str, str, int]]:
    found = dict(queryset.values_list("state").annotate(n=Count("pk")))
    return [(value, label, found.get(value, 0)) for value, label in choices]


@login_required
def decision_list(request):
    """Every manual decision in a region, and its appeals' outcomes: nobody colours people in
    bulk without it showing here."""
    user = request.user
    if not can(user, DECISION, VIEW):
        raise PermissionDenied
    form = RegionFilterForm(request.GET, states=DECISION_STATES)
    form.is_valid()
    state = form.cleaned_data.get("state") or ""
    region = chosen_region(request, form)
    within = region.path if region else ""
    decisions = ManualDecision.objects.restrict(user, VIEW, within=within).select_related("person")
    appeals = Appeal.objects.restrict(user, VIEW, within=within)
    if region is False:
        decisions, appeals = decisions.none(), appeals.none()
    summary = _counts_by_state(decisions, ManualDecision.State.choices)
    if state:
        decisions = decisions.filter(state=state)
    rows, next_cursor = cursor_page(request, decisions, ("-proposed_at", "-id"))
    now = timezone.now()
    for decision in rows:
        may_change = can(user, DECISION, CHANGE, decision.region_path)
        decision.expired = decision.expires_at <= now
        decision.may_review = (
            may_change
            and decision.state == ManualDecision.State.PENDING
            and decision.proposed_by_id != user.pk
        )
        decision.may_revoke = (
            may_change
            and not decision.expired
            and decision.state in (ManualDecision.State.PENDING, ManualDecision.State.APPROVED)
        )
    return render(
        request,
        "health/decision_list.html",
        {
            "form": form,
            "region": region or None,
            "decisions": rows,
            "next_cursor": next_cursor,
            "summary": summary,
            "appeal_summary": _counts_by_state(appeals, Appeal.State.choices),
        },
    )


def _decision(request, pk) -> ManualDecision:
    decision = get_object_or_404(
        ManualDecision.objects.restrict(request.user, VIEW).select_related("person"), pk=pk
    )
    if not can(request.user, DECISION, CHANGE, decision.region_path):
        raise PermissionDenied
    return decision


@login_required
def decision_review(request, pk):
    """The second officer's confirmation: approve (the colour takes effect) or reject."""
    decision = _decision(request, pk)
    if decision.state != ManualDecision.State.PENDING:
        messages.info(request, _("该判定已经处理。"))
        return redirect("health:decision-list")
    form = VerdictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.approve_decision(
                actor=request.user,
                decision=decision,
                approve=form.accepted,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已批准人工判定，该居民的健康码已更新。")
                if form.accepted
                else _("已驳回人工判定。"),
            )
            return redirect("health:decision-list")
    return render(
        request,
        "health/decision_review.html",
        {
            "decision": decision,
            "form": form,
            "own": decision.proposed_by_id == request.user.pk,
        },
    )


@login_required
def decision_revoke(request, pk):
    decision = _decision(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_decision(
                actor=request.user, decision=decision, note=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, _renamed(exc, {"note": "reason"}))
        else:
            messages.success(request, _("已撤销人工判定。"))
            return redirect("health:decision-list")
    return render(request, "health/decision_revoke.html", {"decision": decision, "form": form})


# Prevention plans


def _days(days) -> str:
    return "、".join(str(day) for day in days)


def _lift_text(lift: dict, kinds: dict) -> str:
    parts = []
    if lift.get("clean_days"):
        parts.append(_("连续 %(n)s 天无新增阳性") % {"n": lift["clean_days"]})
    if lift.get("negative_round_days"):
        parts.append(_("解除前 %(n)s 天内全员核酸阴性") % {"n": lift["negative_round_days"]})
    if lift.get("after_lowering_days"):
        parts.append(
            _("由高一级区域降级的，降级后满 %(n)s 天") % {"n": lift["after_lowering_days"]}
        )
    if lift.get("becomes") in kinds:
        parts.append(_("解除时降为%(kind)s") % {"kind": localized(kinds[lift["becomes"]])})
    return _("；").join(parts) if parts else _("无解除条件，可随时解除")


def describe_policy(policy: Policy) -> dict:
    """A plan's parameters as sentences a commander can compare side by side."""
    p = policy.parameters
    kinds = {kind["code"]: kind for kind in p.get("zone_kinds", [])}
    rows = [
        (_("使用颜色"), "、".join(colour_name(c) for c in p.get("colours", []))),
        (_("确诊、疑似病例"), colour_name(p["case"]["colour"])),
    ]
    close = p.get("close_contact")
    if close:
        text = _("集中隔离 %(days)s 天，%(colour)s，第 %(tests)s 天核酸检测") % {
            "days": close["quarantine_days"],
            "colour": colour_name(close.get("quarantine_colour")),
            "tests": _days(close.get("quarantine_test_days", [])),
        }
        if close.get("monitoring_days"):
            text += _("；之后居家健康监测 %(days)s 天，%(colour)s，第 %(tests)s 天核酸检测") % {
                "days": close["monitoring_days"],
                "colour": colour_name(close.get("monitoring_colour")),
                "tests": _days(close.get("monitoring_test_days", [])),
            }
        rows.append((_("密切接触者"), text))
    secondary = p.get("secondary_contact")
    rows.append(
        (
            _("次密切接触者"),
            _("居家隔离 %(days)s 天，%(colour)s，第 %(tests)s 天核酸检测")
            % {
                "days": secondary["quarantine_days"],
                "colour": colour_name(secondary.get("quarantine_colour")),
                "tests": _days(secondary.get("quarantine_test_days", [])),
            }
            if secondary
            else _("不再判定"),
        )
    )
    pooled = p.get("pooled_positive") or {}
    rows.append(
        (
            _("混管阳性"),
            _("%(colour)s，单管复核阴性后转码") % {"colour": colour_name(pooled.get("colour"))},
        )
    )
    arrival = p.get("arrival") or {}
    rows.append(
        (
            _("来自风险地区"),
            _("%(colour)s，需 %(n)s 次间隔至少 %(hours)s 小时的核酸阴性")
            % {
                "colour": colour_name(arrival.get("colour")),
                "n": arrival.get("negative_tests", 2),
                "hours": arrival.get("hours_apart", 24),
            },
        )
    )
    fever = p.get("fever_clinic") or {}
    rows.append(
        (
            _("发热门诊就诊"),
            _("%(colour)s，就诊后核酸阴性即转码") % {"colour": colour_name(fever.get("colour"))},
        )
    )
    quarantine = p.get("quarantine") or {}
    rows.append(
        (
            _("隔离期间"),
            _("；").join(
                f"{label}: {colour_name(quarantine.get(value))}"
                for value, label in QuarantineSetting.choices
            ),
        )
    )
    zone_kinds = [
        {
            "code": kind["code"],
            "name": localized(kind),
            "colour": kind.get("colour"),
            "obligations": localized(kind, "obligations"),
            "lift": _lift_text(kind.get("lift") or {}, kinds),
        }
        for kind in p.get("zone_kinds", [])
    ]
    return {"policy": policy, "name": localized(policy), "rows": rows, "zone_kinds": zone_kinds}


@login_required
def policy_list(request):
    if not can(request.user, POLICY, VIEW):
        raise PermissionDenied
    return render(
        request,
        "health/policy_list.html",
        {
            "plans": [describe_policy(policy) for policy in Policy.objects.all()],
            "may_switch": can(request.user, POLICY, CHANGE),
        },
    )


@login_required
def policy_switch(request, pk):
    if not can(request.user, POLICY, CHANGE):
        raise PermissionDenied
    policy = get_object_or_404(Policy, pk=pk)
    if policy.in_force:
        messages.info(request, _("该方案已在执行。"))
        return redirect("health:policy-list")
    if request.method == "POST":
        services.switch_policy(actor=request.user, policy=policy)
        messages.success(
            request,
            _("已切换为「%(name)s」，全部居民的健康码将按新方案重新计算。")
            % {"name": localized(policy)},
        )
        return redirect("health:policy-list")
    current = Policy.objects.filter(in_force=True).first()
    return render(
        request,
        "health/policy_switch.html",
        {
            "plan": describe_policy(policy),
            "current": describe_policy(current) if current else None,
        },
    )

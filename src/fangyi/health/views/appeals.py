"""Appeals (纠错): filing one for a person, the queue, and deciding one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.health.area import APPEAL
from fangyi.people.models import Person
from fangyi.regions.filters import in_region_filter
from fangyi.regions.models import ancestor_paths

from .. import services
from ..forms import APPEAL_STATES, AppealForm, RegionFilterForm, VerdictForm
from ..models import Appeal, Fact, FactKind, Zone
from ..templatetags.health import OVERDUE
from .common import FACT_ORDERING, fact_label, renamed_errors, visible_person, zone_kind_label

# The timeline's facts an appeal may contest are the recent ones; older ones are long spent.
APPEAL_FACTS = 50


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
            % {"name": zone.name, "kind": zone_kind_label(zone)},
        )
        for zone in zones
    ] + [(f"fact:{fact.pk}", fact_label(fact)) for fact in facts]
    return choices, {str(z.pk): z for z in zones}, {str(f.pk): f for f in facts}


@login_required
def appeal_create(request, pk):
    person = visible_person(request, pk)
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
            add_service_errors(form, renamed_errors(exc, {"fact": "target", "zone": "target"}))
        else:
            messages.success(request, _("已提交申诉，将由其他干部处理。"))
            return redirect("people:person-detail", pk=person.pk)
    return render(request, "health/appeal_form.html", {"form": form, "person": person})


def _contested(appeal: Appeal) -> str:
    if appeal.zone is not None:
        return _("管控区域：%(name)s") % {"name": appeal.zone.name}
    # The appeal_contests constraint: an appeal without a zone contests a fact.
    assert appeal.fact is not None
    return fact_label(appeal.fact)


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

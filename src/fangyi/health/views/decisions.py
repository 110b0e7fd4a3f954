"""Manual decisions: proposing a colour for a person, the list per region, the second
officer's review, and revoking one."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.health.area import DECISION
from fangyi.regions.filters import chosen_region

from .. import services
from ..forms import (
    DECISION_STATES,
    DecisionForm,
    ReasonForm,
    RegionFilterForm,
    VerdictForm,
    local_minute,
)
from ..models import Appeal, ManualDecision
from .common import renamed_errors, visible_person

DEFAULT_MANUAL = datetime.timedelta(hours=24)


@login_required
def decision_create(request, pk):
    person = visible_person(request, pk)
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
            return redirect("people:person-detail", pk=person.pk)
    return render(request, "health/decision_form.html", {"form": form, "person": person})


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
            add_service_errors(form, renamed_errors(exc, {"note": "reason"}))
        else:
            messages.success(request, _("已撤销人工判定。"))
            return redirect("health:decision-list")
    return render(request, "health/decision_revoke.html", {"decision": decision, "form": form})

"""A person's health panel: the colour, its reasons, the facts, and recording a fact."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.health.area import APPEAL, DECISION, FACT
from fangyi.people.models import Person

from .. import services
from ..forms import RECORDABLE_KINDS, FactForm, local_minute
from ..models import Appeal, Fact, FactKind, ManualDecision, Policy, Status, Zone
from ..templatetags.health import in_english, localized
from .common import (
    FACT_ORDERING,
    OUTCOME_LABELS,
    VARIANT_LABELS,
    renamed_errors,
    visible_person,
    with_vary,
)

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


@dataclass(frozen=True)
class TimelineEntry:
    """A fact of the timeline with what the panel shows beside it."""

    fact: Fact
    retracted_by: Fact | None
    summary: list[str]
    source_label: str


def _timeline(request, person: Person) -> tuple[list[TimelineEntry], str | None]:
    visible = Fact.objects.restrict(request.user, VIEW).filter(person=person)
    facts, next_cursor = cursor_page(request, visible.select_related("retracts"), FACT_ORDERING)
    retractions = {
        fact.retracts_id: fact for fact in Fact.objects.filter(retracts__in=[f.pk for f in facts])
    }
    entries = [
        TimelineEntry(
            fact=fact,
            retracted_by=retractions.get(fact.pk),
            summary=_fact_summary(fact),
            source_label=_source_label(fact.source),
        )
        for fact in facts
    ]
    return entries, next_cursor


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
    person = visible_person(request, pk)
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
    return with_vary(render(request, template, context))


@login_required
def fact_create(request, pk):
    person = visible_person(request, pk)
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
                add_service_errors(form, renamed_errors(exc, names))
            else:
                messages.success(
                    request, _("已记录：%(kind)s。") % {"kind": FactKind(form.kind).label}
                )
                return redirect("people:person-detail", pk=person.pk)
    else:
        form = FactForm(kind=request.GET.get("kind", ""))
        form.initial = {"kind": form.kind, "occurred_at": local_minute(timezone.now())}
    return render(
        request,
        "health/fact_form.html",
        {"form": form, "person": person, "kinds": RECORDABLE_KINDS},
    )

"""The resident's pages under /me/ (phone-first), and the grid workers' queue of requests to
look after someone. Pages call the same services as the API."""

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.codes.qr import qr_svg
from fangyi.codes.services import issue_display_code
from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import CHANGE, can
from fangyi.health.models import Appeal, Fact, FactKind, Zone, ZoneRegion
from fangyi.health.services import current_status
from fangyi.health.templatetags.health import in_english, localized
from fangyi.isolation.followup import services as followup
from fangyi.isolation.followup.api import today_for
from fangyi.people.models import Person
from fangyi.regions.models import ancestor_paths

from . import services
from .api import policy_of
from .area import GUARDIANSHIP
from .auth import login_resident, logout_resident, resident_person, resident_required
from .forms import (
    AppealForm,
    CodeForm,
    DecisionForm,
    GuardianshipForm,
    HealthForm,
    PhoneForm,
    TripForm,
)
from .models import Guardianship, lapse_cutoff

LOGIN_PHONE = "portal_login_phone"
DEMO_INBOX = "portal_demo_inbox"
APPEAL_FACTS = 50


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("portal:code")


def _demo_inbox(request, phone: str) -> str | None:
    """The last text sent to the number entered, shown on the login page of a demo (DEBUG)."""
    if not settings.DEBUG:
        return None
    inbox = request.session.get(DEMO_INBOX) or {}
    return inbox.get("message") if inbox.get("to") == phone else None


def login(request):
    """Step 1: the mobile number, a code is sent. Step 2: the code (and, for a number shared by
    several residents, the last four of the ID number)."""
    if resident_person(request) is not None and request.method == "GET":
        return redirect(_next_url(request))
    phone = request.session.get(LOGIN_PHONE, "")
    step = "code" if phone and request.GET.get("step") == "code" else "phone"
    phone_form = PhoneForm(initial={"phone": phone})
    code_form = CodeForm()
    needs_tail = False
    status, retry_after = 200, None
    action = request.POST.get("action")
    if request.method == "POST" and action == "send":
        phone_form = PhoneForm(request.POST)
        step = "phone"
        if phone_form.is_valid():
            phone = phone_form.cleaned_data["phone"]
            try:
                sent = services.request_code(phone=phone, ip=request.META.get("REMOTE_ADDR"))
            except ValidationError as exc:
                add_service_errors(phone_form, exc)
            except services.RateLimited as exc:
                phone_form.add_error(
                    None,
                    _("%(reason)s（约 %(seconds)s 秒后可再试）")
                    % {"reason": exc.message, "seconds": exc.retry_after},
                )
                status, retry_after = 429, exc.retry_after
            else:
                request.session[LOGIN_PHONE] = phone
                if settings.DEBUG:
                    request.session[DEMO_INBOX] = {"to": phone, "message": sent.message}
                query = urlencode({"step": "code", "next": _next_url(request)})
                return redirect(f"{reverse('portal:login')}?{query}")
    elif request.method == "POST" and action == "verify" and phone:
        step = "code"
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            try:
                person = services.verify_login(
                    phone=phone,
                    code=code_form.cleaned_data["code"],
                    id_tail=code_form.cleaned_data["id_tail"],
                    ip=request.META.get("REMOTE_ADDR"),
                )
            except services.RateLimited as exc:
                code_form.add_error(
                    None,
                    _("%(reason)s（约 %(seconds)s 秒后可再试）")
                    % {"reason": exc.message, "seconds": exc.retry_after},
                )
                status, retry_after = 429, exc.retry_after
            except ValidationError as exc:
                add_service_errors(code_form, exc)
                needs_tail = bool(code_form.cleaned_data.get("id_tail"))
            except services.NeedsIdTail as exc:
                code_form.add_error("id_tail", str(exc))
                needs_tail = True
            else:
                request.session.pop(LOGIN_PHONE, None)
                request.session.pop(DEMO_INBOX, None)
                login_resident(request, person)
                return redirect(_next_url(request))
    context = {
        "step": step,
        "phone_form": phone_form,
        "code_form": code_form,
        "needs_tail": needs_tail,
        "masked_phone": Person(phone=phone).masked_phone if phone else "",
        "next": _next_url(request),
        "demo_inbox": _demo_inbox(request, phone) if step == "code" else None,
        "demo": settings.DEBUG,
    }
    response = render(request, "portal/login.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def logout(request):
    logout_resident(request)
    messages.info(request, _("已退出登录。"))
    return redirect("portal:login")


# My code


def _chosen(request, holder: Person) -> Person:
    """The person whose code or colour is shown: me, or someone I look after (?person=)."""
    wanted = request.GET.get("person") or request.POST.get("person")
    try:
        pk = services.subject(holder.pk, wanted)
    except Person.DoesNotExist:
        pk = holder.pk
    return holder if pk == holder.pk else Person.objects.get(pk=pk)


def _code_context(person: Person) -> dict:
    issued = issue_display_code(person_id=person.pk)
    left = max(0, int((issued.expires_at - timezone.now()).total_seconds()))
    return {
        "issued": issued,
        "svg": mark_safe(qr_svg(issued.text, scale=4)),
        "seconds_left": left,
        "countdown": f"{left // 60}:{left % 60:02d}",
        "subject": person,
    }


@resident_required
def my_code(request):
    holder = resident_person(request)
    person = _chosen(request, holder)
    context = _code_context(person) | {
        "holder": holder,
        "dependants": services.confirmed_dependants(holder.pk),
        "panel_url": reverse("portal:code-panel")
        + (f"?person={person.pk}" if person.pk != holder.pk else ""),
    }
    return render(request, "portal/code.html", context)


def code_panel(request):
    """The code alone, fetched by the code page every minute; 401 once the login has lapsed."""
    holder = resident_person(request)
    if holder is None:
        return HttpResponse(status=401)
    response = render(request, "portal/_code_panel.html", _code_context(_chosen(request, holder)))
    response["Cache-Control"] = "no-store"
    return response


# Why this colour


def _reasons(person: Person, status) -> list[dict]:
    fact_ids = {i for reason in status.reasons for i in reason.get("facts", [])}
    zone_ids = {reason["zone"] for reason in status.reasons if reason.get("zone")}
    facts = {str(f.pk): f for f in Fact.objects.filter(person=person, pk__in=fact_ids)}
    zones = {str(z.pk): z for z in Zone.objects.filter(pk__in=zone_ids)}
    language = "en" if in_english() else "zh"
    shown = []
    for reason in status.reasons:
        cited = [facts[i] for i in reason.get("facts", []) if i in facts]
        zone = zones.get(reason.get("zone") or "")
        contest = ""
        if zone is not None:
            contest = f"zone:{zone.pk}"
        elif cited:
            contest = f"fact:{cited[-1].pk}"
        shown.append(
            {
                "code": reason["code"],
                "colour": reason["colour"],
                "text": reason.get(language) or reason.get("zh", ""),
                "facts": cited,
                "zone": zone,
                "contest": contest,
            }
        )
    return shown


@resident_required
def my_status(request):
    holder = resident_person(request)
    person = _chosen(request, holder)
    status = current_status(person)
    policy = policy_of(status.policy_version)
    context = {
        "holder": holder,
        "subject": person,
        "status": status,
        "reasons": _reasons(person, status),
        "policy_name": localized(policy) if policy else status.policy_version,
        "appeals": Appeal.objects.filter(person=person).order_by("-filed_at")[:10],
    }
    return render(request, "portal/status.html", context)


# Appeals


def _appeal_targets(person: Person) -> tuple[list, dict, dict]:
    zones = list(
        Zone.objects.active()
        .filter(
            pk__in=ZoneRegion.objects.filter(path__in=ancestor_paths(person.region_path)).values(
                "zone_id"
            )
        )
        .order_by("-starts_at")
    )
    facts = list(
        Fact.objects.filter(person=person, retractions__isnull=True)
        .exclude(kind=FactKind.RETRACTION)
        .order_by("-occurred_at", "-id")[:APPEAL_FACTS]
    )
    choices = [(f"zone:{zone.pk}", _("管控区域：%(name)s") % {"name": zone.name}) for zone in zones]
    choices += [
        (
            f"fact:{fact.pk}",
            f"{fact.get_kind_display()} · {timezone.localtime(fact.occurred_at):%Y-%m-%d %H:%M}",
        )
        for fact in facts
    ]
    return choices, {str(z.pk): z for z in zones}, {str(f.pk): f for f in facts}


@resident_required
def appeal(request):
    holder = resident_person(request)
    person = _chosen(request, holder)
    choices, zones, facts = _appeal_targets(person)
    initial = {"target": request.GET.get("target", "")}
    form = AppealForm(request.POST or None, targets=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        kind, _sep, ident = form.cleaned_data["target"].partition(":")
        try:
            services.appeal(
                person=person,
                reason=form.cleaned_data["reason"],
                fact=facts.get(ident) if kind == "fact" else None,
                zone=zones.get(ident) if kind == "zone" else None,
            )
        except ValidationError as exc:
            renamed = ValidationError(
                {
                    ("target" if field in ("fact", "zone") else field): errors
                    for field, errors in exc.message_dict.items()
                }
            )
            add_service_errors(form, renamed)
        else:
            messages.success(request, _("已提交申诉，工作人员将尽快处理。"))
            return redirect(_with_person(reverse("portal:status"), person, holder))
    return render(
        request, "portal/appeal.html", {"form": form, "holder": holder, "subject": person}
    )


def _with_person(url: str, person: Person, holder: Person) -> str:
    return url if person.pk == holder.pk else f"{url}?person={person.pk}"


# Declarations


def _declare(request, form_class, template: str, record):
    holder = resident_person(request)
    # Its callers are resident_required.
    assert holder is not None
    person = _chosen(request, holder)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fact = record(person, None if person.pk == holder.pk else holder, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            temperature = fact.details.get("temperature")
            if temperature is not None and temperature >= services.FEVER_FROM:
                messages.warning(
                    request,
                    _(
                        "已申报。体温偏高：请佩戴口罩，尽快到就近的发热门诊就诊，途中不乘坐公共交通。"
                    ),
                )
            else:
                messages.success(request, _("已申报，感谢配合。"))
            return redirect(_with_person(reverse("portal:code"), person, holder))
    return render(
        request,
        template,
        {
            "form": form,
            "holder": holder,
            "subject": person,
            "dependants": services.confirmed_dependants(holder.pk),
        },
    )


@resident_required
def declare_health(request):
    def record(person, holder, data):
        temperature = data["temperature"]
        return services.declare_health(
            person=person,
            temperature=float(temperature) if temperature is not None else None,
            symptoms=data["symptoms"],
            holder=holder,
        )

    return _declare(request, HealthForm, "portal/declare_health.html", record)


@resident_required
def declare_trip(request):
    def record(person, holder, data):
        return services.declare_trip(
            person=person,
            from_area=data["from_area"],
            arrived_at=data["arrived_at"],
            risk_area=data["risk_area"],
            transport=data["transport"],
            holder=holder,
        )

    return _declare(request, TripForm, "portal/declare_trip.html", record)


# Check-ins of people under isolation


@resident_required
def check_in(request):
    """Today's check-ins under isolation: the slots done and due of me and the people I look
    after, and the report of the current slot for one of them."""
    holder = resident_person(request)
    # resident_required has let only a logged-in resident through.
    assert holder is not None
    person = _chosen(request, holder)
    form = HealthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check_in = followup.report(
                person=person,
                holder=None if person.pk == holder.pk else holder,
                temperature=form.cleaned_data["temperature"],
                symptoms=form.cleaned_data["symptoms"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if check_in.fever:
                messages.warning(
                    request,
                    _("已打卡。体温偏高或有症状：工作人员会尽快联系您，请留在隔离场所等候安排。"),
                )
            else:
                messages.success(request, _("已打卡，感谢配合。"))
            return redirect(_with_person(reverse("portal:check-in"), person, holder))
    today = today_for(holder.pk)
    return render(
        request,
        "portal/check_in.html",
        {
            "form": form,
            "holder": holder,
            "subject": person,
            "dependants": services.confirmed_dependants(holder.pk),
            "today": today,
            "under_order": any(item["person"] == person.pk for item in today),
        },
    )


# People I look after


@resident_required
def dependants(request):
    holder = resident_person(request)
    form = GuardianshipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_guardianship(holder=holder, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已提交。如信息与登记一致，所在网格的网格员核实后即可在“我的健康码”中切换查看。"),
            )
            return redirect("portal:dependants")
    items = Guardianship.objects.filter(holder=holder).order_by("-requested_at")[:100]
    return render(
        request, "portal/dependants.html", {"form": form, "items": items, "holder": holder}
    )


@require_POST
@resident_required
def dependant_end(request, pk):
    holder = resident_person(request)
    item = get_object_or_404(Guardianship, pk=pk, holder=holder)
    try:
        services.end_guardianship(holder=holder, guardianship=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("照顾关系已结束。"))
    return redirect("portal:dependants")


# Staff: the queue of requests to confirm


@login_required
def guardianship_queue(request):
    """Pending requests naming a resident of the worker's grid, oldest first."""
    if not can(request.user, GUARDIANSHIP, CHANGE):
        raise PermissionDenied
    items = (
        Guardianship.objects.restrict(request.user, CHANGE)
        .filter(
            state=Guardianship.State.PENDING,
            dependant__isnull=False,
            requested_at__gte=lapse_cutoff(),
        )
        .select_related("holder__household__building", "dependant__household__building")
        .order_by("requested_at")[:200]
    )
    return render(
        request,
        "portal/guardianship_queue.html",
        {"items": items},
    )


@login_required
@require_POST
def guardianship_decide(request, pk: uuid.UUID):
    item = get_object_or_404(
        Guardianship.objects.restrict(request.user, CHANGE).filter(dependant__isnull=False), pk=pk
    )
    form = DecisionForm(request.POST)
    confirm = request.POST.get("decision") == "confirm"
    if form.is_valid():
        try:
            services.decide_guardianship(
                actor=request.user,
                guardianship=item,
                confirm=confirm,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已确认。") if confirm else _("已驳回。"))
    else:
        # An ErrorList yields its messages as text (the stubs say ValidationError | str).
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("portal:guardianship-queue")

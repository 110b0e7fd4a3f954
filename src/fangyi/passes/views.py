"""The whitelist's pages for officers (list with filters, form, a pass with its suspend, resume
and revoke), and the holder's own pass on the phone, beside "my code"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.codes.qr import qr_svg
from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.portal.auth import resident_person, resident_required
from fangyi.regions.filters import in_region_filter

from . import services
from .area import SUPPLY_PASS
from .forms import PassFilterForm, PassForm, ReasonForm
from .models import SupplyPass

ORDERING = ("region_path", "id")
EDITED = ("role", "organisation", "plate", "areas", "valid_from", "valid_until")


def _visible(request, pk) -> SupplyPass:
    return get_object_or_404(
        SupplyPass.objects.restrict(request.user, VIEW).select_related("person", "region"),
        pk=pk,
    )


@login_required
def pass_list(request):
    user = request.user
    if not can(user, SUPPLY_PASS, VIEW):
        raise PermissionDenied
    form = PassFilterForm(request.GET)
    form.is_valid()
    criteria = form.cleaned_data
    passes, _region = in_region_filter(request, form, SupplyPass.objects.all())
    passes = passes.select_related("person", "region").prefetch_related("areas")
    if criteria.get("state"):
        passes = passes.filter(state=criteria["state"])
    if criteria.get("role"):
        passes = passes.filter(role=criteria["role"])
    rows, next_cursor = cursor_page(request, passes, ORDERING)
    return render(
        request,
        "passes/list.html",
        {
            "form": form,
            "passes": rows,
            "next_cursor": next_cursor,
            "filtered": any(criteria.get(name) for name in ("region", "state", "role")),
            "may_add": can(user, SUPPLY_PASS, ADD),
        },
    )


@login_required
def pass_create(request):
    if not can(request.user, SUPPLY_PASS, ADD):
        raise PermissionDenied
    form = PassForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            supply_pass = services.create_pass(actor=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记。持证人登录居民端即可看到通行证。"))
            return redirect("passes:detail", pk=supply_pass.pk)
    return render(request, "passes/form.html", {"form": form, "supply_pass": None})


@login_required
def pass_detail(request, pk):
    supply_pass = _visible(request, pk)
    return render(
        request,
        "passes/detail.html",
        {
            "supply_pass": supply_pass,
            "areas": list(supply_pass.areas.order_by("path")),
            "may_change": services.may_change(request.user, supply_pass),
        },
    )


def _changeable(request, pk) -> SupplyPass:
    supply_pass = _visible(request, pk)
    if not can(request.user, SUPPLY_PASS, CHANGE, supply_pass.region_path):
        raise PermissionDenied
    return supply_pass


@login_required
def pass_edit(request, pk):
    supply_pass = _changeable(request, pk)
    form = PassForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        supply_pass=supply_pass,
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in EDITED}
        try:
            services.update_pass(actor=request.user, supply_pass=supply_pass, changes=changes)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。持证人的通行证将在下次刷新时更新。"))
            return redirect("passes:detail", pk=supply_pass.pk)
    return render(request, "passes/form.html", {"form": form, "supply_pass": supply_pass})


def _with_reason(request, pk, change, done: str):
    supply_pass = _changeable(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明理由，并勾选确认。"))
        return redirect("passes:detail", pk=supply_pass.pk)
    try:
        change(actor=request.user, supply_pass=supply_pass, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("passes:detail", pk=supply_pass.pk)


@login_required
@require_POST
def pass_suspend(request, pk):
    return _with_reason(request, pk, services.suspend_pass, _("已暂停，持证人当前的通行证已作废。"))


@login_required
@require_POST
def pass_revoke(request, pk):
    return _with_reason(request, pk, services.revoke_pass, _("已撤销，持证人当前的通行证已作废。"))


@login_required
@require_POST
def pass_resume(request, pk):
    supply_pass = _changeable(request, pk)
    try:
        services.resume_pass(actor=request.user, supply_pass=supply_pass)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已恢复。"))
    return redirect("passes:detail", pk=supply_pass.pk)


# The holder's pass


def _panel_context(person) -> dict:
    found = services.holder_pass(person)
    context: dict = {"found": found, "areas": []}
    if found.supply_pass is not None:
        context["areas"] = list(found.supply_pass.areas.order_by("path"))
    if found.code is not None:
        left = max(0, int((found.code.expires_at - timezone.now()).total_seconds()))
        context |= {
            "svg": mark_safe(qr_svg(found.code.text, scale=4)),
            "seconds_left": left,
            "countdown": f"{left // 60}:{left % 60:02d}",
        }
    return context


@resident_required
def my_pass(request):
    holder = resident_person(request)
    context = _panel_context(holder) | {
        "holder": holder,
        "panel_url": reverse("passes:mine-panel"),
    }
    return render(request, "passes/mine.html", context)


def my_pass_panel(request):
    """The pass alone, fetched by the page every minute; 401 once the login has lapsed."""
    holder = resident_person(request)
    if holder is None:
        return HttpResponse(status=401)
    response = render(request, "passes/_panel.html", _panel_context(holder))
    response["Cache-Control"] = "no-store"
    return response

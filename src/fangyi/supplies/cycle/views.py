"""The daily cycle's pages: the batches, a batch's pick list and its delivery lists building
by building (on the phone), and the volunteer's page to record a delivery at the door."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import CHANGE, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.fieldwork import services as fieldwork
from fangyi.fieldwork.models import Task
from fangyi.regions.models import Level, Region

from .. import services as supplies
from ..area import SUPPLY_REQUEST
from ..models import Request
from . import services
from .forms import CutOffForm, DeliverForm, FormBatchForm
from .models import CutOff

ORDERING = ("-cut_off_at", "id")


@login_required
def batch_list(request):
    """配送批次: the batches the user sees, the latest first; officers form one by hand."""
    user = request.user
    if not can(user, SUPPLY_REQUEST, VIEW):
        raise PermissionDenied
    rows, next_cursor = cursor_page(request, services.batches_for(user), ORDERING)
    return render(
        request,
        "supplies/cycle/batch_list.html",
        {
            "batches": rows,
            "next_cursor": next_cursor,
            "form": FormBatchForm() if can(user, SUPPLY_REQUEST, CHANGE) else None,
        },
    )


@login_required
@require_POST
def form_batch(request):
    user = request.user
    if not can(user, SUPPLY_REQUEST, CHANGE):
        raise PermissionDenied
    form = FormBatchForm(request.POST)
    if form.is_valid():
        region = (
            Region.objects.restrict(user, VIEW)
            .filter(code=form.cleaned_data["region"], level=Level.COMMUNITY)
            .first()
        )
        if region is None:
            form.add_error("region", _("没有这个社区，或其不在您的辖区内。"))
        else:
            try:
                batch = services.form_batch(actor=user, region=region)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已成批：%(n)d 项需求。") % {"n": batch.requests})
                return redirect(batch.get_absolute_url())
    rows, next_cursor = cursor_page(request, services.batches_for(user), ORDERING)
    return render(
        request,
        "supplies/cycle/batch_list.html",
        {"batches": rows, "next_cursor": next_cursor, "form": form},
        status=400,
    )


@login_required
def batch_detail(request, pk: uuid.UUID):
    """A batch: the supplier's pick list (for who sees the whole community) and the delivery
    lists, a building each, priority households first."""
    user = request.user
    batch = get_object_or_404(services.batches_for(user), pk=pk)
    within = services.list_scope(user, batch)
    return render(
        request,
        "supplies/cycle/batch_detail.html",
        {
            "batch": batch,
            "pick_list": services.pick_list([batch]) if within is None else None,
            "buildings": services.delivery_lists(batch, within=within),
        },
    )


@login_required
def deliver(request, pk: uuid.UUID):
    """At the door: how the delivery was confirmed; the request is delivered and the task
    done together."""
    user = request.user
    task = get_object_or_404(Task.objects.restrict(user, CHANGE), pk=pk)
    found = services.request_of(task)
    if found is None:
        raise PermissionDenied
    if not fieldwork.may_work(user, task):
        raise PermissionDenied
    form = DeliverForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.deliver(
                actor=user,
                task=task,
                delivery=supplies.Delivery(
                    confirmation=data["confirmation"],
                    code=data["code"],
                    note=data["note"],
                    left_at=data["left_at"],
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已送达。"))
            return redirect("fieldwork:deliveries")
    status = 400 if form.errors else 200
    return render(
        request,
        "supplies/cycle/deliver.html",
        {"task": task, "supply_request": found, "form": form},
        status=status,
    )


@login_required
@require_POST
def dispatch(request, pk: uuid.UUID):
    """立即派送 from the request's page."""
    user = request.user
    if not can(user, SUPPLY_REQUEST, CHANGE):
        raise PermissionDenied
    found = get_object_or_404(Request.objects.restrict(user, CHANGE), pk=pk)
    try:
        services.dispatch_now(actor=user, request=found)
    except ValidationError as exc:
        for messages_ in exc.message_dict.values():
            messages.error(request, " ".join(messages_))
    else:
        messages.success(request, _("已派送：网格志愿者可以认领了。"))
    return redirect("supplies:detail", pk=pk)


@login_required
def cut_off(request, code: str):
    """A community's cut-off times: seen by whoever sees its requests, set by whoever changes
    them over the whole community."""
    user = request.user
    # Region codes are digits: anything else (a NUL byte PostgreSQL refuses) is no region.
    region = (
        Region.objects.restrict(user, VIEW).filter(code=code, level=Level.COMMUNITY).first()
        if code.isdigit()
        else None
    )
    if region is None or not can(user, SUPPLY_REQUEST, VIEW, region.path):
        raise Http404
    may_change = can(user, SUPPLY_REQUEST, CHANGE, region.path)
    times = services.times_of([region.path])[region.path]
    initial = {
        "needs_by": times.needs_by,
        "orders_by": times.orders_by,
        "deliver_from": times.deliver_from,
    }
    form = CutOffForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.set_cut_off(actor=user, region=region, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("截单时间已保存。"))
                return redirect("supplies_cycle:cut-off", code=region.code)
    return render(
        request,
        "supplies/cycle/cut_off.html",
        {
            "region": region,
            "times": times,
            "own": CutOff.objects.filter(region=region).exists(),
            "form": form,
            "may_change": may_change,
        },
        status=400 if form.errors else 200,
    )

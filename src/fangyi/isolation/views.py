"""Isolation pages: the to-place queue (select whole buildings, choose a site), the orders list
and an order's page (timeline and actions), the due list (ready / overdue with reasons, bulk
release), sites with occupancy and a site's rooms grid."""

import datetime
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.shortcuts import render as django_render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fangyi.core.forms import add_service_errors
from fangyi.core.pagination import InvalidCursor
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.regions.filters import in_region_filter
from fangyi.regions.models import Level, Region

from . import readiness, rules, services, sites
from .area import ORDER, SITE
from .forms import (
    OVERDUE,
    RUNNING,
    ConfirmedReasonForm,
    DueFilterForm,
    ExtendForm,
    MoveForm,
    OrderFilterForm,
    QueueForm,
    ReleaseForm,
    ReplanForm,
    RoomsForm,
    SiteForm,
)
from .models import RUNNING_STATES, Order, OrderState, Room, Site

ORDERING = ("created_at", "id")
QUEUE_ORDERING = ("region_path", "id")
DUE_PAGE = 200


def render(request, template, context, status=200):
    """The pages' render, with what the area's tabs need."""
    context = {**context, "may_place": can(request.user, ORDER, ADD)}
    return django_render(request, template, context, status=status)


def _require(user, resource, action) -> None:
    if not can(user, resource, action):
        raise PermissionDenied


def _orders(user, action=VIEW, within=""):
    return Order.objects.restrict(user, action, within=within).select_related(
        "person", "household__building", "site", "room", "policy"
    )


def _visible_order(request, pk, action=VIEW) -> Order:
    return get_object_or_404(_orders(request.user, action), pk=pk)


def _usable_sites(user):
    return Site.objects.restrict(user, CHANGE).filter(active=True).order_by("name")


# The to-place queue


@login_required
def queue(request):
    """待安置: orders waiting for a place, grouped by building; tick people or whole buildings
    and place them at a site, or start them at home."""
    user = request.user
    _require(user, ORDER, ADD)
    orders = _orders(user, ADD).filter(state=OrderState.TO_PLACE)
    rows, next_cursor = cursor_page(request, orders, QUEUE_ORDERING)
    buildings: dict = defaultdict(list)
    for order in rows:
        buildings[order.household.building if order.household else None].append(order)
    choices = list(_usable_sites(user))
    occupancy = sites.occupancy([site.pk for site in choices])
    for site in choices:
        site.figures = occupancy[site.pk]
    form = QueueForm(sites_queryset=_usable_sites(user))
    return render(
        request,
        "isolation/queue.html",
        {
            "buildings": list(buildings.items()),
            "next_cursor": next_cursor,
            "form": form,
            "sites": choices,
        },
    )


@login_required
@require_POST
def queue_confirm(request):
    """Places the ticked people (and every person to place of the ticked buildings) at the
    chosen site, or starts them at home: all or none."""
    user = request.user
    _require(user, ORDER, ADD)
    form = QueueForm(request.POST, sites_queryset=_usable_sites(user))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("isolation:queue")
    data = form.cleaned_data
    chosen = {order.pk: order for order in _orders(user, CHANGE).filter(pk__in=data["order"])}
    if len(chosen) != len(set(data["order"])):
        raise Http404
    for code in data["building"]:
        building = (
            Region.objects.restrict(user, VIEW).filter(code=code, level=Level.BUILDING).first()
        )
        if building is None:
            raise Http404
        for order in _orders(user, CHANGE, within=building.path).filter(state=OrderState.TO_PLACE):
            chosen[order.pk] = order
    try:
        if data["action"] == "place":
            done = services.place(actor=user, orders=list(chosen.values()), site=data["site"])
            messages.success(
                request,
                ngettext(
                    "已将 %(n)d 人安置到%(site)s。", "已将 %(n)d 人安置到%(site)s。", len(done)
                )
                % {"n": len(done), "site": data["site"].name},
            )
        else:
            kind = rules.HOME if data["action"] == "home" else rules.HOME_MONITORING
            done = services.start_at_home(actor=user, orders=list(chosen.values()), kind=kind)
            messages.success(request, _("已有 %(n)d 人开始居家隔离或监测。") % {"n": len(done)})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("isolation:queue")


# Orders


@login_required
def order_list(request):
    user = request.user
    _require(user, ORDER, VIEW)
    form = OrderFilterForm(request.GET)
    form.is_valid()
    criteria = form.cleaned_data
    orders, _region = in_region_filter(request, form, Order.objects.all())
    orders = orders.select_related("person", "site", "room", "policy")
    state = criteria.get("state")
    if state in (RUNNING, OVERDUE):
        orders = orders.filter(state__in=RUNNING_STATES)
        if state == OVERDUE:
            orders = orders.filter(planned_end_at__lt=timezone.now())
    elif state:
        orders = orders.filter(state=state)
    if criteria.get("reason"):
        orders = orders.filter(reason=criteria["reason"])
    if criteria.get("kind"):
        orders = orders.filter(kind=criteria["kind"])
    if criteria.get("day"):
        start = datetime.datetime.combine(
            criteria["day"], datetime.time.min, timezone.get_current_timezone()
        )
        orders = orders.filter(ended_at__gte=start, ended_at__lt=start + datetime.timedelta(days=1))
    rows, next_cursor = cursor_page(request, orders, ORDERING)
    filtered = any(criteria.get(name) for name in ("state", "reason", "region", "kind", "day"))
    return render(
        request,
        "isolation/order_list.html",
        {"form": form, "orders": rows, "next_cursor": next_cursor, "filtered": filtered},
    )


def _timeline(order):
    names = dict(OrderState.choices)
    events = list(order.events.order_by("at", "id"))
    for event in events:
        event.from_state_name = names.get(event.from_state, "")
        event.to_state_name = names.get(event.to_state, event.to_state)
    return events


def _order_context(request, order: Order, **forms) -> dict:
    user = request.user
    leading = services.leads(user, order.region_path)
    verdict = readiness.assess(readiness.due(Order.objects.filter(pk=order.pk))).get(order.pk)
    running = order.state in RUNNING_STATES
    context = {
        "order": order,
        "events": _timeline(order),
        "verdict": verdict,
        "problems": [readiness.describe(p) for p in verdict.problems] if verdict else [],
        "leading": leading,
        "open": order.state in (OrderState.TO_PLACE, OrderState.IN_TRANSFER, *RUNNING_STATES),
        "running": running,
        "next_stages": order.next_stages.all(),
        "extend_form": forms.get("extend_form") or ExtendForm(auto_id="extend-%s"),
        "replan_form": forms.get("replan_form") or ReplanForm(auto_id="replan-%s"),
        "cancel_form": forms.get("cancel_form") or ConfirmedReasonForm(auto_id="cancel-%s"),
        "hospital_form": forms.get("hospital_form") or ConfirmedReasonForm(auto_id="hospital-%s"),
        "release_form": forms.get("release_form") or ReleaseForm(auto_id="release-%s"),
        "move_form": None,
    }
    if running and order.room is not None and can(user, ORDER, CHANGE, order.region_path):
        rooms = Room.objects.filter(site=order.site, active=True).exclude(pk=order.room.pk)
        context["move_form"] = forms.get("move_form") or MoveForm(rooms=rooms, auto_id="move-%s")
    return context


@login_required
def order_detail(request, pk):
    order = _visible_order(request, pk)
    return render(request, "isolation/order_detail.html", _order_context(request, order))


def _order_action(request, pk, form_class, name, act, done_message, **form_kwargs):
    """Runs one action of the order page; a refused form shows the page again with its errors."""
    order = _visible_order(request, pk, CHANGE)
    form = form_class(request.POST, auto_id=f"{name.split('_')[0]}-%s", **form_kwargs)
    if form.is_valid():
        try:
            act(order, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done_message)
            return redirect("isolation:order-detail", pk=order.pk)
    context = _order_context(request, order, **{name: form})
    return render(request, "isolation/order_detail.html", context, status=422)


@login_required
@require_POST
def order_extend(request, pk):
    return _order_action(
        request,
        pk,
        ExtendForm,
        "extend_form",
        lambda order, data: services.extend(
            actor=request.user, order=order, until=data["until"], reason=data["reason"]
        ),
        _("已延期。"),
    )


@login_required
@require_POST
def order_replan(request, pk):
    return _order_action(
        request,
        pk,
        ReplanForm,
        "replan_form",
        lambda order, data: services.replan(actor=request.user, order=order, reason=data["reason"]),
        _("已按现行方案重新计算。"),
    )


@login_required
@require_POST
def order_cancel(request, pk):
    return _order_action(
        request,
        pk,
        ConfirmedReasonForm,
        "cancel_form",
        lambda order, data: services.cancel(actor=request.user, order=order, reason=data["reason"]),
        _("已取消隔离令。"),
    )


@login_required
@require_POST
def order_hospital(request, pk):
    return _order_action(
        request,
        pk,
        ConfirmedReasonForm,
        "hospital_form",
        lambda order, data: services.move_to_hospital(
            actor=request.user, order=order, reason=data["reason"]
        ),
        _("已转医院。"),
    )


@login_required
@require_POST
def order_release(request, pk):
    return _order_action(
        request,
        pk,
        ReleaseForm,
        "release_form",
        lambda order, data: services.release(
            actor=request.user, orders=[order], override=data["override"]
        ),
        _("已解除隔离。"),
    )


@login_required
@require_POST
def order_move(request, pk):
    order = _visible_order(request, pk, CHANGE)
    rooms = Room.objects.filter(site=order.site, active=True).select_related("site")
    return _order_action(
        request,
        pk,
        MoveForm,
        "move_form",
        lambda order, data: services.move(actor=request.user, order=order, room=data["room"]),
        _("已换房。"),
        rooms=rooms,
    )


# Due for release


@login_required
def due(request):
    """待解除: running orders past their planned end, each ready or overdue with its reasons,
    earliest first; tick and release in bulk."""
    user = request.user
    _require(user, ORDER, VIEW)
    form = DueFilterForm(request.GET)
    form.is_valid()
    status = form.cleaned_data.get("status") or ""
    now = timezone.now()
    due_orders = readiness.due(Order.objects.restrict(user, VIEW), now)
    verdicts = readiness.assess(due_orders, now)
    ready = sum(1 for verdict in verdicts.values() if verdict.ready)
    try:
        ids, next_cursor = readiness.page(
            due_orders, verdicts, status=status, cursor=request.GET.get("cursor"), size=DUE_PAGE
        )
    except InvalidCursor:
        messages.warning(request, _("翻页链接无效，已回到第一页。"))
        ids, next_cursor = readiness.page(
            due_orders, verdicts, status=status, cursor=None, size=DUE_PAGE
        )
    shown = list(_orders(user).filter(pk__in=ids).order_by("planned_end_at", "id"))
    for order in shown:
        verdict = verdicts[order.pk]
        order.ready = verdict.ready
        order.problem_texts = [readiness.describe(p) for p in verdict.problems]
        order.may_release = services.leads(user, order.region_path)
    return render(
        request,
        "isolation/due.html",
        {
            "form": form,
            "orders": shown,
            "ready": ready,
            "overdue": len(verdicts) - ready,
            "next_cursor": next_cursor,
            "release_form": ReleaseForm(auto_id="release-%s"),
            "may_release": any(order.may_release for order in shown),
            "status": status,
        },
    )


@login_required
@require_POST
def due_release(request):
    """Releases the ticked orders after the officer's confirmation; orders not ready need the
    stated reason."""
    user = request.user
    _require(user, ORDER, ADD)
    form = ReleaseForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["order"]:
        messages.error(request, _("请勾选要解除的人员，并确认。"))
        return redirect("isolation:due")
    ids = form.cleaned_data["order"]
    orders = list(_orders(user, CHANGE).filter(pk__in=ids))
    if len(orders) != len(set(ids)):
        raise Http404
    try:
        services.release(actor=user, orders=orders, override=form.cleaned_data["override"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已解除 %(n)d 人的隔离。") % {"n": len(orders)})
    return redirect("isolation:due")


# Sites


@login_required
def site_list(request):
    user = request.user
    _require(user, SITE, VIEW)
    rows, next_cursor = cursor_page(
        request, Site.objects.restrict(user, VIEW).select_related("region"), ("name", "id")
    )
    occupancy = sites.occupancy([site.pk for site in rows])
    for site in rows:
        site.figures = occupancy[site.pk]
    return render(
        request,
        "isolation/site_list.html",
        {"sites": rows, "next_cursor": next_cursor, "may_add": can(user, SITE, ADD)},
    )


def _site_region(user, form, action) -> Region | None:
    """The region a site is put in: one where the user may add (or change) sites."""
    region = Region.objects.filter(code=form.cleaned_data["region"]).first()
    if region is None or region.level == Level.PROVINCE or not can(user, SITE, action, region.path):
        form.add_error("region", _("没有这个区域，或其不在您的辖区内。"))
        return None
    return region


@login_required
def site_create(request):
    user = request.user
    _require(user, SITE, ADD)
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        region = _site_region(user, form, ADD)
        if region is not None:
            data = form.cleaned_data
            try:
                site = sites.create_site(
                    actor=user,
                    name=data["name"],
                    address=data["address"],
                    region=region,
                    phone=data["phone"],
                    notes=data["notes"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已创建隔离点。"))
                return redirect("isolation:site-detail", pk=site.pk)
    status = 422 if form.is_bound else 200
    return render(request, "isolation/site_form.html", {"form": form}, status=status)


@login_required
def site_edit(request, pk):
    user = request.user
    site = get_object_or_404(Site.objects.restrict(user, CHANGE).select_related("region"), pk=pk)
    initial = {
        "name": site.name,
        "address": site.address,
        "region": site.region.code,
        "phone": site.phone,
        "notes": site.notes,
        "active": site.active,
    }
    form = SiteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        region = _site_region(user, form, CHANGE)
        if region is not None:
            data = form.cleaned_data
            try:
                sites.update_site(
                    actor=user,
                    site=site,
                    name=data["name"],
                    address=data["address"],
                    region=region,
                    phone=data["phone"],
                    notes=data["notes"],
                    active=data["active"],
                )
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    form.add_error("region", _("您不能把隔离点移到该区域。"))
                else:
                    add_service_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("isolation:site-detail", pk=site.pk)
    status = 422 if form.is_bound else 200
    return render(request, "isolation/site_form.html", {"form": form, "site": site}, status=status)


@login_required
def site_detail(request, pk):
    """A site's rooms as a grid: who is in each (masked), free beds at a glance."""
    user = request.user
    site = get_object_or_404(Site.objects.restrict(user, VIEW).select_related("region"), pk=pk)
    rooms = list(sites.rooms_with_people(site))
    people = defaultdict(list)
    for order in Order.objects.filter(site=site, state__in=services.OCCUPYING).select_related(
        "person"
    ):
        people[order.room_id].append(order)
    for room in rooms:
        room.occupants = people.get(room.pk, [])
        room.free = max(room.capacity - room.people, 0)
    figures = sites.occupancy([site.pk])[site.pk]
    may_change = can(user, SITE, CHANGE, site.region_path)
    return render(
        request,
        "isolation/site_detail.html",
        {
            "site": site,
            "rooms": rooms,
            "figures": figures,
            "may_change": may_change,
            "rooms_form": RoomsForm(auto_id="rooms-%s") if may_change else None,
            "may_see_orders": can(user, ORDER, VIEW),
        },
    )


@login_required
@require_POST
def site_rooms(request, pk):
    """Adds rooms by number ("101-130")."""
    user = request.user
    site = get_object_or_404(Site.objects.restrict(user, CHANGE), pk=pk)
    form = RoomsForm(request.POST)
    if form.is_valid():
        try:
            added = sites.add_rooms(
                actor=user,
                site=site,
                numbers=form.cleaned_data["numbers"],
                capacity=form.cleaned_data["capacity"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已添加 %(n)d 间房。") % {"n": len(added)})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(reverse("isolation:site-detail", kwargs={"pk": site.pk}))

"""The transfer pages: batches (a driver's are their work screen), a batch's pickup list by
building with one tap per person, making a batch from a building's people waiting to be
placed, and who has waited longest. Pages call the same services as the API."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.regions.models import Level, Region

from ..area import DRIVER, SITE, TRANSFER
from ..models import Site, TransferState
from . import services
from .forms import BatchForm, ReasonForm

ORDERING = ("-planned_at", "-id")
# A path's digits beyond a bigint would overflow the query rather than find nothing.
BIGGEST_ID = 2**63 - 1


def _require(user, action: str) -> None:
    if not can(user, TRANSFER, action):
        raise PermissionDenied


def _batch(request, pk, action: str = VIEW):
    return get_object_or_404(services.batches_for(request.user, action), pk=pk)


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def batch_list(request):
    """转运批次: newest planned first; a driver sees the batches they drive."""
    user = request.user
    _require(user, VIEW)
    state = request.GET.get("state") or ""
    batches = services.batches_for(user).annotate(people=Count("passengers"))
    if state in TransferState.values:
        batches = batches.filter(state=state)
    rows, next_cursor = cursor_page(request, batches, ORDERING)
    return render(
        request,
        "isolation/transfer/list.html",
        {
            "batches": rows,
            "next_cursor": next_cursor,
            "states": TransferState.choices,
            "state": state,
            "may_plan": can(user, TRANSFER, ADD),
        },
    )


@login_required
def batch_detail(request, pk):
    batch = _batch(request, pk)
    user = request.user
    groups = [
        (name, [(passenger, services.waited_hours(passenger)) for passenger in group])
        for name, group in services.pickup_list(batch)
    ]
    return render(
        request,
        "isolation/transfer/detail.html",
        {
            "batch": batch,
            "groups": groups,
            "works": services.works(user, batch),
            "manages": services.manages(user, batch.region_path),
            "reason_form": ReasonForm(),
        },
    )


def _building(request, user) -> Region | None:
    code = request.GET.get("building") or request.POST.get("building") or ""
    if not code:
        return None
    if len(code) > 18 or not code.isdigit():
        raise Http404
    return get_object_or_404(Region.objects.restrict(user, VIEW), code=code, level=Level.BUILDING)


def _drivers(region: Region):
    """Whoever may drive in the region: staff with the driver's role over it."""
    users = get_user_model().objects.filter(is_active=True, role_assignments__role=DRIVER)
    allowed = [user.pk for user in users.distinct() if can(user, TRANSFER, CHANGE, region.path)]
    return get_user_model().objects.filter(pk__in=allowed).order_by("username")


@login_required
def batch_create(request):
    """新建转运批次: a building's people waiting to be placed, a vehicle, a driver and a
    destination. Without a building, the buildings with people waiting."""
    user = request.user
    _require(user, ADD)
    building = _building(request, user)
    waiting = services.waiting(user)
    if building is None:
        buildings = (
            waiting.filter(household__isnull=False)
            .values("household__building__code", "household__building__name")
            .annotate(people=Count("id"))
            .order_by("household__building__name", "household__building__code")[:200]
        )
        return render(request, "isolation/transfer/create.html", {"buildings": buildings})
    orders = list(
        waiting.filter(region_path__startswith=building.path).order_by(*services.LONGEST_FIRST)[
            : services.MAX_PASSENGERS
        ]
    )
    # A batch fetches from the building's grid: more of it may be added before it leaves.
    region = building.parent or building
    sites = Site.objects.restrict(user, VIEW).filter(active=True).order_by("name")
    form = BatchForm(
        request.POST or None,
        orders=orders,
        drivers=_drivers(region),
        sites=sites,
        initial={"planned_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [order for order in orders if str(order.pk) in set(data["order"])]
        try:
            batch = services.create_batch(
                actor=user,
                region=region,
                vehicle=data["vehicle"],
                driver=data["driver"],
                orders=chosen,
                planned_at=data["planned_at"],
                site=data["site"],
                hospital=data["hospital"],
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("已建立转运批次，共 %(n)d 人。") % {"n": len(chosen)})
            return redirect("transfer:detail", pk=batch.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "isolation/transfer/create.html",
        {"building": building, "orders": orders, "form": form, "may_site": can(user, SITE, VIEW)},
        status=status,
    )


@login_required
def waiting_list(request):
    """等待最久: people waiting to be placed, longest since being found first."""
    user = request.user
    _require(user, ADD)
    rows, next_cursor = cursor_page(request, services.waiting(user), services.LONGEST_FIRST)
    now = timezone.now()
    return render(
        request,
        "isolation/transfer/waiting.html",
        {
            "rows": [(order, services.hours(services.found_of(order), now)) for order in rows],
            "next_cursor": next_cursor,
        },
    )


def _act(request, pk, action) -> object:
    """Runs `action(batch)` for a batch the user sees, with its outcome as a message."""
    batch = _batch(request, pk)
    try:
        done = action(batch)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("transfer:detail", pk=batch.pk)


def _passenger(batch, passenger_pk: int):
    if passenger_pk > BIGGEST_ID:
        raise Http404
    return get_object_or_404(batch.passengers.select_related("order__person"), pk=passenger_pk)


@login_required
@require_POST
def depart(request, pk):
    def action(batch):
        services.depart(actor=request.user, batch=batch)
        return _("已出发。")

    return _act(request, pk, action)


@login_required
@require_POST
def arrive(request, pk):
    def action(batch):
        if request.POST.get("confirm") != "1":
            raise ValidationError(_("请勾选确认后再登记到达。"))
        services.arrive(actor=request.user, batch=batch)
        return _("已登记到达，批次完成。")

    return _act(request, pk, action)


@login_required
@require_POST
def cancel(request, pk):
    def action(batch):
        form = ReasonForm(request.POST)
        if not form.is_valid() or request.POST.get("confirm") != "1":
            raise ValidationError(_("请填写原因并勾选确认后再取消。"))
        services.cancel(actor=request.user, batch=batch, reason=form.cleaned_data["reason"])
        return _("批次已取消。")

    return _act(request, pk, action)


@login_required
@require_POST
def pick_up(request, pk, passenger):
    def action(batch):
        services.pick_up(actor=request.user, batch=batch, passenger=_passenger(batch, passenger))
        return _("已接到。")

    return _act(request, pk, action)


@login_required
@require_POST
def not_found(request, pk, passenger):
    def action(batch):
        form = ReasonForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("请写明未接到的原因。"))
        services.not_found(
            actor=request.user,
            batch=batch,
            passenger=_passenger(batch, passenger),
            reason=form.cleaned_data["reason"],
        )
        return _("已标记未接到，该人员退回待安置。")

    return _act(request, pk, action)


@login_required
@require_POST
def remove(request, pk, passenger):
    def action(batch):
        services.remove_passenger(
            actor=request.user, batch=batch, passenger=_passenger(batch, passenger)
        )
        return _("已移出本批次。")

    return _act(request, pk, action)

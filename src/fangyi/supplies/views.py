"""The supplies pages for staff: the board of open requests with their clocks, a grid's
requests on the phone, making a request for a household, a request's detail with its events
and actions, the catalogue, and the daily totals. Pages call the same services as the API."""

import datetime
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from fangyi.core.api import page_of
from fangyi.core.forms import add_service_errors
from fangyi.core.pagination import InvalidCursor
from fangyi.core.paths import under
from fangyi.core.permissions import ADD, CHANGE, EXPORT, VIEW, can
from fangyi.core.schemas import PageParams
from fangyi.people.models import Household, Person
from fangyi.regions.models import Level, Region, looks_like_code

from . import clocks, services
from .area import CATALOGUE, SUPPLY_REQUEST
from .cycle.models import BatchEntry
from .cycle.services import DISPATCHABLE
from .forms import (
    CatalogueAddForm,
    CatalogueItemForm,
    CostForm,
    HouseholdForm,
    StaffRequestForm,
    TransitionForm,
)
from .ledger import CostsLedger
from .models import (
    OPEN_STATES,
    CatalogueItem,
    Confirmation,
    Request,
    RequestKind,
    RequestState,
)

PAGE = 50
BOARD = ("-priority", "submitted_at", "id")
NEWEST = ("-submitted_at", "-id")
CATALOGUE_ORDERING = ("name", "id")
# Buildings offered when making a request: a grid has tens, a street hundreds.
BUILDINGS_OFFERED = 500
# The actions a request's page offers from each state, as (state, button label).
NEXT_STEPS: dict[str, tuple[tuple[str, StrOrPromise], ...]] = {
    RequestState.SUBMITTED: ((RequestState.ACCEPTED, gettext_lazy("受理")),),
    RequestState.ACCEPTED: (
        (RequestState.SOURCING, gettext_lazy("开始备货")),
        (RequestState.OUT_FOR_DELIVERY, gettext_lazy("出发配送")),
    ),
    RequestState.SOURCING: ((RequestState.OUT_FOR_DELIVERY, gettext_lazy("出发配送")),),
}


def page_params(request) -> PageParams:
    cursor = request.GET.get("cursor") or None
    if cursor is not None and (len(cursor) > 500 or "\x00" in cursor):
        raise Http404
    return PageParams(cursor=cursor, limit=PAGE)


def paged(request, queryset, ordering):
    try:
        return page_of(queryset, ordering=ordering, page=page_params(request))
    except InvalidCursor as exc:
        raise Http404 from exc


def with_clocks(rows):
    """Each open request's clock colour and time left, for the templates."""
    now = timezone.now()
    for row in rows:
        if row.state in OPEN_STATES:
            row.clock = clocks.clock(submitted_at=row.submitted_at, due_at=row.due_at, now=now)
            left = int(clocks.remaining(row.due_at, now).total_seconds() // 60)
            row.clock_minutes = abs(left)
        else:
            row.clock = None
    return rows


def _open(user, action: str):
    return (
        Request.objects.restrict(user, action)
        .filter(state__in=OPEN_STATES)
        .select_related("person", "household")
    )


def _board_rows(user, request):
    """The board's rows and the filters it was given: open requests (only the late ones with
    `late=1`), or with `day` the requests delivered that day; narrowed to a `region` (by code),
    as the command centre's figures open it."""
    chosen = {"late": request.GET.get("late") == "1", "region": "", "day": None}
    day_text = request.GET.get("day", "")[:20]
    try:
        chosen["day"] = datetime.date.fromisoformat(day_text) if day_text else None
    except ValueError:
        chosen["day"] = None
    if chosen["day"] is not None:
        start = datetime.datetime.combine(
            chosen["day"], datetime.time.min, timezone.get_current_timezone()
        )
        rows = (
            Request.objects.restrict(user, VIEW)
            .filter(
                state=RequestState.DELIVERED,
                delivered_at__gte=start,
                delivered_at__lt=start + datetime.timedelta(days=1),
            )
            .select_related("person", "household")
        )
    else:
        rows = _open(user, VIEW)
        if chosen["late"]:
            rows = rows.filter(due_at__lt=timezone.now())
    code = request.GET.get("region", "")[:40]
    if code:
        chosen["region"] = code
        region = (
            Region.objects.restrict(user, VIEW).filter(code=code).first()
            if looks_like_code(code)
            else None
        )
        rows = rows.filter(under("region_path", region.path)) if region else rows.none()
    return rows, chosen


@login_required
def board(request):
    """Open requests by priority, then age, each with its clock."""
    user = request.user
    if not can(user, SUPPLY_REQUEST, VIEW):
        raise PermissionDenied
    rows, chosen = _board_rows(user, request)
    kind = request.GET.get("kind") or ""
    if kind in RequestKind.values:
        rows = rows.filter(kind=kind)
    else:
        kind = ""
    found, next_cursor = paged(request, rows, BOARD)
    return render(
        request,
        "supplies/board.html",
        {
            "rows": with_clocks(found),
            "next_cursor": next_cursor,
            "kinds": RequestKind.choices,
            "kind": kind,
            "chosen": chosen,
            "filter_query": urlencode(
                [
                    (key, value.isoformat() if key == "day" else "1" if value is True else value)
                    for key, value in chosen.items()
                    if value
                ]
            ),
            "may_add": can(user, SUPPLY_REQUEST, ADD),
        },
    )


@login_required
def grid(request):
    """A grid team's open requests on the phone, the same order as the board."""
    user = request.user
    if not can(user, SUPPLY_REQUEST, CHANGE):
        raise PermissionDenied
    found, next_cursor = paged(request, _open(user, CHANGE), BOARD)
    return render(
        request,
        "supplies/grid.html",
        {
            "rows": with_clocks(found),
            "next_cursor": next_cursor,
            "may_add": can(user, SUPPLY_REQUEST, ADD),
        },
    )


def _buildings(user):
    return list(
        Region.objects.restrict(user, VIEW)
        .filter(level=Level.BUILDING)
        .order_by("path")[:BUILDINGS_OFFERED]
    )


def _household(user, code: str, room: str) -> Household | None:
    building = Region.objects.restrict(user, VIEW).filter(code=code, level=Level.BUILDING).first()
    if building is None:
        return None
    return (
        Household.objects.restrict(user, ADD)
        .filter(region_path=building.path, room=room.strip())
        .order_by("unit", "id")
        .first()
    )


@login_required
def new(request):
    """Step one: which household (a building and a room); step two: the request."""
    user = request.user
    if not can(user, SUPPLY_REQUEST, ADD):
        raise PermissionDenied
    chooser = HouseholdForm(request.GET or None, buildings=_buildings(user))
    household = None
    if chooser.is_bound and chooser.is_valid():
        household = _household(user, chooser.cleaned_data["building"], chooser.cleaned_data["room"])
        if household is None:
            chooser.add_error("room", _("这栋楼没有这一户，或其不在您的辖区内。"))
    if household is None:
        return render(request, "supplies/new.html", {"chooser": chooser})
    members = list(Person.objects.filter(household=household).order_by("birth_date", "id"))
    form = StaffRequestForm(
        request.POST or None,
        request.FILES or None,
        catalogue=services.catalogue_for(household.region_path),
        members=members,
    )
    if request.method == "POST" and form.is_valid():
        person = next((m for m in members if str(m.pk) == form.cleaned_data["person"]), None)
        draft = services.Draft(
            kind=form.cleaned_data["kind"],
            items=form.lines(),
            person=person,
            urgency=form.cleaned_data["urgency"],
            notes=form.cleaned_data["notes"],
            chronic_condition=form.cleaned_data["chronic_condition"],
            confirmed=form.cleaned_data["confirmed"],
            prescription=form.photo(),
            payment=form.cleaned_data["payment"],
        )
        try:
            made = services.submit(
                actor=user,
                household=household,
                draft=draft,
                hotline_ticket=form.cleaned_data["hotline_ticket"],
            )
        except ValidationError as exc:
            if "confirmed" in getattr(exc, "error_dict", {}):
                form.ask_to_confirm()
            add_service_errors(form, exc)
        else:
            messages.success(request, _("需求已提交。"))
            return redirect("supplies:detail", pk=made.pk)
    return render(
        request,
        "supplies/new.html",
        {"chooser": chooser, "household": household, "form": form, "members": members},
    )


def _request(user, pk: uuid.UUID, action: str = VIEW) -> Request:
    return get_object_or_404(
        Request.objects.restrict(user, action).select_related("person", "household"), pk=pk
    )


@login_required
def detail(request, pk: uuid.UUID):
    user = request.user
    if not can(user, SUPPLY_REQUEST, VIEW):
        raise PermissionDenied
    found = _request(user, pk)
    may_change = can(user, SUPPLY_REQUEST, CHANGE, found.region_path)
    return render(
        request,
        "supplies/detail.html",
        {
            "request_": with_clocks([found])[0],
            "items": list(found.items.order_by("id")),
            "events": list(found.events.order_by("at", "id")),
            "has_prescription": services.has_prescription(found),
            "may_change": may_change,
            "show_actors": True,
            "next_steps": NEXT_STEPS.get(found.state, ()) if may_change else (),
            "may_deliver": may_change and found.state == RequestState.OUT_FOR_DELIVERY,
            "may_cancel": may_change and found.state in OPEN_STATES,
            "may_dispatch": may_change
            and found.dispatched_at is None
            and found.state in DISPATCHABLE
            and not BatchEntry.objects.filter(request=found).exists(),
            "transition_form": TransitionForm(),
            "cost_form": CostForm(initial={"payment": found.payment}),
            "confirmations": Confirmation.choices,
        },
    )


@login_required
@require_POST
def transition(request, pk: uuid.UUID):
    user = request.user
    if not can(user, SUPPLY_REQUEST, CHANGE):
        raise PermissionDenied
    found = _request(user, pk, CHANGE)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("supplies:detail", pk=pk)
    data = form.cleaned_data
    delivery = None
    if data["to_state"] == RequestState.DELIVERED:
        delivery = services.Delivery(
            confirmation=data["confirmation"],
            code=data["code"],
            note=data["note"],
            left_at=data["left_at"],
        )
    try:
        services.transition(
            actor=user,
            request=found,
            to_state=data["to_state"],
            reason=data["reason"],
            delivery=delivery,
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("需求状态已更新。"))
    return redirect("supplies:detail", pk=pk)


@login_required
@require_POST
def cost(request, pk: uuid.UUID):
    user = request.user
    if not can(user, SUPPLY_REQUEST, CHANGE):
        raise PermissionDenied
    found = _request(user, pk, CHANGE)
    form = CostForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("supplies:detail", pk=pk)
    try:
        services.set_cost(
            actor=user,
            request=found,
            payment=form.cleaned_data["payment"],
            amount=form.cleaned_data["amount"],
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("费用已更新。"))
    return redirect("supplies:detail", pk=pk)


def prescription_response(found: Request) -> HttpResponse:
    photo = services.prescription_of(found)
    if photo is None:
        raise Http404
    response = HttpResponse(bytes(photo.data), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


@login_required
def prescription(request, pk: uuid.UUID):
    user = request.user
    if not can(user, SUPPLY_REQUEST, VIEW):
        raise PermissionDenied
    return prescription_response(_request(user, pk))


# The catalogue


def _catalogue_regions(user):
    """The regions down to communities where the user may add to the catalogue."""
    regions = (
        Region.objects.restrict(user, VIEW)
        .filter(level__lte=Level.COMMUNITY)
        .order_by("path")[:BUILDINGS_OFFERED]
    )
    return [region for region in regions if can(user, CATALOGUE, ADD, region.path)]


@login_required
def catalogue(request):
    user = request.user
    if not can(user, CATALOGUE, VIEW):
        raise PermissionDenied
    may_add = can(user, CATALOGUE, ADD)
    form = None
    if may_add:
        form = CatalogueAddForm(request.POST or None, regions=_catalogue_regions(user))
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            region = Region.objects.restrict(user, VIEW).filter(code=data["region"]).first()
            try:
                if region is None:
                    raise ValidationError({"region": _("没有这个区域，或其不在您的辖区内。")})
                services.add_item(
                    actor=user,
                    region=region,
                    kind=data["kind"],
                    name=data["name"],
                    unit=data["unit"],
                    price=data["price"],
                    usual_max=data["usual_max"],
                    active=data["active"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已加入目录。"))
                return redirect("supplies:catalogue")
    rows = services.visible_catalogue(user).select_related("region")
    found, next_cursor = paged(request, rows, CATALOGUE_ORDERING)
    return render(
        request,
        "supplies/catalogue.html",
        {
            "items": found,
            "next_cursor": next_cursor,
            "form": form,
            "may_change": can(user, CATALOGUE, CHANGE),
            "limits": [
                (RequestKind(kind).label, int(limit.total_seconds() // 60))
                for kind, limit in services.limits().items()
            ],
        },
    )


@login_required
def catalogue_item(request, pk: uuid.UUID):
    user = request.user
    if not can(user, CATALOGUE, CHANGE):
        raise PermissionDenied
    item = get_object_or_404(CatalogueItem.objects.restrict(user, CHANGE), pk=pk)
    fields = ["kind", "name", "unit", "price", "usual_max", "active"]
    form = CatalogueItemForm(
        request.POST or None, initial={field: getattr(item, field) for field in fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item(actor=user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("目录已更新。"))
            return redirect("supplies:catalogue")
    return render(request, "supplies/catalogue_item.html", {"item": item, "form": form})


# Totals


def _day(raw: str | None, default: datetime.date) -> datetime.date:
    if not raw:
        return default
    try:
        return datetime.date.fromisoformat(raw[:10])
    except ValueError:
        return default


@login_required
def totals(request):
    """Cost per community per day, by how it is paid."""
    user = request.user
    if not can(user, SUPPLY_REQUEST, VIEW):
        raise PermissionDenied
    today = timezone.localdate()
    until = _day(request.GET.get("until"), today)
    since = _day(request.GET.get("since"), until - datetime.timedelta(days=6))
    error = ""
    try:
        rows = services.daily_totals(user, since=since, until=until)
    except ValidationError as exc:
        rows, error = [], " ".join(exc.messages)
    return render(
        request,
        "supplies/totals.html",
        {
            "rows": rows,
            "since": since,
            "until": until,
            "error": error,
            "may_export": can(user, SUPPLY_REQUEST, EXPORT),
            "export_url": reverse("ledgers:export", kwargs={"slug": CostsLedger.slug}),
        },
    )

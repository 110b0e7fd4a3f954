"""Venue pages and their printable place codes, the resident's check-in page a place code's QR
opens, and the checkpoint staff's scanning page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from fangyi.codes import verdicts
from fangyi.codes.format import Result
from fangyi.codes.qr import qr_svg_any
from fangyi.core import offline, ratelimit
from fangyi.core.forms import add_service_errors
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.portal import auth as portal_auth
from fangyi.regions.filters import in_region_filter

from . import services
from .area import SCAN, VENUE
from .forms import VenueFilterForm, VenueForm
from .models import Venue

VENUE_ORDERING = ("region_path", "name", "id")
# The scanning page's venue menu; a checkpoint works at a handful.
SCAN_VENUES = 500
# The scanning page's files, for the service worker to answer from offline.
PAGE_CACHE = "fangyi-scan-v1"


def _visible_venue(request, pk) -> Venue:
    return get_object_or_404(
        Venue.objects.restrict(request.user, VIEW).select_related("region"), pk=pk
    )


def _origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


@login_required
def venue_list(request):
    user = request.user
    if not can(user, VENUE, VIEW):
        raise PermissionDenied
    form = VenueFilterForm(request.GET)
    form.is_valid()
    criteria = form.cleaned_data
    venues, region = in_region_filter(request, form, Venue.objects.all())
    venues = venues.select_related("region")
    if criteria.get("kind"):
        venues = venues.filter(kind=criteria["kind"])
    rows, next_cursor = cursor_page(request, venues, VENUE_ORDERING)
    return render(
        request,
        "checkpoints/venue_list.html",
        {
            "form": form,
            "venues": rows,
            "next_cursor": next_cursor,
            "filtered": bool(criteria.get("region") or criteria.get("kind")),
            "may_add": can(user, VENUE, ADD),
        },
    )


@login_required
def venue_create(request):
    if not can(request.user, VENUE, ADD):
        raise PermissionDenied
    form = VenueForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            venue = services.create_venue(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记场所，可打印场所码张贴。"))
            return redirect("checkpoints:venue-detail", pk=venue.pk)
    return render(request, "checkpoints/venue_form.html", {"form": form, "venue": None})


@login_required
def venue_edit(request, pk):
    venue = _visible_venue(request, pk)
    if not can(request.user, VENUE, CHANGE, venue.region_path):
        raise PermissionDenied
    form = VenueForm(
        request.POST if request.method == "POST" else None, user=request.user, venue=venue
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_venue(actor=request.user, venue=venue, changes=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("checkpoints:venue-detail", pk=venue.pk)
    return render(request, "checkpoints/venue_form.html", {"form": form, "venue": venue})


@login_required
def venue_detail(request, pk):
    venue = _visible_venue(request, pk)
    return render(
        request,
        "checkpoints/venue_detail.html",
        {
            "venue": venue,
            "may_change": can(request.user, VENUE, CHANGE, venue.region_path),
        },
    )


@login_required
def place_code(request, pk):
    """The sheet to print and post at the entrance: a big QR of the check-in link."""
    venue = _visible_venue(request, pk)
    try:
        code = services.place_code(user=request.user, venue=venue)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("checkpoints:venue-detail", pk=venue.pk)
    link = services.check_in_link(origin=_origin(request), text=code.text)
    return render(
        request,
        "checkpoints/place_code.html",
        {"venue": venue, "code": code, "link": link, "svg": mark_safe(qr_svg_any(link))},
    )


PROBLEMS = {
    Result.EXPIRED: _("这个场所码已过期。请告知场所工作人员更换新码。"),
    Result.NOT_YET_VALID: _("这个场所码尚未生效。请稍后再试，或告知场所工作人员。"),
    Result.REVOKED: _("这个场所码已作废。请告知场所工作人员更换新码。"),
}


def _problem(request, message: str, status: int):
    response = render(
        request, "checkpoints/check_in_problem.html", {"message": message}, status=status
    )
    add_never_cache_headers(response)
    return response


@ratelimit.per_address("public-address")
def check_in(request):
    """Where a place code's QR lands: check the resident in and show their colour to the guard.

    The code is checked first, so a bad one is reported without asking anyone to log in.
    """
    text = request.GET.get("c", "")
    if not text:
        return _problem(request, _("请用手机相机扫描场所张贴的场所码。"), 400)
    checked = services.verify_place(text)
    if checked.verification.result is not Result.VALID:
        message = PROBLEMS.get(
            checked.verification.result,
            _("无法识别这个场所码，它可能被改动过。请以场所张贴的原码为准。"),
        )
        return _problem(request, message, 400)
    if checked.venue is None:
        return _problem(request, _("这个场所已停用或不存在。"), 404)
    person = portal_auth.resident_person(request)
    if person is None:
        login = reverse("portal:login") + "?" + urlencode({"next": request.get_full_path()})
        return redirect(login)
    visit, status = services.check_in(person=person, venue=checked.venue)
    response = render(
        request,
        "checkpoints/check_in.html",
        {
            "venue": checked.venue,
            "visit": visit,
            "status": status,
            "masked_name": person.masked_name,
            "id_tail": person.id_tail,
            "now": timezone.now(),
        },
    )
    # Back and reload must not show a colour from earlier.
    add_never_cache_headers(response)
    return response


@login_required
def scan(request):
    """The checkpoint's scanning page: it verifies codes in the browser and queues the scans."""
    user = request.user
    if not can(user, SCAN, ADD):
        raise PermissionDenied
    venues = (
        Venue.objects.restrict(user, VIEW)
        .filter(active=True)
        .order_by("name", "id")
        .values_list("id", "name", "region_path")[:SCAN_VENUES]
    )
    return render(
        request,
        "checkpoints/scan.html",
        {
            "keys_url": reverse("api:list_keys"),
            "revoked_url": reverse("api:list_revoked"),
            "upload_url": reverse("api:upload_scans"),
            "lookup_url": reverse("api:lookup"),
            "venues": [{"id": str(pk), "name": name, "path": path} for pk, name, path in venues],
            "service_worker_url": offline.worker_url("checkpoints:service-worker", PAGE_CACHE),
            "page_cache": PAGE_CACHE,
            "verdicts": verdicts.page_sentences(),
        },
    )

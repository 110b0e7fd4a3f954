"""Campaign pages (list, create, the campaign's page with its rounds, sites, exemptions and
pool-size advice) and the sampling screen.

The sampling screen is built for a sampler's phone at a queue: its script (sampling.js)
talks to the JSON API, one request per scan, without reloading. The forms below it post to
the views here too, so that a phone without the script can still open a tube, search and add
people, and close a tube.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.codes.format import PERSON_PREFIX, PLACE_PREFIX
from fangyi.core.permissions import ADD, require
from fangyi.screening import common
from fangyi.screening.area import SAMPLE
from fangyi.screening.common import error_text
from fangyi.screening.models import SamplingSite, TubeState
from fangyi.screening.sampling import screen
from fangyi.screening.sampling import services as sampling_services
from fangyi.screening.sampling.forms import AddPersonForm, OpenTubeForm

# The sampling screen


def _is_code(text: str) -> bool:
    upper = text.strip().upper()
    return upper.startswith(PERSON_PREFIX) or upper.startswith(PLACE_PREFIX)


def _sampling_url(site=None, tube: str = "", **extra) -> str:
    query = {"site": str(site.pk)} if site is not None else {}
    if tube:
        query["tube"] = tube
    query.update({key: value for key, value in extra.items() if value})
    url = reverse("screening:sampling")
    return f"{url}?{urlencode(query)}" if query else url


def _my_site(request, raw) -> SamplingSite | None:
    sites = {str(choice.site.pk): choice.site for choice in screen.sites_of(request.user)}
    return sites.get(str(raw or ""))


@login_required
def sampling_screen(request):
    return _render_screen(request, request.GET)


def _render_screen(request, params, *, repeat: dict | None = None, status: int = 200):
    """The screen for `params` (site, tube, q, close, as in its query string); `repeat` asks
    to confirm sampling again someone sampled in this round already."""
    user = request.user
    require(user, SAMPLE, ADD)
    sites = screen.sites_of(user)
    by_id = {str(choice.site.pk): choice for choice in sites}
    chosen = by_id.get(params.get("site", ""))
    # Sites of finished campaigns stay assigned; the one site sampling now is the choice.
    running = [choice for choice in sites if choice.running_round is not None]
    if chosen is None and "site" not in params:
        if len(sites) == 1:
            chosen = sites[0]
        elif len(running) == 1:
            chosen = running[0]
    site = chosen.site if chosen is not None else None
    round = chosen.running_round if chosen is not None else None
    tube = None
    found = []
    query = ""
    if site is not None and round is not None:
        barcode = params.get("tube", "").strip()
        if barcode and common.BARCODE.fullmatch(barcode):
            tube = screen.tubes_with_members(user).filter(barcode=barcode, site=site).first()
        else:
            tube = screen.open_tube_of(user, site, round)
        query = params.get("q", "").strip()
        if query:
            try:
                found = screen.search_persons(actor=user, site=site, query=query)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
    context = {
        "sites": sites,
        "site": site,
        "round": round,
        "campaign": site.campaign if site is not None else None,
        "tube": tube,
        "members": list(tube.samples.all()) if tube is not None else [],
        "found": found,
        "query": query,
        "confirm_close": tube is not None and params.get("close") == "1",
        "repeat": repeat if tube is not None else None,
        "open_form": OpenTubeForm(campaign=site.campaign if site is not None else None),
        "add_form": AddPersonForm(initial={"text": query}),
        "api": {
            "tubes": reverse("api:open_tube"),
            "persons": reverse("api:search_persons"),
        },
    }
    return render(request, "screening/sampling.html", context, status=status)


@login_required
@require_POST
def sampling_open(request):
    site = _my_site(request, request.POST.get("site"))
    if site is None:
        messages.error(request, _("请先选择采样点。"))
        return redirect("screening:sampling")
    form = OpenTubeForm(request.POST, campaign=site.campaign)
    if not form.is_valid():
        messages.error(request, _("请扫描或输入试管条码，并选择混采人数。"))
        return redirect(_sampling_url(site))
    try:
        tube = screen.start_tube(
            actor=request.user,
            barcode=form.cleaned_data["barcode"],
            site=site,
            pool_size=form.cleaned_data["pool_size"],
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(_sampling_url(site))
    return redirect(_sampling_url(site, tube.barcode))


def _posted_tube(request, site: SamplingSite):
    barcode = request.POST.get("tube", "").strip()
    if not common.BARCODE.fullmatch(barcode):
        return None
    return screen.tubes_with_members(request.user).filter(barcode=barcode, site=site).first()


@login_required
@require_POST
def sampling_add(request):
    site = _my_site(request, request.POST.get("site"))
    if site is None:
        messages.error(request, _("请先选择采样点。"))
        return redirect("screening:sampling")
    tube = _posted_tube(request, site)
    form = AddPersonForm(request.POST)
    if tube is None or not form.is_valid():
        messages.error(request, _("请先扫描试管条码开管。"))
        return redirect(_sampling_url(site))
    text = form.cleaned_data["text"].strip()
    chosen = form.cleaned_data["person"]
    if chosen is None and text and not _is_code(text):
        return redirect(_sampling_url(site, tube.barcode, q=text))
    confirmed = request.POST.get(sampling_services.REPEAT_FIELD) == "1"
    try:
        if chosen is not None:
            person = screen.resident_by_id(request.user, site.campaign, chosen)
            sample = sampling_services.add_to_tube(
                actor=request.user, tube=tube, person=person, confirm_repeat=confirmed
            )
        else:
            sample = sampling_services.add_to_tube(
                actor=request.user, tube=tube, code=text, confirm_repeat=confirmed
            )
    except ValidationError as exc:
        if sampling_services.REPEAT_FIELD in getattr(exc, "error_dict", {}):
            # Asked here rather than after a redirect: a scanned code is posted again as it
            # came, and it names no one in the address bar.
            repeat = {"message": error_text(exc), "person": chosen or "", "text": text}
            return _render_screen(
                request, {"site": str(site.pk), "tube": tube.barcode}, repeat=repeat, status=409
            )
        messages.error(request, error_text(exc))
        return redirect(_sampling_url(site, tube.barcode))
    tube.refresh_from_db()
    if tube.state == TubeState.OPEN:
        messages.success(request, _("已加入 %(name)s。") % {"name": sample.person.masked_name})
        return redirect(_sampling_url(site, tube.barcode))
    messages.success(
        request,
        _("已加入 %(name)s；试管 %(barcode)s 已满，已自动封管。")
        % {"name": sample.person.masked_name, "barcode": tube.barcode},
    )
    return redirect(_sampling_url(site))


@login_required
@require_POST
def sampling_close(request):
    site = _my_site(request, request.POST.get("site"))
    if site is None:
        messages.error(request, _("请先选择采样点。"))
        return redirect("screening:sampling")
    tube = _posted_tube(request, site)
    if tube is None:
        messages.error(request, _("没有找到这支试管。"))
        return redirect(_sampling_url(site))
    if request.POST.get("confirm") != "1":
        return redirect(_sampling_url(site, tube.barcode, close="1"))
    try:
        sampling_services.close_tube(actor=request.user, tube=tube)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(_sampling_url(site, tube.barcode))
    messages.success(request, _("试管 %(barcode)s 已封管。") % {"barcode": tube.barcode})
    return redirect(_sampling_url(site))


urlpatterns: list = [
    path("sampling/", sampling_screen, name="sampling"),
    path("sampling/open/", sampling_open, name="sampling-open"),
    path("sampling/add/", sampling_add, name="sampling-add"),
    path("sampling/close/", sampling_close, name="sampling-close"),
]

"""Campaign pages (list, create, the campaign's page with its rounds, sites, exemptions and
pool-size advice) and the sampling screen.

The sampling screen is built for a sampler's phone at a queue: its script (sampling.js)
talks to the JSON API, one request per scan, without reloading. The forms below it post to
the views here too, so that a phone without the script can still open a tube, search and add
people, and close a tube.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.codes.format import PERSON_PREFIX, PLACE_PREFIX
from fangyi.core.forms import add_service_errors
from fangyi.core.pagination import InvalidCursor, keyset_page
from fangyi.core.permissions import ADD, CHANGE, VIEW, can
from fangyi.core.views import cursor_page
from fangyi.regions.filters import in_region_filter

from . import figures, sampling, services
from .area import CAMPAIGN, SAMPLE
from .forms import (
    AddPersonForm,
    AssignSamplersForm,
    CampaignFilterForm,
    CampaignForm,
    ExemptionForm,
    OpenTubeForm,
    RoundForm,
    SiteForm,
    campaign_regions_in_reach,
    samplers_for_sites,
    site_regions_in_reach,
    staff_label,
)
from .models import Campaign, CampaignRegion, Exemption, Round, SamplingSite, TubeState

CAMPAIGN_ORDERING = ("-created_at", "-id")
EXEMPTION_ORDERING = ("-created_at", "-id")
SITE_ORDERING = ("region_path", "name", "id")


def _campaigns(user):
    return Campaign.objects.restrict(user, VIEW).prefetch_related(
        Prefetch(
            "areas", queryset=CampaignRegion.objects.select_related("region").order_by("path")
        ),
        Prefetch("rounds", queryset=Round.objects.order_by("number")),
    )


# Campaigns


@login_required
def campaign_list(request):
    user = request.user
    if not can(user, CAMPAIGN, VIEW):
        raise PermissionDenied
    form = CampaignFilterForm(request.GET)
    form.is_valid()
    campaigns, _region = in_region_filter(request, form, _campaigns(user))
    rows, next_cursor = cursor_page(request, campaigns, CAMPAIGN_ORDERING)
    for campaign in rows:
        rounds = list(campaign.rounds.all())
        campaign.last_round = rounds[-1] if rounds else None
        if campaign.last_round is not None:
            campaign.last_state = figures.round_state(campaign.last_round)
            campaign.last_state_label = figures.ROUND_STATES[campaign.last_state]
    return render(
        request,
        "screening/campaign_list.html",
        {
            "form": form,
            "campaigns": rows,
            "next_cursor": next_cursor,
            "filtered": bool(request.GET.get("region")),
            "may_add": can(user, CAMPAIGN, ADD),
            "may_sample": can(user, SAMPLE, ADD),
        },
    )


@login_required
def campaign_create(request):
    user = request.user
    if not can(user, CAMPAIGN, ADD):
        raise PermissionDenied
    form = CampaignForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.create_campaign(
                actor=user,
                name=data["name"],
                regions=data["regions"],
                default_pool_size=data["default_pool_size"],
                pool_sizes=data["all_sizes"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已创建筛查任务，请添加轮次和采样点。"))
            return redirect("screening:campaign-detail", pk=campaign.pk)
    status = 400 if form.errors else 200
    no_regions = not campaign_regions_in_reach(user).exists()
    return render(
        request,
        "screening/campaign_form.html",
        {"form": form, "no_regions": no_regions},
        status=status,
    )


def _visible_campaign(request, pk) -> Campaign:
    return get_object_or_404(_campaigns(request.user), pk=pk)


def _site_page(request, sites):
    """A page of sites for `?sites=` (the page keeps `?cursor=` for its exemptions); a cursor
    we did not issue falls back to the first page."""
    cursor = request.GET.get("sites") or None
    try:
        return keyset_page(
            sites, ordering=SITE_ORDERING, cursor=cursor, size=settings.FANGYI_PAGE_SIZE
        )
    except InvalidCursor:
        messages.warning(request, _("翻页链接无效，已回到第一页。"))
        return keyset_page(
            sites, ordering=SITE_ORDERING, cursor=None, size=settings.FANGYI_PAGE_SIZE
        )


def _may_change(user, campaign: Campaign) -> bool:
    return all(can(user, CAMPAIGN, CHANGE, area.path) for area in campaign.areas.all())


def _detail_context(request, campaign: Campaign, **bound) -> dict:
    user = request.user
    rounds = list(campaign.rounds.all())
    counts = figures.round_figures(user, rounds)
    for found in rounds:
        found.state = figures.round_state(found)
        found.state_label = figures.ROUND_STATES[found.state]
        found.figures = counts[found.pk]
    sites, next_sites = _site_page(
        request,
        SamplingSite.objects.restrict(user, VIEW)
        .filter(campaign=campaign)
        .select_related("region")
        .prefetch_related("samplers"),
    )
    changeable = [site for site in sites if can(user, CAMPAIGN, CHANGE, site.region_path)]
    candidates = samplers_for_sites(changeable)
    for site in sites:
        assigned = sorted(site.samplers.all(), key=lambda u: u.get_username())
        site.sampler_labels = [staff_label(u) for u in assigned]
        if site.pk in candidates:
            form = bound.get("assign_form")
            if form is None or form.prefix != f"assign-{site.pk}":
                form = AssignSamplersForm(
                    site=site, candidates=candidates[site.pk], assigned=assigned
                )
            site.assign_form = form
    may_change = _may_change(user, campaign)
    exemptions, next_cursor = cursor_page(
        request,
        Exemption.objects.restrict(user, VIEW)
        .filter(campaign=campaign)
        .select_related("person", "round"),
        EXEMPTION_ORDERING,
    )
    context = {
        "campaign": campaign,
        "rounds": rounds,
        "sites": sites,
        "next_sites": next_sites,
        "may_change": may_change,
        "exemptions": exemptions,
        "next_cursor": next_cursor,
        "advice": figures.pool_advice(campaign),
    }
    if may_change:
        context["round_form"] = bound.get("round_form") or RoundForm(prefix="round")
    if site_regions_in_reach(user, campaign).exists():
        context["site_form"] = bound.get("site_form") or SiteForm(user=user, campaign=campaign)
    if can(user, CAMPAIGN, CHANGE):
        exemption_form = bound.get("exemption_form") or ExemptionForm(
            user=user,
            campaign=campaign,
            rounds=rounds,
            initial={"q": request.GET.get("exempt-q", "")},
        )
        query = exemption_form["q"].value() or ""
        try:
            context["found"] = sampling.residents_matching(user, campaign, query)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            context["found"], query = [], ""
        context["exemption_form"] = exemption_form
        context["exemption_query"] = query
    return context


@login_required
def campaign_detail(request, pk):
    campaign = _visible_campaign(request, pk)
    return render(request, "screening/campaign_detail.html", _detail_context(request, campaign))


def _invalid(request, campaign: Campaign, **bound):
    context = _detail_context(request, campaign, **bound)
    return render(request, "screening/campaign_detail.html", context, status=400)


def _to_detail(campaign: Campaign, anchor: str):
    return redirect(reverse("screening:campaign-detail", args=[campaign.pk]) + anchor)


@login_required
@require_POST
def round_add(request, pk):
    campaign = _visible_campaign(request, pk)
    if not _may_change(request.user, campaign):
        raise PermissionDenied
    form = RoundForm(request.POST, prefix="round")
    if form.is_valid():
        try:
            created = services.add_round(
                actor=request.user,
                campaign=campaign,
                starts_at=form.cleaned_data["starts_at"],
                deadline=form.cleaned_data["deadline"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已添加%(round)s。") % {"round": created})
            return _to_detail(campaign, "#rounds")
    return _invalid(request, campaign, round_form=form)


@login_required
@require_POST
def site_add(request, pk):
    campaign = _visible_campaign(request, pk)
    if not can(request.user, CAMPAIGN, CHANGE):
        raise PermissionDenied
    form = SiteForm(request.POST, user=request.user, campaign=campaign)
    if form.is_valid():
        data = form.cleaned_data
        try:
            site = services.create_site(
                actor=request.user,
                campaign=campaign,
                region=data["region"],
                name=data["name"],
                capacity_per_hour=data["capacity_per_hour"],
                opening_hours=data["opening_hours"],
                samplers=data["samplers"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已添加采样点 %(name)s。") % {"name": site.name})
            return _to_detail(campaign, "#sites")
    return _invalid(request, campaign, site_form=form)


@login_required
@require_POST
def site_assign(request, pk):
    site = get_object_or_404(
        SamplingSite.objects.restrict(request.user, VIEW).select_related("campaign"), pk=pk
    )
    if not can(request.user, CAMPAIGN, CHANGE, site.region_path):
        raise PermissionDenied
    campaign = _visible_campaign(request, site.campaign_id)
    form = AssignSamplersForm(
        request.POST,
        site=site,
        candidates=samplers_for_sites([site])[site.pk],
        assigned=site.samplers.all(),
    )
    if form.is_valid():
        try:
            services.assign_samplers(
                actor=request.user, site=site, samplers=form.cleaned_data["samplers"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已为 %(name)s 增派采样人员。") % {"name": site.name})
            return _to_detail(campaign, f"#site-{site.pk}")
    return _invalid(request, campaign, assign_form=form)


@login_required
@require_POST
def exemption_add(request, pk):
    campaign = _visible_campaign(request, pk)
    if not can(request.user, CAMPAIGN, CHANGE):
        raise PermissionDenied
    form = ExemptionForm(
        request.POST, user=request.user, campaign=campaign, rounds=list(campaign.rounds.all())
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.exempt_person(
                actor=request.user,
                campaign=campaign,
                person=data["person"],
                reason=data["reason"],
                round=data["round"],
            )
        except PermissionDenied:
            form.add_error("person", _("您无权为该居民登记免检。"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("已登记 %(name)s 免检。") % {"name": data["person"].masked_name}
            )
            return _to_detail(campaign, "#exemptions")
    return _invalid(request, campaign, exemption_form=form)


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


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _my_site(request, raw) -> SamplingSite | None:
    sites = {str(site.pk): site for site in sampling.sites_of(request.user)}
    return sites.get(str(raw or ""))


@login_required
def sampling_screen(request):
    user = request.user
    if not can(user, SAMPLE, ADD):
        raise PermissionDenied
    sites = sampling.sites_of(user)
    by_id = {str(site.pk): site for site in sites}
    site = by_id.get(request.GET.get("site", ""))
    # Sites of finished campaigns stay assigned; the one site sampling now is the choice.
    running = [choice for choice in sites if choice.running_round is not None]
    if site is None and "site" not in request.GET:
        if len(sites) == 1:
            site = sites[0]
        elif len(running) == 1:
            site = running[0]
    round = site.running_round if site is not None else None
    tube = None
    found = []
    query = ""
    if site is not None and round is not None:
        barcode = request.GET.get("tube", "").strip()
        if barcode and services.BARCODE.fullmatch(barcode):
            tube = sampling.tubes_with_members(user).filter(barcode=barcode, site=site).first()
        else:
            tube = sampling.open_tube_of(user, site, round)
        query = request.GET.get("q", "").strip()
        if query:
            try:
                found = sampling.search_persons(actor=user, site=site, query=query)
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
    context = {
        "sites": sites,
        "site": site,
        "round": round,
        "campaign": site.campaign if site is not None else None,
        "tube": tube,
        "members": list(tube.samples.all()) if tube is not None else [],
        "found": found,
        "query": query,
        "confirm_close": tube is not None and request.GET.get("close") == "1",
        "open_form": OpenTubeForm(campaign=site.campaign if site is not None else None),
        "add_form": AddPersonForm(initial={"text": query}),
        "api": {
            "tubes": reverse("api:open_tube"),
            "persons": reverse("api:search_persons"),
        },
    }
    return render(request, "screening/sampling.html", context)


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
        tube = sampling.start_tube(
            actor=request.user,
            barcode=form.cleaned_data["barcode"],
            site=site,
            pool_size=form.cleaned_data["pool_size"],
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(_sampling_url(site))
    return redirect(_sampling_url(site, tube.barcode))


def _posted_tube(request, site: SamplingSite):
    barcode = request.POST.get("tube", "").strip()
    if not services.BARCODE.fullmatch(barcode):
        return None
    return sampling.tubes_with_members(request.user).filter(barcode=barcode, site=site).first()


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
    try:
        if chosen is not None:
            person = sampling.resident_by_id(request.user, site.campaign, chosen)
            sample = services.add_to_tube(actor=request.user, tube=tube, person=person)
        else:
            sample = services.add_to_tube(actor=request.user, tube=tube, code=text)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
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
        services.close_tube(actor=request.user, tube=tube)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(_sampling_url(site, tube.barcode))
    messages.success(request, _("试管 %(barcode)s 已封管。") % {"barcode": tube.barcode})
    return redirect(_sampling_url(site))


urlpatterns: list = [
    path("", campaign_list, name="campaign-list"),
    path("new/", campaign_create, name="campaign-create"),
    path("<uuid:pk>/", campaign_detail, name="campaign-detail"),
    path("<uuid:pk>/rounds/", round_add, name="round-add"),
    path("<uuid:pk>/sites/", site_add, name="site-add"),
    path("<uuid:pk>/exemptions/", exemption_add, name="exemption-add"),
    path("sites/<uuid:pk>/samplers/", site_assign, name="site-assign"),
    path("sampling/", sampling_screen, name="sampling"),
    path("sampling/open/", sampling_open, name="sampling-open"),
    path("sampling/add/", sampling_add, name="sampling-add"),
    path("sampling/close/", sampling_close, name="sampling-close"),
]

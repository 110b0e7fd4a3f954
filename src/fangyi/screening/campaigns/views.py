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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.forms import add_service_errors
from fangyi.core.pagination import InvalidCursor, keyset_page
from fangyi.core.permissions import ADD, CHANGE, VIEW, can, require
from fangyi.core.views import cursor_page
from fangyi.regions.filters import in_region_filter
from fangyi.screening.area import CAMPAIGN, SAMPLE
from fangyi.screening.campaigns import figures
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.campaigns.forms import (
    AssignSamplersForm,
    CampaignFilterForm,
    CampaignForm,
    ExemptionForm,
    RoundForm,
    SiteForm,
    campaign_regions_in_reach,
    samplers_for_sites,
    site_regions_in_reach,
)
from fangyi.screening.common import error_text
from fangyi.screening.models import Campaign, CampaignRegion, Exemption, Round, SamplingSite
from fangyi.screening.sampling import screen

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
    require(user, CAMPAIGN, VIEW)
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
    require(user, CAMPAIGN, ADD)
    form = CampaignForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_services.create_campaign(
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
        site.sampler_labels = [u.choice_label() for u in assigned]
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
        "round_cards": figures.round_cards(user, rounds),
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
            context["found"] = screen.residents_matching(user, campaign, query)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
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
            created = campaign_services.add_round(
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
    require(request.user, CAMPAIGN, CHANGE)
    form = SiteForm(request.POST, user=request.user, campaign=campaign)
    if form.is_valid():
        data = form.cleaned_data
        try:
            site = campaign_services.create_site(
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
    require(request.user, CAMPAIGN, CHANGE, site.region_path)
    campaign = _visible_campaign(request, site.campaign_id)
    form = AssignSamplersForm(
        request.POST,
        site=site,
        candidates=samplers_for_sites([site])[site.pk],
        assigned=site.samplers.all(),
    )
    if form.is_valid():
        try:
            campaign_services.assign_samplers(
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
    require(request.user, CAMPAIGN, CHANGE)
    form = ExemptionForm(
        request.POST, user=request.user, campaign=campaign, rounds=list(campaign.rounds.all())
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            campaign_services.exempt_person(
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


urlpatterns: list = [
    path("", campaign_list, name="campaign-list"),
    path("new/", campaign_create, name="campaign-create"),
    path("<uuid:pk>/", campaign_detail, name="campaign-detail"),
    path("<uuid:pk>/rounds/", round_add, name="round-add"),
    path("<uuid:pk>/sites/", site_add, name="site-add"),
    path("<uuid:pk>/exemptions/", exemption_add, name="exemption-add"),
    path("sites/<uuid:pk>/samplers/", site_assign, name="site-assign"),
]

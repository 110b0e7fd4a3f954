"""Mass screening: campaigns, their rounds and sites, samples from sampling devices, tubes, and
pool-size advice.

A caller sees the campaigns whose regions overlap theirs. As elsewhere, a region, site or
person named in a body that the caller cannot see is an error in that field (422); an object in
the URL that the caller cannot see is 404. Devices upload samples in batches of up to 10,000
tubes; an error names the item (`samples.3.persons.2`), and the whole batch is refused.
"""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from fangyi.accounts.models import User
from fangyi.core.api import get_by_id, page_of
from fangyi.core.masking import mask_name
from fangyi.core.permissions import VIEW
from fangyi.core.schemas import ERROR_RESPONSES, Input, Moment, PageParams, Text
from fangyi.regions.models import Region
from fangyi.screening.campaigns import pooling
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import (
    MAX_POOL_SIZE,
    STANDARD_POOL_SIZES,
    Campaign,
    CampaignRegion,
    Exemption,
    Round,
    SamplingSite,
)
from fangyi.screening.sampling import screen

router = Router(tags=["screening"])
MAX_REGIONS = 200
MAX_SAMPLERS = 200
PoolSize = Literal[*STANDARD_POOL_SIZES]  # type: ignore[valid-type]  # a Literal of the choices, built at run time


def _campaigns(user, action: str = VIEW):
    return Campaign.objects.restrict(user, action).prefetch_related(
        Prefetch("areas", queryset=CampaignRegion.objects.select_related("region")),
        Prefetch("rounds", queryset=Round.objects.order_by("number")),
    )


def _region(user, code: str, field: str) -> Region:
    region = Region.objects.restrict(user, VIEW).filter(code=code).first()
    if region is None:
        raise ValidationError({field: _("没有这个区域，或其不在您的辖区内。")})
    return region


# Campaigns and rounds


class RegionRef(Schema):
    code: str
    name: str


class RoundRead(Schema):
    id: uuid.UUID
    number: int
    starts_at: datetime.datetime
    deadline: datetime.datetime


class CampaignRead(Schema):
    id: uuid.UUID
    name: str
    regions: list[RegionRef]
    pool_sizes: list[int]
    default_pool_size: int
    rounds: list[RoundRead]
    created_at: datetime.datetime

    @staticmethod
    def resolve_regions(campaign: Campaign) -> list[dict]:
        return [
            {"code": area.region.code, "name": area.region.name}
            for area in sorted(campaign.areas.all(), key=lambda area: area.path)
        ]

    @staticmethod
    def resolve_rounds(campaign: Campaign) -> list[Round]:
        return list(campaign.rounds.all())


class CampaignPage(Schema):
    items: list[CampaignRead]
    next_cursor: str | None


class CampaignCreate(Input):
    name: Text = Field(max_length=100)
    regions: list[Text] = Field(
        min_length=1, max_length=MAX_REGIONS, description="codes of the regions covered"
    )
    default_pool_size: PoolSize = 10
    pool_sizes: list[int] | None = Field(
        None,
        max_length=20,
        description=f"allowed pool sizes, 1 to {MAX_POOL_SIZE}; default 1, 5, 10 and 20",
    )


class RoundCreate(Input):
    starts_at: Moment
    deadline: Moment


@router.get("/campaigns", response={200: CampaignPage, **ERROR_RESPONSES})
def list_campaigns(request, params: Query[PageParams]):
    """Campaigns over the caller's regions, newest first."""
    items, next_cursor = page_of(
        _campaigns(request.auth), ordering=("-created_at", "-id"), page=params
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post("/campaigns", response={201: CampaignRead, **ERROR_RESPONSES})
def create_campaign(request, payload: CampaignCreate):
    regions = [
        _region(request.auth, code, f"regions.{index}")
        for index, code in enumerate(payload.regions)
    ]
    campaign = campaign_services.create_campaign(
        actor=request.auth,
        name=payload.name,
        regions=regions,
        default_pool_size=payload.default_pool_size,
        pool_sizes=payload.pool_sizes,
    )
    return Status(201, _campaigns(request.auth).get(pk=campaign.pk))


@router.get("/campaigns/{campaign_id}", response={200: CampaignRead, **ERROR_RESPONSES})
def get_campaign(request, campaign_id: str):
    return get_by_id(_campaigns(request.auth), campaign_id)


@router.post("/campaigns/{campaign_id}/rounds", response={201: RoundRead, **ERROR_RESPONSES})
def add_round(request, campaign_id: str, payload: RoundCreate):
    """The next round. Rounds of a campaign may not overlap."""
    campaign = get_by_id(_campaigns(request.auth), campaign_id)
    created = campaign_services.add_round(
        actor=request.auth,
        campaign=campaign,
        starts_at=payload.starts_at,
        deadline=payload.deadline,
    )
    return Status(201, created)


# Sampling sites


class SiteRead(Schema):
    id: uuid.UUID
    campaign: uuid.UUID
    region: str = Field(description="the region's code")
    region_name: str
    name: str
    opening_hours: str
    capacity_per_hour: int
    samplers: list[str] = Field(description="usernames")

    @staticmethod
    def resolve_campaign(site: SamplingSite) -> uuid.UUID:
        return site.campaign_id

    @staticmethod
    def resolve_region(site: SamplingSite) -> str:
        return site.region.code

    @staticmethod
    def resolve_region_name(site: SamplingSite) -> str:
        return site.region.name

    @staticmethod
    def resolve_samplers(site: SamplingSite) -> list[str]:
        return sorted(user.get_username() for user in site.samplers.all())


class SiteCreate(Input):
    region: Text = Field(max_length=18, description="the region's code")
    name: Text = Field(max_length=100)
    opening_hours: Text = Field("", max_length=200, description="free text, e.g. 07:00–22:00")
    capacity_per_hour: int = Field(ge=1, le=campaign_services.MAX_CAPACITY_PER_HOUR)
    samplers: list[Text] = Field(
        default_factory=list, max_length=MAX_SAMPLERS, description="usernames of sampler staff"
    )


def _sites(user):
    return (
        SamplingSite.objects.restrict(user, VIEW)
        .select_related("region")
        .prefetch_related("samplers")
    )


@router.get("/campaigns/{campaign_id}/sites", response={200: list[SiteRead], **ERROR_RESPONSES})
def list_sites(request, campaign_id: str):
    """The campaign's sampling sites in the caller's regions, by region then name."""
    campaign = get_by_id(_campaigns(request.auth), campaign_id)
    return list(_sites(request.auth).filter(campaign=campaign).order_by("region_path", "name"))


@router.post("/campaigns/{campaign_id}/sites", response={201: SiteRead, **ERROR_RESPONSES})
def create_site(request, campaign_id: str, payload: SiteCreate):
    campaign = get_by_id(_campaigns(request.auth), campaign_id)
    region = _region(request.auth, payload.region, "region")
    names = set(payload.samplers)
    samplers = list(User.objects.filter(username__in=names, is_active=True))
    unknown = names - {user.get_username() for user in samplers}
    if unknown:
        # The same words as for staff who exist but cannot sample there: says nothing of who
        # exists elsewhere.
        raise ValidationError(
            {
                "samplers": _("%(names)s 不是该区域的采样人员。")
                % {"names": "、".join(sorted(unknown))}
            }
        )
    site = campaign_services.create_site(
        actor=request.auth,
        campaign=campaign,
        region=region,
        name=payload.name,
        capacity_per_hour=payload.capacity_per_hour,
        opening_hours=payload.opening_hours,
        samplers=samplers,
    )
    return Status(201, _sites(request.auth).get(pk=site.pk))


# Exemptions


class ExemptionRead(Schema):
    id: uuid.UUID
    person: uuid.UUID
    name: str = Field(description="masked")
    round: int | None = Field(description="the round's number; null for every round")
    reason: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_person(exemption: Exemption) -> uuid.UUID:
        return exemption.person_id

    @staticmethod
    def resolve_name(exemption: Exemption) -> str:
        return mask_name(exemption.person.name)

    @staticmethod
    def resolve_round(exemption: Exemption) -> int | None:
        return exemption.round.number if exemption.round is not None else None


class ExemptionPage(Schema):
    items: list[ExemptionRead]
    next_cursor: str | None


class ExemptionCreate(Input):
    person: uuid.UUID
    reason: Text = Field(max_length=200, description="e.g. in hospital")
    round: uuid.UUID | None = Field(None, description="the round's id; omitted: every round")


def _exemptions(user):
    return Exemption.objects.restrict(user, VIEW).select_related("person", "round")


@router.get("/campaigns/{campaign_id}/exemptions", response={200: ExemptionPage, **ERROR_RESPONSES})
def list_exemptions(request, campaign_id: str, params: Query[PageParams]):
    """The campaign's exemptions of people in the caller's regions, newest first."""
    campaign = get_by_id(_campaigns(request.auth), campaign_id)
    items, next_cursor = page_of(
        _exemptions(request.auth).filter(campaign=campaign),
        ordering=("-created_at", "-id"),
        page=params,
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/campaigns/{campaign_id}/exemptions", response={201: ExemptionRead, **ERROR_RESPONSES}
)
def add_exemption(request, campaign_id: str, payload: ExemptionCreate):
    """Takes a person off the expected list of one round, or of every round."""
    user = request.auth
    campaign = get_by_id(_campaigns(user), campaign_id)
    person = screen.resident_by_id(user, campaign, payload.person)
    round = None
    if payload.round is not None:
        round = Round.objects.filter(campaign=campaign, pk=payload.round).first()
        if round is None:
            raise ValidationError({"round": _("该轮次不属于此筛查任务。")})
    exemption = campaign_services.exempt_person(
        actor=user, campaign=campaign, person=person, reason=payload.reason, round=round
    )
    return Status(201, _exemptions(user).get(pk=exemption.pk))


# Pool-size advice


class AdviceParams(Schema):
    prevalence: float = Field(
        ge=0, le=1, allow_inf_nan=False, description="share of positives, 0 to 1"
    )
    sizes: str | None = Field(
        None,
        max_length=200,
        description="allowed pool sizes, comma-separated; default 1,5,10,20",
    )

    @field_validator("sizes")
    @classmethod
    def _sizes(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            sizes = [int(part) for part in value.split(",")]
        except ValueError:
            sizes = []
        if not sizes or not all(1 <= size <= MAX_POOL_SIZE for size in sizes):
            raise PydanticCustomError(
                "pool_sizes",
                _("应为逗号分隔的 1 到 %(max)d 之间的整数。") % {"max": MAX_POOL_SIZE},
            )
        return value


class AdviceRead(Schema):
    optimal_pool_size: int = Field(description="k in 1..100 with the fewest expected tests")
    expected_tests_per_person: float
    best_allowed_size: int
    best_allowed_expected_tests_per_person: float


@router.get("/pool-advice", response={200: AdviceRead, **ERROR_RESPONSES})
def pool_advice(request, params: Query[AdviceParams]):
    """Dorfman's expected tests per person, 1/k + 1 − (1 − P)^k, minimised over k, and over the
    allowed sizes. P = 0 advises the largest size; from P ≈ 0.307 up pooling does not pay (1)."""
    sizes = [int(part) for part in params.sizes.split(",")] if params.sizes else STANDARD_POOL_SIZES
    optimal = pooling.optimal_pool_size(params.prevalence)
    best, best_tests = pooling.best_allowed(params.prevalence, sizes)
    return {
        "optimal_pool_size": optimal,
        "expected_tests_per_person": pooling.dorfman(params.prevalence, optimal),
        "best_allowed_size": best,
        "best_allowed_expected_tests_per_person": best_tests,
    }

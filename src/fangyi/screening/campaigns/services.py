"""Campaigns, rounds, sites, exemptions, tubes and samples: the only place that writes them.

Keyword-only functions that check permission, validate, write and audit, as elsewhere.
Samplers fill tubes one scan at a time (`open_tube`, `add_to_tube`, `close_tube`); sampling
devices upload whole tubes in batches (`record_samples`), which is written for a city's peak:
a fixed number of queries per batch, whatever its size.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.models import ObjectChange
from fangyi.core.paths import under
from fangyi.core.permissions import ADD, CHANGE, can, minimal_paths, require
from fangyi.core.sql import among
from fangyi.people.models import Person, ResidenceStatus
from fangyi.regions.models import Region, ancestor_paths
from fangyi.screening.area import CAMPAIGN, SAMPLE
from fangyi.screening.common import area_paths, chunks, covers
from fangyi.screening.models import (
    MAX_POOL_SIZE,
    STANDARD_POOL_SIZES,
    Campaign,
    CampaignRegion,
    Exemption,
    Round,
    Sample,
    SamplingSite,
    SiteAssignment,
)

MAX_CAPACITY_PER_HOUR = 100_000

CAMPAIGN_FIELDS = ["name", "pool_sizes", "default_pool_size"]
SITE_FIELDS = ["campaign", "region", "name", "opening_hours", "capacity_per_hour"]


def _common_path(paths: list[str]) -> str:
    common = set(ancestor_paths(paths[0]))
    for path in paths[1:]:
        common &= set(ancestor_paths(path))
    return max(common, key=len, default="")


# Campaigns, rounds, sites, exemptions


def _clean_pool_sizes(pool_sizes, default_pool_size, errors: dict) -> list[int]:
    sizes = list(pool_sizes) if pool_sizes is not None else list(STANDARD_POOL_SIZES)
    if not sizes or not all(
        isinstance(size, int) and not isinstance(size, bool) and 1 <= size <= MAX_POOL_SIZE
        for size in sizes
    ):
        errors["pool_sizes"] = [
            _("允许的混采人数应为 1 到 %(max)d 之间的整数，至少一个。") % {"max": MAX_POOL_SIZE}
        ]
        return []
    sizes = sorted(set(sizes))
    if default_pool_size not in STANDARD_POOL_SIZES:
        errors["default_pool_size"] = [_("默认混采人数应为 1、5、10 或 20。")]
    elif default_pool_size not in sizes:
        errors["default_pool_size"] = [_("默认混采人数须在允许的混采人数之中。")]
    return sizes


def create_campaign(
    *,
    actor,
    name: str,
    regions: list[Region],
    default_pool_size: int = 10,
    pool_sizes: list[int] | None = None,
) -> Campaign:
    """A campaign over the given regions; a region inside another given one is dropped."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写筛查任务名称。")]
    elif len(name) > 100:
        errors["name"] = [_("名称最多 100 个字符。")]
    if not regions:
        errors["regions"] = [_("请至少选择一个区域。")]
    sizes = _clean_pool_sizes(pool_sizes, default_pool_size, errors)
    if errors:
        raise ValidationError(errors)
    for region in regions:
        require(actor, CAMPAIGN, ADD, region.path)
    kept = minimal_paths(region.path for region in regions)
    covered = sorted(
        {region.path: region for region in regions if region.path in kept}.values(),
        key=lambda r: r.path,
    )
    campaign = Campaign(
        name=name,
        region_path=_common_path(kept),
        pool_sizes=sizes,
        default_pool_size=default_pool_size,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    with transaction.atomic():
        campaign.save(force_insert=True)
        CampaignRegion.objects.bulk_create(
            [
                CampaignRegion(campaign=campaign, region=region, path=region.path)
                for region in covered
            ]
        )
        audit.record_change(
            actor=actor,
            action=ObjectChange.CREATE,
            obj=campaign,
            before=None,
            after=audit.snapshot(campaign, CAMPAIGN_FIELDS)
            | {"regions": [region.code for region in covered]},
            region_path=campaign.region_path,
        )
    return campaign


def _require_change(actor, campaign: Campaign) -> None:
    for path in area_paths(campaign):
        require(actor, CAMPAIGN, CHANGE, path)


def add_round(
    *, actor, campaign: Campaign, starts_at: datetime.datetime, deadline: datetime.datetime
) -> Round:
    """The next round; rounds of a campaign never overlap, so a swab's time names its round."""
    _require_change(actor, campaign)
    errors: dict[str, list[str]] = {}
    for name, moment in (("starts_at", starts_at), ("deadline", deadline)):
        if timezone.is_naive(moment):
            errors[name] = [_("时间必须带时区。")]
    if not errors and deadline <= starts_at:
        errors["deadline"] = [_("截止时间须晚于开始时间。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Two officers adding rounds at once would each miss the other's: one waits.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        rounds = Round.objects.filter(campaign=campaign)
        clash = rounds.filter(starts_at__lt=deadline, deadline__gt=starts_at).first()
        if clash is not None:
            raise ValidationError(
                {
                    "starts_at": [
                        _("与%(round)s（%(start)s 至 %(end)s）时间重叠。")
                        % {
                            "round": clash,
                            "start": timezone.localtime(clash.starts_at).strftime("%Y-%m-%d %H:%M"),
                            "end": timezone.localtime(clash.deadline).strftime("%Y-%m-%d %H:%M"),
                        }
                    ]
                }
            )
        number = (rounds.aggregate(last=Max("number"))["last"] or 0) + 1
        created = Round.objects.create(
            campaign=campaign, number=number, starts_at=starts_at, deadline=deadline
        )
        audit.record_change(
            actor=actor,
            action=ObjectChange.CREATE,
            obj=created,
            before=None,
            after=audit.snapshot(created, ["campaign", "number", "starts_at", "deadline"]),
            region_path=campaign.region_path,
        )
    return created


def _check_samplers(users, region_path: str) -> None:
    refused = [user.get_username() for user in users if not can(user, SAMPLE, ADD, region_path)]
    if refused:
        raise ValidationError(
            {"samplers": [_("%(names)s 不是该区域的采样人员。") % {"names": "、".join(refused)}]}
        )


def create_site(
    *,
    actor,
    campaign: Campaign,
    region: Region,
    name: str,
    capacity_per_hour: int,
    opening_hours: str = "",
    samplers: Iterable = (),
) -> SamplingSite:
    require(actor, CAMPAIGN, CHANGE, region.path)
    samplers = list(samplers)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写采样点名称。")]
    elif len(name) > 100:
        errors["name"] = [_("名称最多 100 个字符。")]
    opening_hours = (opening_hours or "").strip()
    if len(opening_hours) > 200:
        errors["opening_hours"] = [_("开放时间最多 200 个字符。")]
    if (
        not isinstance(capacity_per_hour, int)
        or isinstance(capacity_per_hour, bool)
        or not 1 <= capacity_per_hour <= MAX_CAPACITY_PER_HOUR
    ):
        errors["capacity_per_hour"] = [
            _("每小时采样能力应为 1 到 %(max)d 之间的整数。") % {"max": MAX_CAPACITY_PER_HOUR}
        ]
    if not covers(area_paths(campaign), region.path):
        errors["region"] = [_("采样点须在本次筛查的区域内。")]
    if errors:
        raise ValidationError(errors)
    _check_samplers(samplers, region.path)
    site = SamplingSite(
        campaign=campaign,
        region=region,
        region_path=region.path,
        name=name,
        opening_hours=opening_hours,
        capacity_per_hour=capacity_per_hour,
    )
    with transaction.atomic():
        site.save(force_insert=True)
        audit.record_change(
            actor=actor,
            action=ObjectChange.CREATE,
            obj=site,
            before=None,
            after=audit.snapshot(site, SITE_FIELDS)
            | {"samplers": [user.get_username() for user in samplers]},
            region_path=site.region_path,
        )
        _assign(actor, site, samplers)
    return site


def _assign(actor, site: SamplingSite, users: list) -> list:
    known = set(site.assignments.values_list("user_id", flat=True))
    fresh = list({user.pk: user for user in users if user.pk not in known}.values())
    SiteAssignment.objects.bulk_create(
        [SiteAssignment(site=site, user=user, assigned_by=actor) for user in fresh]
    )
    return fresh


def assign_samplers(*, actor, site: SamplingSite, samplers: Iterable) -> SamplingSite:
    """Adds samplers to a site; those already there stay as they are."""
    require(actor, CAMPAIGN, CHANGE, site.region_path)
    samplers = list(samplers)
    _check_samplers(samplers, site.region_path)
    with transaction.atomic():
        fresh = _assign(actor, site, samplers)
        if fresh:
            audit.record_change(
                actor=actor,
                action=ObjectChange.UPDATE,
                obj=site,
                before=None,
                after={"samplers_added": [user.get_username() for user in fresh]},
                region_path=site.region_path,
            )
    return site


def exempt_person(
    *, actor, campaign: Campaign, person: Person, reason: str, round: Round | None = None
) -> Exemption:
    """Takes a person off the expected list of one round, or of every round when none given."""
    require(actor, CAMPAIGN, CHANGE, person.region_path)
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请写明免检原因（如住院）。")]
    elif len(reason) > 200:
        errors["reason"] = [_("免检原因最多 200 个字符。")]
    if round is not None and round.campaign_id != campaign.pk:
        errors["round"] = [_("该轮次不属于此筛查任务。")]
    if not covers(area_paths(campaign), person.region_path):
        errors["person"] = [_("该居民不在本次筛查的区域内。")]
    elif (
        Exemption.objects.filter(campaign=campaign, person=person)
        .filter(Q(round__isnull=True) | Q(round=round))
        .exists()
    ):
        errors["person"] = [_("该居民已经免检。")]
    if errors:
        raise ValidationError(errors)
    exemption = Exemption(
        campaign=campaign,
        round=round,
        person=person,
        region_path=person.region_path,
        reason=reason,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    with transaction.atomic():
        exemption.save(force_insert=True)
        audit.record_created(
            actor=actor, obj=exemption, fields=["campaign", "round", "person", "reason"]
        )
    return exemption


# Who is expected, and how they are pooled


def expected_persons(round: Round):
    """Residents present in the campaign's regions who are not exempted from this round.

    A queryset of persons, unrestricted: callers narrow it with `.restrict(user)`.
    """
    condition = Q(pk__in=[])
    for path in area_paths(round.campaign):
        condition |= under("region_path", path)
    exempted = Exemption.objects.filter(campaign_id=round.campaign_id).filter(
        Q(round__isnull=True) | Q(round=round)
    )
    return (
        Person.objects.filter(condition)
        .exclude(residence_status=ResidenceStatus.AWAY)
        .exclude(pk__in=exempted.values("person_id"))
    )


def residents_moved_receiver(*, person_ids, **kwargs) -> None:
    """A sample carries its person's region path (coverage counts it there, grid staff see
    it there): a resident who moves takes their samples along, in the same transaction."""
    for chunk in chunks(person_ids):
        Sample.objects.filter(among("person_id", chunk)).update(
            region_path=Subquery(
                Person.objects.filter(pk=OuterRef("person_id")).values("region_path")[:1]
            )
        )

"""Campaigns, rounds, sites, exemptions, tubes and samples: the only place that writes them.

Keyword-only functions that check permission, validate, write and audit, as elsewhere.
Samplers fill tubes one scan at a time (`open_tube`, `add_to_tube`, `close_tube`); sampling
devices upload whole tubes in batches (`record_samples`), which is written for a city's peak:
a fixed number of queries per batch, whatever its size.
"""

import datetime
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Exists, Max, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.codes import services as codes
from fangyi.codes.format import CARD, DISPLAY, Result
from fangyi.codes.models import CodeSubject
from fangyi.core import audit
from fangyi.core.bulk import JSONText, TableWriter, time_ordered_ids
from fangyi.core.models import ObjectChange
from fangyi.core.paths import under
from fangyi.core.permissions import ADD, CHANGE, can, minimal_paths, require
from fangyi.core.sql import among
from fangyi.health.models import Fact, FactKind, TubeKind, Zone, ZoneRegion
from fangyi.people.models import Person, ResidenceStatus
from fangyi.regions.models import Region, ancestor_paths

from .area import CAMPAIGN, SAMPLE
from .models import (
    MAX_POOL_SIZE,
    STANDARD_POOL_SIZES,
    Campaign,
    CampaignRegion,
    Exemption,
    Round,
    Sample,
    SamplingSite,
    SiteAssignment,
    Tube,
    TubeState,
)

# Printed tube labels: letters, digits and dashes. Anything else is a misread scan.
BARCODE = re.compile(r"[A-Za-z0-9-]{4,32}")
# Sampling devices' clocks drift; a swab a few minutes "in the future" is not an error.
CLOCK_SKEW = datetime.timedelta(minutes=10)
MAX_CAPACITY_PER_HOUR = 100_000
# Zone kinds whose residents may not leave home (the presets' 封控区 and 高风险区): sampled at
# the door, one tube per household.
HOUSEHOLD_POOLED_ZONE_KINDS = frozenset({"sealed", "high"})
# Ids per IN (…) list: PostgreSQL takes at most 65,535 parameters in one statement.
CHUNK = 10_000

CAMPAIGN_FIELDS = ["name", "pool_sizes", "default_pool_size"]
SITE_FIELDS = ["campaign", "region", "name", "opening_hours", "capacity_per_hour"]
TUBE_FIELDS = ["barcode", "round", "site", "pool_size", "kind", "state"]

CODE_REFUSALS = {
    Result.EXPIRED: gettext_lazy("健康码已过期，请让居民刷新后再扫。"),
    Result.NOT_YET_VALID: gettext_lazy("健康码尚未生效，请核对手机时间。"),
    Result.BAD_SIGNATURE: gettext_lazy("健康码签名无效，可能是伪造的。"),
    Result.UNKNOWN_KEY: gettext_lazy("健康码不是本系统签发的。"),
    Result.REVOKED: gettext_lazy("该健康码已被撤销。"),
    Result.MALFORMED: gettext_lazy("无法识别该码，请重新扫描。"),
}


def chunks(values: Iterable, size: int = CHUNK) -> Iterable[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _common_path(paths: list[str]) -> str:
    common = set(ancestor_paths(paths[0]))
    for path in paths[1:]:
        common &= set(ancestor_paths(path))
    return max(common, key=len, default="")


def _covers(area_paths: Iterable[str], path: str) -> bool:
    return any(path.startswith(area) for area in area_paths)


def area_paths(campaign: Campaign) -> list[str]:
    return list(campaign.areas.values_list("path", flat=True))


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
    if not _covers(area_paths(campaign), region.path):
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
    if not _covers(area_paths(campaign), person.region_path):
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


def _live(facts):
    """Facts that no retraction points at."""
    return facts.exclude(Exists(Fact.objects.filter(retracts=OuterRef("pk"))))


def in_quarantine(person_ids: Iterable, *, now: datetime.datetime | None = None) -> set:
    """Those of the persons with a `quarantine_start` and no later `quarantine_end` of the
    same setting (or of none, which ends every setting), as the rules engine reads them."""
    now = now or timezone.now()
    ended = _live(
        Fact.objects.filter(
            person_id=OuterRef("person_id"),
            kind=FactKind.QUARANTINE_END,
            occurred_at__gt=OuterRef("occurred_at"),
            occurred_at__lte=now,
        ).filter(Q(variant="") | Q(variant=OuterRef("variant")))
    )
    found: set = set()
    for chunk in chunks(person_ids):
        started = _live(
            Fact.objects.filter(
                person_id__in=chunk, kind=FactKind.QUARANTINE_START, occurred_at__lte=now
            )
        )
        found.update(started.exclude(Exists(ended)).values_list("person_id", flat=True))
    return found


def _in_household_zone(person: Person) -> bool:
    kinds = ZoneRegion.objects.filter(
        path__in=ancestor_paths(person.region_path),
        zone__in=Zone.objects.active(),
        zone__kind__in=HOUSEHOLD_POOLED_ZONE_KINDS,
    )
    return kinds.exists()


def pool_size_for(round: Round, person: Person, *, now: datetime.datetime | None = None) -> int:
    """How many people the person's tube should hold in this round:

    1. in quarantine (see `in_quarantine`): 1, a single tube;
    2. living in an active sealed or high-risk zone: their household, sampled at the door into
       one tube — the household's members present, at most the campaign's largest pool size;
    3. otherwise the campaign's default pool size.
    """
    campaign = round.campaign
    if person.pk in in_quarantine([person.pk], now=now):
        return 1
    if _in_household_zone(person):
        present = (
            Person.objects.filter(household_id=person.household_id)
            .exclude(residence_status=ResidenceStatus.AWAY)
            .count()
        )
        return max(1, min(present, campaign.largest_pool_size))
    return campaign.default_pool_size


# Tubes, one scan at a time


def _sampler_refusal(actor, site: SamplingSite, assigned: bool) -> str | None:
    if not can(actor, SAMPLE, ADD, site.region_path):
        return _("您没有在该采样点采样的权限。")
    if not (assigned or getattr(actor, "is_superuser", False)):
        return _("您不是该采样点的采样人员。")
    return None


def require_sampler(actor, site: SamplingSite) -> None:
    assigned = SiteAssignment.objects.filter(site=site, user_id=getattr(actor, "pk", None))
    refusal = _sampler_refusal(actor, site, assigned.exists())
    if refusal:
        raise PermissionDenied(refusal)


def _window_refusal(round: Round, moment: datetime.datetime) -> str | None:
    if moment < round.starts_at:
        return _("%(round)s尚未开始。") % {"round": round}
    if moment > round.deadline:
        return _("%(round)s已截止。") % {"round": round}
    return None


def clean_barcode(raw) -> str:
    """The barcode without surrounding spaces, or "" when it is not one."""
    barcode = raw.strip() if isinstance(raw, str) else ""
    return barcode if BARCODE.fullmatch(barcode) else ""


def bad_barcode() -> str:
    return _("条码应为 4 到 32 位字母、数字或短横线。")


def _clean_barcode(raw) -> str:
    barcode = clean_barcode(raw)
    if not barcode:
        raise ValidationError({"barcode": [bad_barcode()]})
    return barcode


def open_tube(
    *,
    actor,
    barcode: str,
    site: SamplingSite,
    round: Round,
    pool_size: int,
    now: datetime.datetime | None = None,
) -> Tube:
    require_sampler(actor, site)
    now = now or timezone.now()
    barcode = _clean_barcode(barcode)
    errors: dict[str, list[str]] = {}
    campaign = site.campaign
    if round.campaign_id != campaign.pk:
        errors["round"] = [_("该轮次不属于此采样点的筛查任务。")]
    elif refusal := _window_refusal(round, now):
        errors["round"] = [refusal]
    if pool_size not in campaign.pool_sizes:
        errors["pool_size"] = [
            _("混采人数应为以下之一：%(sizes)s。")
            % {"sizes": "、".join(str(size) for size in campaign.pool_sizes)}
        ]
    if Tube.objects.filter(barcode=barcode).exists():
        errors["barcode"] = [_("条码 %(barcode)s 已被使用，请换一支试管。") % {"barcode": barcode}]
    if errors:
        raise ValidationError(errors)
    tube = Tube(
        barcode=barcode,
        round=round,
        site=site,
        pool_size=pool_size,
        kind=TubeKind.SINGLE if pool_size == 1 else TubeKind.POOLED,
        opened_by=actor if getattr(actor, "is_authenticated", False) else None,
        opened_at=now,
        region_path=site.region_path,
    )
    try:
        with transaction.atomic():
            tube.save(force_insert=True)
            audit.record_created(actor=actor, obj=tube, fields=TUBE_FIELDS)
    except IntegrityError as exc:
        # Another sampler scanned the same label a moment earlier.
        raise ValidationError(
            {"barcode": [_("条码 %(barcode)s 已被使用，请换一支试管。") % {"barcode": barcode}]}
        ) from exc
    return tube


def person_from_code(text: str) -> Person:
    """The resident a scanned `FY1:` display or card code names, verified by this server."""
    checked = codes.verify_here(text or "")
    if not checked.valid:
        raise ValidationError(
            {"code": [str(CODE_REFUSALS.get(checked.result, _("无法识别该码。")))]}
        )
    if checked.claims.get("kind") not in (DISPLAY, CARD):
        raise ValidationError({"code": [_("这不是居民的健康码。")]})
    subject = CodeSubject.objects.filter(sub=checked.claims["sub"]).select_related("person").first()
    if subject is None:
        raise ValidationError({"code": [_("找不到该健康码对应的居民。")]})
    return subject.person


def _close(actor, tube: Tube, now: datetime.datetime) -> None:
    before = audit.snapshot(tube, ["state", "closed_at"])
    tube.state, tube.closed_at = TubeState.CLOSED, now
    Tube.objects.filter(pk=tube.pk).update(state=tube.state, closed_at=now)
    Sample.objects.filter(tube=tube, in_open_tube=True).update(in_open_tube=False)
    audit.record_updated(
        actor=actor, obj=tube, before=before, after=audit.snapshot(tube, ["state", "closed_at"])
    )


def add_to_tube(
    *,
    actor,
    tube: Tube,
    person: Person | None = None,
    code: str = "",
    now: datetime.datetime | None = None,
) -> Sample:
    """Adds a person, chosen or scanned (`code`), to an open tube; a full tube closes itself."""
    if (person is None) == (not code):
        raise ValidationError({"person": [_("请扫描健康码，或选择一位居民。")]})
    if code:
        person = person_from_code(code)
    now = now or timezone.now()
    with transaction.atomic():
        tube = (
            Tube.objects.select_for_update()
            .select_related("site", "round__campaign")
            .get(pk=tube.pk)
        )
        require_sampler(actor, tube.site)
        if tube.state != TubeState.OPEN:
            raise ValidationError({"tube": [_("该试管已封管，不能再加入。")]})
        if refusal := _window_refusal(tube.round, now):
            raise ValidationError({"tube": [refusal]})
        members = set(Sample.objects.filter(tube=tube).values_list("person_id", flat=True))
        if person.pk in members:
            raise ValidationError({"person": [_("该居民已在此管中。")]})
        if len(members) >= tube.pool_size:
            raise ValidationError(
                {"tube": [_("该试管已满（%(size)d 人），请封管。") % {"size": tube.pool_size}]}
            )
        if not _covers(area_paths(tube.round.campaign), person.region_path):
            raise ValidationError({"person": [_("该居民不在本次筛查的区域内。")]})
        other = (
            Sample.objects.filter(round=tube.round, person=person, in_open_tube=True)
            .select_related("tube")
            .first()
        )
        if other is not None:
            raise ValidationError(
                {
                    "person": [
                        _("该居民已在本轮另一支未封管的试管（%(barcode)s）中。")
                        % {"barcode": other.tube.barcode}
                    ]
                }
            )
        if tube.pool_size > 1 and person.pk in in_quarantine([person.pk], now=now):
            raise ValidationError({"person": [_("该居民正在隔离，须单管采样。")]})
        full = len(members) + 1 == tube.pool_size
        if full:
            _close(actor, tube, now)
        sample = Sample(
            tube=tube,
            person=person,
            round=tube.round,
            site=tube.site,
            sampled_at=now,
            sampler=actor if getattr(actor, "is_authenticated", False) else None,
            region_path=person.region_path,
            in_open_tube=not full,
        )
        sample.save(force_insert=True)
        audit.record_created(
            actor=actor, obj=sample, fields=["tube", "person", "round", "site", "sampled_at"]
        )
    return sample


def close_tube(*, actor, tube: Tube, now: datetime.datetime | None = None) -> Tube:
    """Closes an open tube before it is full (the queue ran out, or the sampler's shift ended)."""
    with transaction.atomic():
        tube = Tube.objects.select_for_update().select_related("site").get(pk=tube.pk)
        require_sampler(actor, tube.site)
        if tube.state != TubeState.OPEN:
            raise ValidationError({"tube": [_("该试管已封管。")]})
        if not Sample.objects.filter(tube=tube).exists():
            raise ValidationError({"tube": [_("空管不能封管，请先加入居民。")]})
        _close(actor, tube, now or timezone.now())
    return tube


# Batches from sampling devices


@dataclass(frozen=True)
class SampleInput:
    """One tube as a device recorded it: its barcode, who is in it, where and when."""

    tube: str
    persons: list
    site: SamplingSite
    sampled_at: datetime.datetime
    # For a tube this batch creates: default the campaign's default pool size.
    pool_size: int | None = None


@dataclass
class _TubePlan:
    barcode: str
    site: SamplingSite
    round: Round
    pool_size: int
    index: int
    tube: Tube | None = None
    members: set = field(default_factory=set)
    new: dict = field(default_factory=dict)
    first_at: datetime.datetime | None = None
    last_at: datetime.datetime | None = None


def _close_filled(actor, closing: list[tuple[Tube, datetime.datetime]], now) -> None:
    """Closes tubes a batch filled up, at the time of their last swab."""
    # Three parameters a tube: well under either database's limit per statement.
    for chunk in chunks(closing, 1000):
        ids = [tube.pk for tube, _closed_at in chunk]
        Tube.objects.filter(pk__in=ids).update(
            state=TubeState.CLOSED,
            closed_at=Case(*(When(pk=tube.pk, then=Value(at)) for tube, at in chunk)),
        )
        Sample.objects.filter(tube_id__in=ids, in_open_tube=True).update(in_open_tube=False)
    audit.record_changes(
        [
            audit.change_row(
                actor=actor,
                action=ObjectChange.UPDATE,
                obj=tube,
                before={"state": TubeState.OPEN, "closed_at": None},
                after={"state": TubeState.CLOSED, "closed_at": at.isoformat()},
                region_path=tube.region_path,
                time=now,
            )
            for tube, at in closing
        ]
    )


def _round_at(rounds: list[Round], moment: datetime.datetime) -> Round | None:
    return next((r for r in rounds if r.starts_at <= moment <= r.deadline), None)


class BatchErrors(dict):
    """Errors of a batch by item key (`3.persons.2`), raised together."""

    def add(self, key: str, message: str) -> None:
        self.setdefault(key, []).append(message)

    def check(self) -> None:
        if self:
            raise ValidationError(dict(self))


def record_samples(
    *, actor, items: list[SampleInput], now: datetime.datetime | None = None
) -> tuple[int, int]:
    """Stores the samples of a device's batch; answers (received, new).

    Idempotent on (tube, person): a device resending after a lost answer gets the same result,
    and a sample already stored is counted as received, not refused. The batch is a unit: any
    error refuses all of it, naming the item (`3.persons.2`). A tube is created on its first
    sample, with the item's pool size or the campaign's default, and closed once full; its
    round is the one whose window holds the swab's time.
    """
    if not can(actor, SAMPLE, ADD):
        raise PermissionDenied(_("您没有上传采样记录的权限。"))
    now = now or timezone.now()
    errors = BatchErrors()
    sites = {item.site.pk: item.site for item in items}
    assigned = set(
        SiteAssignment.objects.filter(
            site_id__in=list(sites), user_id=getattr(actor, "pk", None)
        ).values_list("site_id", flat=True)
    )
    refusals = {pk: _sampler_refusal(actor, site, pk in assigned) for pk, site in sites.items()}
    campaign_ids = {site.campaign_id for site in sites.values()}
    campaigns = Campaign.objects.in_bulk(list(campaign_ids))
    areas: dict = defaultdict(list)
    for campaign_id, path in CampaignRegion.objects.filter(
        campaign_id__in=list(campaign_ids)
    ).values_list("campaign_id", "path"):
        areas[campaign_id].append(path)
    rounds: dict = defaultdict(list)
    for found in Round.objects.filter(campaign_id__in=list(campaign_ids)):
        rounds[found.campaign_id].append(found)

    plans: dict[str, _TubePlan] = {}
    wanted: set = set()
    for index, item in enumerate(items):
        if refusals[item.site.pk]:
            errors.add(f"{index}.site", refusals[item.site.pk])
            continue
        campaign = campaigns[item.site.campaign_id]
        barcode = clean_barcode(item.tube)
        if not barcode:
            errors.add(f"{index}.tube", bad_barcode())
            continue
        if timezone.is_naive(item.sampled_at):
            errors.add(f"{index}.sampled_at", _("时间必须带时区。"))
            continue
        if item.sampled_at > now + CLOCK_SKEW:
            errors.add(f"{index}.sampled_at", _("采样时间不能晚于现在。"))
            continue
        round = _round_at(rounds[campaign.pk], item.sampled_at)
        if round is None:
            errors.add(f"{index}.sampled_at", _("采样时间不在本筛查任务的任何轮次内。"))
            continue
        if item.pool_size is not None and item.pool_size not in campaign.pool_sizes:
            errors.add(
                f"{index}.pool_size",
                _("混采人数应为以下之一：%(sizes)s。")
                % {"sizes": "、".join(str(size) for size in campaign.pool_sizes)},
            )
            continue
        if not item.persons:
            errors.add(f"{index}.persons", _("请至少填写一人。"))
            continue
        plan = plans.get(barcode)
        if plan is None:
            plan = plans[barcode] = _TubePlan(
                barcode, item.site, round, item.pool_size or campaign.default_pool_size, index
            )
        elif plan.site.pk != item.site.pk or plan.round.pk != round.pk:
            errors.add(
                f"{index}.tube",
                _("同一条码在本批中对应不同的采样点或轮次（见第 %(first)d 项）。")
                % {"first": plan.index},
            )
            continue
        seen: set = set()
        for position, person_id in enumerate(item.persons):
            if person_id in seen:
                errors.add(f"{index}.persons.{position}", _("同一居民在此项中重复。"))
            seen.add(person_id)
            wanted.add(person_id)
    errors.check()

    paths: dict = {}
    for chunk in chunks(wanted):
        paths.update(Person.objects.filter(among("pk", chunk)).values_list("pk", "region_path"))

    try:
        with transaction.atomic():
            received, written = _write_samples(actor, items, plans, paths, areas, errors, now)
    # COPY reports the driver's own error, which Django has not translated.
    except (IntegrityError, connection.Database.IntegrityError) as exc:
        # A second device, or a resend racing the first upload, wrote some of these meanwhile.
        raise ValidationError(
            {"samples": [_("有采样记录同时被提交，请重新提交本批（已保存的不会重复记录）。")]}
        ) from exc
    return received, written


def _write_samples(actor, items, plans, paths, areas, errors, now) -> tuple[int, int]:
    existing: dict[str, Tube] = {}
    for chunk in chunks(plans):
        existing.update(
            (tube.barcode, tube)
            for tube in Tube.objects.select_for_update().filter(
                among("barcode", chunk, kind="text")
            )
        )
    for barcode, tube in existing.items():
        plan = plans[barcode]
        plan.tube = tube
        if tube.site_id != plan.site.pk or tube.round_id != plan.round.pk:
            errors.add(f"{plan.index}.tube", _("该条码已用于其他采样点或轮次。"))
        plan.pool_size = tube.pool_size
    by_tube = {tube.pk: plans[barcode] for barcode, tube in existing.items()}
    for chunk in chunks(by_tube):
        for tube_id, person_id in Sample.objects.filter(among("tube_id", chunk)).values_list(
            "tube_id", "person_id"
        ):
            by_tube[tube_id].members.add(person_id)

    received = 0
    round_of_person: dict = {}
    for index, item in enumerate(items):
        plan = plans[item.tube.strip()]
        campaign_areas = areas[item.site.campaign_id]
        for position, person_id in enumerate(item.persons):
            received += 1
            key = f"{index}.persons.{position}"
            path = paths.get(person_id)
            if path is None:
                errors.add(key, _("没有这个居民。"))
                continue
            if not _covers(campaign_areas, path):
                errors.add(key, _("该居民不在本次筛查的区域内。"))
                continue
            if person_id in plan.members or person_id in plan.new:
                continue
            other = round_of_person.setdefault((plan.round.pk, person_id), plan.barcode)
            if other != plan.barcode:
                errors.add(
                    key, _("该居民在本批中被放入本轮两支试管（%(barcode)s）。") % {"barcode": other}
                )
                continue
            plan.new[person_id] = (item.sampled_at, path)
            plan.first_at = min(plan.first_at or item.sampled_at, item.sampled_at)
            plan.last_at = max(plan.last_at or item.sampled_at, item.sampled_at)
    for plan in plans.values():
        if plan.tube is not None and plan.new and plan.tube.state != TubeState.OPEN:
            errors.add(f"{plan.index}.tube", _("该试管已封管，不能再加入。"))
        elif len(plan.members) + len(plan.new) > plan.pool_size:
            errors.add(
                f"{plan.index}.tube",
                _("超出该试管的混采人数（%(size)d 人）。") % {"size": plan.pool_size},
            )
    errors.check()

    # Persons already in another open tube of the same round.
    fresh = [(plan, person_id) for plan in plans.values() for person_id in plan.new]
    busy: dict = {}
    round_ids = {plan.round.pk for plan, _person in fresh}
    for chunk in chunks({person_id for _plan, person_id in fresh}):
        busy.update(
            ((round_id, person_id), barcode)
            for round_id, person_id, barcode in Sample.objects.filter(
                among("person_id", chunk), in_open_tube=True, round_id__in=round_ids
            ).values_list("round_id", "person_id", "tube__barcode")
        )
    if busy:
        for index, item in enumerate(items):
            plan = plans[item.tube.strip()]
            for position, person_id in enumerate(item.persons):
                other = busy.get((plan.round.pk, person_id))
                if other is not None and other != plan.barcode and person_id in plan.new:
                    errors.add(
                        f"{index}.persons.{position}",
                        _("该居民已在本轮另一支未封管的试管（%(barcode)s）中。")
                        % {"barcode": other},
                    )
        errors.check()

    # A batch is mostly new rows: tubes, samples and their audit rows are written as tuples
    # through COPY (core.bulk), skipping model instances, which cost more than the writing.
    # The audit keeps one row per tube and batch, listing whom it took and when: a row per
    # swab doubled what the batch wrote, and the sample rows themselves name their sampler.
    opened_by_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    # Time-ordered ids, taken in the order rows are written: they append to the primary-key
    # indexes instead of landing on random pages of them.
    ids = iter(time_ordered_ids(sum(len(plan.new) for plan in plans.values()) + 2 * len(plans)))
    tubes: list[tuple] = []
    changes: list[tuple] = []
    closing: list[tuple] = []
    samples: list[tuple] = []
    for plan in plans.values():
        if not plan.new:
            continue
        full = len(plan.members) + len(plan.new) == plan.pool_size
        in_open_tube = not full
        round_id, site_id = plan.round.pk, plan.site.pk
        tube_id = next(ids) if plan.tube is None else str(plan.tube.pk)
        taken = []
        for person_id, (sampled_at, path) in plan.new.items():
            samples.append(
                (
                    next(ids),
                    tube_id,
                    person_id,
                    round_id,
                    site_id,
                    sampled_at,
                    path,
                    in_open_tube,
                )
            )
            taken.append(f'["{person_id}", "{sampled_at.isoformat()}"]')
        # Ids and times need no escaping: the JSON is written as it is.
        taken_json = "[" + ", ".join(taken) + "]"
        if plan.tube is None:
            state = TubeState.CLOSED if full else TubeState.OPEN
            kind = TubeKind.SINGLE if plan.pool_size == 1 else TubeKind.POOLED
            tubes.append(
                (
                    tube_id,
                    plan.barcode,
                    round_id,
                    site_id,
                    plan.pool_size,
                    kind,
                    state,
                    plan.first_at,
                    plan.last_at if full else None,
                    plan.site.region_path,
                )
            )
            after = (
                f'{{"barcode": {json.dumps(plan.barcode)}, "round": "{round_id}", '
                f'"site": "{site_id}", "pool_size": {plan.pool_size}, '
                f'"kind": "{kind.value}", "state": "{state.value}", "samples": {taken_json}}}'
            )
            changes.append(
                (
                    next(ids),
                    ObjectChange.CREATE,
                    tube_id,
                    plan.barcode,
                    plan.site.region_path,
                    None,
                    JSONText(after),
                )
            )
        else:
            if full:
                closing.append((plan.tube, plan.last_at))
            changes.append(
                (
                    next(ids),
                    ObjectChange.UPDATE,
                    str(plan.tube.pk),
                    plan.barcode,
                    plan.tube.region_path,
                    None,
                    JSONText(f'{{"samples_added": {taken_json}}}'),
                )
            )

    TableWriter(
        Tube,
        [
            "id",
            "barcode",
            "round_id",
            "site_id",
            "pool_size",
            "kind",
            "state",
            "opened_at",
            "closed_at",
            "region_path",
        ],
        {
            "opened_by_id": opened_by_id,
            "received_at": None,
            "received_by_id": None,
            "result": "",
            "ct_value": None,
            "tested_at": None,
            "resulted_at": None,
        },
    ).write(tubes)
    TableWriter(
        Sample,
        [
            "id",
            "tube_id",
            "person_id",
            "round_id",
            "site_id",
            "sampled_at",
            "region_path",
            "in_open_tube",
        ],
        {"sampler_id": opened_by_id, "result": ""},
    ).write(samples)
    who = audit.actor_fields(actor)
    TableWriter(
        ObjectChange,
        ["id", "action", "object_id", "object_repr", "region_path", "before", "after"],
        {
            "object_type": Tube._meta.label_lower,
            "time": now,
            "actor_id": opened_by_id,
            "actor_name": who["actor_name"],
            "request_id": who["request_id"],
            "ip": who["ip"],
            "via": who["via"],
        },
    ).write(changes)
    _close_filled(actor, closing, now)
    return received, len(samples)

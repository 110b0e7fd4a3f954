"""What the sampling screen and the sampler API need beside services.py: the round a site is
sampling for, the sampler's sites, finding a resident in the queue, and opening a tube sized
for the first person put into it.

Writes still go through services.py (`open_tube`, `add_to_tube`, `close_tube`); this module
only chooses what to pass them.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.paths import under
from fangyi.core.permissions import VIEW
from fangyi.people.models import ID_TAIL_QUERY, Person
from fangyi.screening import common
from fangyi.screening.models import Round, Sample, SamplingSite, Tube, TubeState
from fangyi.screening.sampling import services as sampling_services

# A queue is searched by a sampler who has the person in front of them: a short list or a
# narrower query, never a page to scroll.
MAX_RESULTS = 20
MAX_QUERY = 50


def running_round(campaign_id, now: datetime.datetime | None = None) -> Round | None:
    """The round of the campaign whose window holds `now`; rounds never overlap."""
    now = now or timezone.now()
    return (
        Round.objects.select_related("campaign")
        .filter(campaign_id=campaign_id, starts_at__lte=now, deadline__gte=now)
        .first()
    )


@dataclass(frozen=True)
class SamplerSite:
    """A site the user samples at, with the round of its campaign on now (None: none is)."""

    site: SamplingSite
    running_round: Round | None


def sites_of(user, now: datetime.datetime | None = None) -> list[SamplerSite]:
    """The sites the user samples at, each with its running round."""
    now = now or timezone.now()
    sites = list(
        SamplingSite.objects.restrict(user, VIEW)
        .filter(assignments__user=user)
        .select_related("campaign", "region")
        .order_by("campaign__name", "name", "id")
    )
    campaign_ids = {site.campaign_id for site in sites}
    running = {
        found.campaign_id: found
        for found in Round.objects.select_related("campaign").filter(
            campaign_id__in=campaign_ids, starts_at__lte=now, deadline__gte=now
        )
    }
    return [SamplerSite(site, running.get(site.campaign_id)) for site in sites]


def require_sampler(actor, site: SamplingSite) -> None:
    """PermissionDenied unless the actor samples at the site (assigned, with the right there)."""
    sampling_services.require_sampler(actor, site)


def round_for(site: SamplingSite, now: datetime.datetime | None = None) -> Round:
    found = running_round(site.campaign_id, now)
    if found is None:
        raise ValidationError({"site": [_("该采样点所属的筛查任务当前没有进行中的轮次。")]})
    return found


def _nearest_allowed(size: int, allowed: list[int]) -> int:
    """The smallest allowed size that holds `size` people, else the largest allowed: a
    household of three in a campaign of 1, 5, 10 and 20 goes into a tube of 5, closed by hand."""
    if size in allowed:
        return size
    larger = [choice for choice in allowed if choice >= size]
    return min(larger) if larger else max(allowed)


def start_tube(
    *,
    actor,
    barcode: str,
    site: SamplingSite,
    pool_size: int | None = None,
    person: Person | None = None,
    code: str = "",
    confirm_repeat: bool = False,
    now: datetime.datetime | None = None,
) -> Tube:
    """Opens a tube at the site for its running round, and puts the first person in it when
    one is given (chosen, or scanned as `code`).

    Without a pool size the tube holds what `sampling_services.pool_size_for` says for that first
    person — one for someone in quarantine, the household in a sealed zone — rounded up to a
    size the campaign allows; with no first person, the campaign's default. Opening and the
    first sample are one transaction: a refused first person does not use up the barcode
    (one sampled in this round already needs `confirm_repeat`, as in `add_to_tube`).
    """
    require_sampler(actor, site)
    now = now or timezone.now()
    round = round_for(site, now)
    if person is not None and code:
        raise ValidationError({"person": [_("请扫描健康码，或选择一位居民，不要同时提供。")]})
    if code:
        person = sampling_services.person_from_code(code)
    campaign = round.campaign
    if pool_size is None:
        wanted = (
            sampling_services.pool_size_for(round, person, now=now)
            if person is not None
            else campaign.default_pool_size
        )
        pool_size = _nearest_allowed(wanted, campaign.pool_sizes)
    with transaction.atomic():
        tube = sampling_services.open_tube(
            actor=actor, barcode=barcode, site=site, round=round, pool_size=pool_size, now=now
        )
        if person is not None:
            sampling_services.add_to_tube(
                actor=actor, tube=tube, person=person, confirm_repeat=confirm_repeat, now=now
            )
    return tube


def tubes_with_members(user):
    """Tubes the user may see, with what a tube's card shows: round, site, masked members."""
    return (
        Tube.objects.restrict(user, VIEW)
        .select_related("round", "site")
        .prefetch_related(
            Prefetch(
                "samples",
                queryset=Sample.objects.select_related("person").order_by("sampled_at", "id"),
            )
        )
    )


def open_tube_of(user, site: SamplingSite, round: Round | None) -> Tube | None:
    """The tube the sampler left open at this site in this round, to carry on with after a
    reload or a dropped connection."""
    if round is None:
        return None
    return (
        tubes_with_members(user)
        .filter(site=site, round=round, opened_by=user, state=TubeState.OPEN)
        .order_by("-opened_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class Found:
    """A resident as a sampler sees them in a search: masked, with what tells people apart."""

    person: Person
    sampled: bool


def clean_query(query: str) -> str:
    query = (query or "").strip()
    if len(query) > MAX_QUERY or "\x00" in query:
        raise ValidationError({"q": [_("请输入姓名开头或证件号后 4 位（最多 50 个字符）。")]})
    return query


def residents_matching(user, campaign, query: str):
    """Residents of the campaign's regions whom the user may see, by the start of their name or
    the last four characters of their ID number, at most MAX_RESULTS."""
    query = clean_query(query)
    if not query:
        return []
    if ID_TAIL_QUERY.fullmatch(query.upper()):
        match = Q(id_tail=query.upper())
    else:
        match = Q(name__startswith=query)
    return list(
        Person.objects.restrict(user, VIEW)
        .filter(match)
        .filter(_in_campaign(campaign))
        .select_related("household__building")
        .order_by("name", "region_path", "id")[:MAX_RESULTS]
    )


def _in_campaign(campaign) -> Q:
    within = Q(pk__in=[])
    for path in common.area_paths(campaign):
        within |= under("region_path", path)
    return within


def resident_by_id(user, campaign, person_id) -> Person:
    """A resident of the campaign's regions whom the user may see, chosen from a search."""
    person = (
        Person.objects.restrict(user, VIEW).filter(_in_campaign(campaign), pk=person_id).first()
    )
    if person is None:
        raise ValidationError({"person": [_("没有这个居民，或其不在本次筛查的区域内。")]})
    return person


def search_persons(
    *, actor, site: SamplingSite, query: str, now: datetime.datetime | None = None
) -> list[Found]:
    """`residents_matching` for a sampler at the site; each result says whether the person was
    sampled in the running round already."""
    require_sampler(actor, site)
    persons = residents_matching(actor, site.campaign, query)
    round = running_round(site.campaign_id, now)
    sampled = set()
    if round is not None and persons:
        sampled = set(
            Sample.objects.filter(
                round=round, person_id__in=[person.pk for person in persons]
            ).values_list("person_id", flat=True)
        )
    return [Found(person, person.pk in sampled) for person in persons]

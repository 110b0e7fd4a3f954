"""Campaigns, rounds, sites, exemptions, tubes and samples: the only place that writes them.

Keyword-only functions that check permission, validate, write and audit, as elsewhere.
Samplers fill tubes one scan at a time (`open_tube`, `add_to_tube`, `close_tube`); sampling
devices upload whole tubes in batches (`record_samples`), which is written for a city's peak:
a fixed number of queries per batch, whatever its size.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.codes import services as codes
from fangyi.codes.format import CARD, DISPLAY, Result
from fangyi.codes.models import CodeSubject
from fangyi.core import audit
from fangyi.core.permissions import ADD, can
from fangyi.health.models import Fact, FactKind, TestOutcome, TubeKind, Zone, ZoneRegion
from fangyi.people.models import Person, ResidenceStatus
from fangyi.regions.models import ancestor_paths
from fangyi.screening.area import SAMPLE
from fangyi.screening.common import area_paths, bad_barcode, chunks, clean_barcode, covers
from fangyi.screening.models import Round, Sample, SamplingSite, SiteAssignment, Tube, TubeState

# Zone kinds whose residents may not leave home (the presets' 封控区 and 高风险区): sampled at
# the door, one tube per household.
HOUSEHOLD_POOLED_ZONE_KINDS = frozenset({"sealed", "high"})
TUBE_FIELDS = ["barcode", "round", "site", "pool_size", "kind", "state"]
# The error field that asks the sampler to confirm sampling someone again in a round, and the
# flag a second request confirms it with (the API's and the page's `confirm_repeat`).
REPEAT_FIELD = "confirm_repeat"

CODE_REFUSALS = {
    Result.EXPIRED: gettext_lazy("健康码已过期，请让居民刷新后再扫。"),
    Result.NOT_YET_VALID: gettext_lazy("健康码尚未生效，请核对手机时间。"),
    Result.BAD_SIGNATURE: gettext_lazy("健康码签名无效，可能是伪造的。"),
    Result.UNKNOWN_KEY: gettext_lazy("健康码不是本系统签发的。"),
    Result.REVOKED: gettext_lazy("该健康码已被撤销。"),
    Result.MALFORMED: gettext_lazy("无法识别该码，请重新扫描。"),
}


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


def sampler_refusal(actor, site: SamplingSite, assigned: bool) -> str | None:
    if not can(actor, SAMPLE, ADD, site.region_path):
        return _("您没有在该采样点采样的权限。")
    if not (assigned or getattr(actor, "is_superuser", False)):
        return _("您不是该采样点的采样人员。")
    return None


def require_sampler(actor, site: SamplingSite) -> None:
    actor_id = getattr(actor, "pk", None)
    assigned = (
        actor_id is not None and SiteAssignment.objects.filter(site=site, user_id=actor_id).exists()
    )
    refusal = sampler_refusal(actor, site, assigned)
    if refusal:
        raise PermissionDenied(refusal)


def _window_refusal(round: Round, moment: datetime.datetime) -> str | None:
    if moment < round.starts_at:
        return _("%(round)s尚未开始。") % {"round": round}
    if moment > round.deadline:
        return _("%(round)s已截止。") % {"round": round}
    return None


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
    # A valid code always carries its claims.
    if not checked.valid or checked.claims is None:
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


def _locked_open_tube(actor, tube: Tube, now: datetime.datetime) -> Tube:
    """The tube again, locked, once the actor may fill it and it is open in its round's window."""
    tube = (
        Tube.objects.select_for_update().select_related("site", "round__campaign").get(pk=tube.pk)
    )
    require_sampler(actor, tube.site)
    if tube.state != TubeState.OPEN:
        raise ValidationError({"tube": [_("该试管已封管，不能再加入。")]})
    if refusal := _window_refusal(tube.round, now):
        raise ValidationError({"tube": [refusal]})
    return tube


def _earlier_sample(tube: Tube, person: Person) -> Sample | None:
    """The person's latest sample of the tube's round that already counts: not one from an
    invalid tube (sampled again by design), nor, for a single tube, one from a positive pool
    (the retest it asks for)."""
    earlier = Sample.objects.filter(round=tube.round, person=person).exclude(
        result=TestOutcome.INVALID
    )
    if tube.kind == TubeKind.SINGLE:
        earlier = earlier.exclude(result=TestOutcome.POSITIVE, tube__kind=TubeKind.POOLED)
    return earlier.select_related("tube").order_by("-sampled_at", "-id").first()


def repeat_warning(sample: Sample) -> str:
    return _("该居民本轮已于 %(time)s 采样（试管 %(barcode)s）。确需再次采样，请确认后再加入。") % {
        "time": timezone.localtime(sample.sampled_at).strftime("%m-%d %H:%M"),
        "barcode": sample.tube.barcode,
    }


def _check_person(
    tube: Tube, person: Person, now: datetime.datetime, *, confirm_repeat: bool
) -> int:
    """Refuses a person who may not go into the tube; answers how many it holds already.

    A person sampled in this round already is refused under `confirm_repeat` (the field the
    sampler confirms with), naming when and in which tube, unless the sampler has confirmed.
    """
    members = set(Sample.objects.filter(tube=tube).values_list("person_id", flat=True))
    if person.pk in members:
        raise ValidationError({"person": [_("该居民已在此管中。")]})
    if len(members) >= tube.pool_size:
        raise ValidationError(
            {"tube": [_("该试管已满（%(size)d 人），请封管。") % {"size": tube.pool_size}]}
        )
    if not covers(area_paths(tube.round.campaign), person.region_path):
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
    if not confirm_repeat and (earlier := _earlier_sample(tube, person)) is not None:
        raise ValidationError({REPEAT_FIELD: [repeat_warning(earlier)]})
    return len(members)


def add_to_tube(
    *,
    actor,
    tube: Tube,
    person: Person | None = None,
    code: str = "",
    confirm_repeat: bool = False,
    now: datetime.datetime | None = None,
) -> Sample:
    """Adds a person, chosen or scanned (`code`), to an open tube; a full tube closes itself.

    Someone sampled in this round already is added only with `confirm_repeat` (see
    `_check_person`)."""
    if (person is None) == (not code):
        raise ValidationError({"person": [_("请扫描健康码，或选择一位居民。")]})
    if person is None:
        person = person_from_code(code)
    now = now or timezone.now()
    with transaction.atomic():
        tube = _locked_open_tube(actor, tube, now)
        held = _check_person(tube, person, now, confirm_repeat=confirm_repeat)
        full = held + 1 == tube.pool_size
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

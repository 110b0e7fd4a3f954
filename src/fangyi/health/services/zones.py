"""Drawing, lifting and lowering zones, and what the zones page shows of each."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangyi.core import audit
from fangyi.core.models import ObjectChange
from fangyi.core.paths import under
from fangyi.core.permissions import ADD, CHANGE, require
from fangyi.people.models import Person
from fangyi.regions.models import Region

from ..area import ZONE
from ..models import Fact, FactKind, Policy, TestOutcome, Zone, ZoneRegion
from .scheduling import schedule_for_paths


def _common_path(paths: list[str]) -> str:
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[:-3] if len(common) > 6 else common[:-2]
    return common


def _check_zone(
    *, policy: Policy, kind: str, regions: list[Region], reason: str, starts_at: datetime.datetime
) -> None:
    errors: dict[str, list[str]] = {}
    if policy.zone_kind(kind) is None:
        codes = ", ".join(k["code"] for k in policy.parameters["zone_kinds"])
        errors["kind"] = [
            _("现行方案（%(policy)s）没有这种区域，可选：%(codes)s。")
            % {"policy": policy.name, "codes": codes}
        ]
    if not regions:
        errors["regions"] = [_("请至少选择一个区域。")]
    if not reason.strip():
        errors["reason"] = [_("请写明划定原因。")]
    if timezone.is_naive(starts_at):
        errors["starts_at"] = [_("时间必须带时区。")]
    if errors:
        raise ValidationError(errors)


def _default_zone_name(regions: list[Region]) -> str:
    return "、".join(region.name for region in regions[:3]) + (
        _("等%(count)s处") % {"count": len(regions)} if len(regions) > 3 else ""
    )


def draw_zone(
    *,
    actor,
    kind: str,
    regions: list[Region],
    reason: str,
    starts_at: datetime.datetime | None = None,
    name: str = "",
    predecessor: Zone | None = None,
) -> Zone:
    policy = Policy.objects.in_force()
    starts_at = starts_at or timezone.now()
    _check_zone(policy=policy, kind=kind, regions=regions, reason=reason, starts_at=starts_at)
    for region in regions:
        require(actor, ZONE, ADD, region.path)
    paths = sorted({region.path for region in regions})
    if not name.strip():
        name = _default_zone_name(regions)
    with transaction.atomic():
        zone = Zone.objects.create(
            kind=kind,
            policy=policy,
            name=name.strip()[:100],
            reason=reason.strip(),
            starts_at=starts_at,
            region_path=_common_path(paths),
            predecessor=predecessor,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        ZoneRegion.objects.bulk_create(
            [ZoneRegion(zone=zone, region=region, path=region.path) for region in regions]
        )
        audit.record_change(
            actor=actor,
            action=ObjectChange.CREATE,
            obj=zone,
            before=None,
            after={
                "kind": kind,
                "regions": [region.code for region in regions],
                "starts_at": starts_at.isoformat(),
                "reason": zone.reason,
                "policy": policy.label,
                **({"lowered_from": str(predecessor.pk)} if predecessor else {}),
            },
            region_path=zone.region_path,
        )
        schedule_for_paths(paths)
    return zone


def lift_zone(*, actor, zone: Zone, reason: str = "") -> Zone | None:
    """Ends a zone; where the policy lowers it instead (high → medium), starts the lower one.

    Returns the lowered zone, if any. Lifting is always a person's decision, never automatic.
    The reason is asked once per step and kept where that step left it: a lowering's on the
    zone it ends (lift_reason) and as the reason of the zone it starts, so that lifting the
    lower zone later records its own reason beside it instead of replacing it.
    """
    if zone.lifted_at is not None:
        raise ValidationError({"zone": _("该区域已经解除。")})
    paths = list(zone.areas.values_list("path", flat=True))
    for path in paths:
        require(actor, ZONE, CHANGE, path)
    now = timezone.now()
    reason = reason.strip()
    kind_rule = zone.policy.zone_kind(zone.kind) or {}
    becomes = (kind_rule.get("lift") or {}).get("becomes")
    policy = Policy.objects.in_force()
    lowered = None
    with transaction.atomic():
        Zone.objects.filter(pk=zone.pk).update(lifted_at=now, lifted_by=actor, lift_reason=reason)
        zone.lifted_at, zone.lifted_by, zone.lift_reason = now, actor, reason
        if becomes and policy.zone_kind(becomes):
            lowered = draw_zone(
                actor=actor,
                kind=becomes,
                regions=list(Region.objects.filter(path__in=paths)),
                reason=reason or _("由%(name)s降级") % {"name": zone.name},
                starts_at=now,
                name=zone.name,
                predecessor=zone,
            )
        else:
            schedule_for_paths(paths)
        audit.record_change(
            actor=actor,
            action=ObjectChange.UPDATE,
            obj=zone,
            before={"lifted_at": None},
            after={
                "lifted_at": now.isoformat(),
                "lift_reason": zone.lift_reason,
                "lowered_to": str(lowered.pk) if lowered else None,
            },
            region_path=zone.region_path,
        )
    return lowered


@dataclass
class ZoneState:
    """What the zones page shows for one active zone."""

    zone: Zone
    kind: dict
    residents: int
    last_positive: datetime.datetime | None
    clean_days: int
    criteria: list[tuple[str, bool]]

    @property
    def meets_criteria(self) -> bool:
        return all(met for _label, met in self.criteria)


def _chain_start(zone: Zone) -> datetime.datetime:
    start = zone.starts_at
    seen = 0
    while zone.predecessor is not None and seen < 20:
        zone = zone.predecessor
        start = zone.starts_at
        seen += 1
    return start


def _inside(paths: list[str]) -> Q:
    inside = Q()
    for path in paths:
        inside |= under("region_path", path)
    return inside


def _last_positive(inside: Q) -> datetime.datetime | None:
    positives = Fact.objects.filter(inside).filter(
        Q(kind__in=[FactKind.CASE_CONFIRMED, FactKind.CASE_SUSPECTED])
        | Q(kind=FactKind.TEST_RESULT, outcome=TestOutcome.POSITIVE)
    )
    return positives.aggregate(last=Max("occurred_at"))["last"]


def _waiting_criterion(
    zone: Zone, lift: dict, *, clean_days: int, now: datetime.datetime
) -> tuple[str, bool] | None:
    """Days since the zone was lowered, where the policy asks for them, else days without a
    new positive, where it asks for those."""
    if zone.predecessor_id and lift.get("after_lowering_days"):
        needed = lift["after_lowering_days"]
        days = max(0, (now - zone.starts_at).days)
        return (
            ngettext(
                "降级后已满 %(n)s 天（现 %(d)s 天）",
                "降级后已满 %(n)s 天（现 %(d)s 天）",
                needed,
            )
            % {"n": needed, "d": days},
            days >= needed,
        )
    if lift.get("clean_days"):
        needed = lift["clean_days"]
        return (
            ngettext(
                "连续 %(n)s 天无新增阳性（现 %(d)s 天）",
                "连续 %(n)s 天无新增阳性（现 %(d)s 天）",
                needed,
            )
            % {"n": needed, "d": clean_days},
            clean_days >= needed,
        )
    return None


def _negative_round_criterion(
    window: int, *, inside: Q, residents: int, now: datetime.datetime
) -> tuple[str, bool]:
    # Residents of the zone with a negative test in the window, walked person by person
    # through the (person, time) index: the facts have no index by place and kind, and one
    # would slow every million-fact results import to speed up this count.
    negative = Fact.objects.filter(
        person_id=OuterRef("pk"),
        kind=FactKind.TEST_RESULT,
        outcome=TestOutcome.NEGATIVE,
        occurred_at__gte=now - datetime.timedelta(days=window),
    )
    tested = Person.objects.filter(inside).filter(Exists(negative)).count()
    return (
        ngettext(
            "%(n)s 天内全员核酸阴性（%(t)s / %(r)s 人）",
            "%(n)s 天内全员核酸阴性（%(t)s / %(r)s 人）",
            window,
        )
        % {"n": window, "t": tested, "r": residents},
        residents > 0 and tested >= residents,
    )


def zone_state(zone: Zone, *, now: datetime.datetime | None = None) -> ZoneState:
    now = now or timezone.now()
    paths = [area.path for area in zone.areas.all()]
    residents = (
        Region.objects.filter(path__in=paths).aggregate(total=Sum("resident_count"))["total"] or 0
    )
    inside = _inside(paths)
    last_positive = _last_positive(inside)
    since = max(filter(None, [last_positive, _chain_start(zone)]))
    clean_days = max(0, (now - since).days)
    kind = zone.policy.zone_kind(zone.kind) or {"code": zone.kind, "name": zone.kind, "lift": {}}
    lift = kind.get("lift") or {}
    criteria = []
    waiting = _waiting_criterion(zone, lift, clean_days=clean_days, now=now)
    if waiting is not None:
        criteria.append(waiting)
    if lift.get("negative_round_days"):
        criteria.append(
            _negative_round_criterion(
                lift["negative_round_days"], inside=inside, residents=residents, now=now
            )
        )
    return ZoneState(zone, kind, residents, last_positive, clean_days, criteria)

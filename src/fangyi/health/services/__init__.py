"""The only place that changes health data: check permission, validate, write, audit, recompute.

Keyword-only functions, as in people.services. Facts are the record: each one carries who
recorded it, when, from which source and reference, and is never changed afterwards, so a
fact row is its own audit record and no ObjectChange is written for it (docs/health.md,
"Audit"). Every fact, one at a time or a million from a lab, is written here.
"""

import datetime
import math
import uuid
from dataclasses import dataclass, fields
from functools import partial
from operator import itemgetter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangyi.core import audit
from fangyi.core.audit import actor_fields
from fangyi.core.bulk import JSONText, TableWriter, time_ordered_ids
from fangyi.core.models import ObjectChange
from fangyi.core.paths import under
from fangyi.core.permissions import ADD, CHANGE, EVERYWHERE, require, scope_paths
from fangyi.core.sql import among
from fangyi.people.models import Person
from fangyi.regions.models import Region, ancestor_paths

from .. import recompute
from ..area import APPEAL, DECISION, FACT, POLICY, ZONE
from ..models import (
    Appeal,
    Colour,
    Fact,
    FactKind,
    ManualDecision,
    Policy,
    QuarantineSetting,
    Status,
    TestOutcome,
    TubeKind,
    Zone,
    ZoneRegion,
)

EARLIEST = datetime.datetime(2019, 12, 1, tzinfo=datetime.UTC)
# Clocks on phones and lab machines drift; a fact a few minutes "in the future" is not an error.
CLOCK_SKEW = datetime.timedelta(minutes=10)
MAX_MANUAL = datetime.timedelta(hours=72)
TEMPERATURE_RANGE = (34.0, 43.0)
FACT_FIELDS = ["person", "kind", "occurred_at", "outcome", "variant", "retracts", "source"]


@dataclass(frozen=True)
class FactInput:
    """One fact to record; services check it in full before anything is written."""

    person: Person
    kind: str
    occurred_at: datetime.datetime
    outcome: str = ""
    variant: str = ""
    details: dict | None = None
    retracts: Fact | None = None
    source_ref: str = ""


def _clean_details(kind: str, details: dict, errors: dict) -> dict:
    details = dict(details or {})
    if kind == FactKind.ARRIVAL_FROM_RISK_AREA and not str(details.get("area", "")).strip():
        errors.setdefault("details.area", []).append(_("请填写来自的风险地区。"))
    if kind == FactKind.HEALTH_DECLARATION:
        temperature = details.get("temperature")
        if temperature is not None and (
            not isinstance(temperature, int | float)
            or isinstance(temperature, bool)
            or not math.isfinite(temperature)
            or not TEMPERATURE_RANGE[0] <= temperature <= TEMPERATURE_RANGE[1]
        ):
            errors.setdefault("details.temperature", []).append(
                _("体温应为 34 到 43 之间的数字（摄氏度）。")
            )
        symptoms = details.get("symptoms", [])
        if not isinstance(symptoms, list) or not all(isinstance(s, str) for s in symptoms):
            errors.setdefault("details.symptoms", []).append(_("症状应为文本列表。"))
    if kind == FactKind.RETRACTION and not str(details.get("reason", "")).strip():
        errors.setdefault("details.reason", []).append(_("撤销必须写明原因。"))
    return details


def check_fact(item: FactInput, *, now: datetime.datetime) -> dict[str, list[str]]:
    """Every problem with one fact, by field; empty when it may be recorded."""
    errors: dict[str, list[str]] = {}
    if item.kind not in FactKind.values:
        errors["kind"] = [_("没有这种事实类别。")]
        return errors
    occurred_at = item.occurred_at
    if timezone.is_naive(occurred_at):
        errors["occurred_at"] = [_("时间必须带时区。")]
    elif occurred_at < EARLIEST:
        errors["occurred_at"] = [_("时间早于 2019 年 12 月，不可能是疫情记录。")]
    elif occurred_at > now + CLOCK_SKEW:
        errors["occurred_at"] = [_("时间不能晚于现在。")]
    if item.kind == FactKind.TEST_RESULT:
        if item.outcome not in TestOutcome.values:
            errors["outcome"] = [_("检测结果应为 negative、positive 或 invalid。")]
        if item.variant not in TubeKind.values:
            errors["variant"] = [_("检测方式应为 single（单管）或 pooled（混管）。")]
    elif item.outcome:
        errors["outcome"] = [_("只有核酸检测结果有此项。")]
    if item.kind in (FactKind.QUARANTINE_START, FactKind.QUARANTINE_END):
        allowed = QuarantineSetting.values + ([""] if item.kind == FactKind.QUARANTINE_END else [])
        if item.variant not in allowed:
            errors["variant"] = [
                _(
                    "隔离方式应为 centralised（集中隔离）、home（居家隔离）或 home_monitoring（居家健康监测）。"
                )
            ]
    elif item.kind != FactKind.TEST_RESULT and item.variant:
        errors["variant"] = [_("此类事实没有类型一项。")]
    if item.kind == FactKind.RETRACTION:
        target = item.retracts
        if target is None:
            errors["retracts"] = [_("请指明要撤销的事实。")]
        elif target.person_id != item.person.pk:
            errors["retracts"] = [_("只能撤销同一居民的事实。")]
        elif target.kind == FactKind.RETRACTION:
            errors["retracts"] = [_("撤销记录不能再被撤销；请重新记录该事实。")]
        elif Fact.objects.filter(retracts=target).exists():
            errors["retracts"] = [_("该事实已被撤销。")]
    elif item.retracts is not None:
        errors["retracts"] = [_("只有撤销记录可以指向另一条事实。")]
    _clean_details(item.kind, item.details or {}, errors)
    return errors


def _new_fact(item: FactInput, *, actor, source: str, recorded_at) -> Fact:
    who = actor_fields(actor)
    return Fact(
        id=uuid.uuid4(),
        person=item.person,
        region_path=item.person.region_path,
        kind=item.kind,
        occurred_at=item.occurred_at,
        recorded_at=recorded_at,
        outcome=item.outcome,
        variant=item.variant,
        retracts=item.retracts,
        source=source,
        source_ref=item.source_ref,
        actor=who["actor"],
        actor_name=who["actor_name"],
        details=_clean_details(item.kind, item.details or {}, {}),
    )


def record_facts(
    *, actor, items: list[FactInput], source: str, recompute_now: bool = True
) -> list[Fact]:
    """Records a list of facts as a unit: one bad item refuses them all, naming its index.

    Writes in bulk and brings the persons' statuses up to date.
    """
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    retracting: set = set()
    for index, item in enumerate(items):
        require(actor, FACT, ADD, item.person.region_path)
        problems = check_fact(item, now=now)
        if item.retracts is not None:
            if item.retracts.pk in retracting and "retracts" not in problems:
                problems["retracts"] = [_("同一批中已撤销该事实。")]
            retracting.add(item.retracts.pk)
        for name, messages in problems.items():
            key = name if len(items) == 1 else f"{index}.{name}"
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    facts = [_new_fact(item, actor=actor, source=source, recorded_at=now) for item in items]
    with transaction.atomic():
        Fact.objects.bulk_create(facts, batch_size=2000)
        if recompute_now:
            schedule_for_persons({fact.person_id for fact in facts})
    return facts


def record_fact(*, actor, source: str, **fields) -> Fact:
    return record_facts(actor=actor, items=[FactInput(**fields)], source=source)[0]


def record_declared_fact(*, item: FactInput, source: str, declared_by: str) -> Fact:
    """A fact residents declare about themselves or someone they look after (the portal).

    No staff member acts, so there is no permission to check: the caller has established who
    the resident is. The fact is checked like any other and `declared_by` names who declared.
    """
    now = timezone.now()
    errors = check_fact(item, now=now)
    if errors:
        raise ValidationError(errors)
    fact = _new_fact(item, actor=None, source=source, recorded_at=now)
    fact.actor_name = declared_by
    with transaction.atomic():
        fact.save(force_insert=True)
        schedule_for_persons([item.person.pk])
    return fact


# The columns of a row for `record_facts_in_bulk`, in order.
BULK_FACT_COLUMNS = [
    "id",
    "person_id",
    "region_path",
    "kind",
    "occurred_at",
    "recorded_at",
    "outcome",
    "variant",
    "source_ref",
    "details",
]


def record_facts_in_bulk(
    *, actor, source: str, rows: list[tuple], authorised: bool = False, actor_name: str = ""
) -> int:
    """Appends facts given as tuples in BULK_FACT_COLUMNS order (ids as text or UUIDs, times
    as datetimes or ISO text, details as dicts or `core.bulk.JSONText`); answers how many.

    For writers of a million facts (lab results, the demo city), through core.bulk: COPY on
    PostgreSQL. Rows are not checked one by one: callers build them from data they have
    checked, and `authorised` says the caller has checked the actor's right to cause them
    (a lab's results; the seed). Otherwise the actor needs FACT ADD over every region
    written. Callers bring statuses up to date (`schedule_for_persons`), as they know which
    facts can change a colour. Written in the order given: sorted by person, the rows walk
    the (person, time) index once instead of scattering over it.
    """
    if not authorised:
        for path in {row[2] for row in rows}:
            require(actor, FACT, ADD, path)
    who = actor_fields(actor)
    writer = TableWriter(
        Fact,
        BULK_FACT_COLUMNS,
        {
            "retracts_id": None,
            "source": source,
            "actor_id": str(who["actor"].pk) if who["actor"] is not None else None,
            "actor_name": actor_name or who["actor_name"],
        },
    )
    writer.write(rows)
    return len(rows)


@dataclass(frozen=True)
class FactTemplate:
    """What the facts of a group of persons share (a tube's members): all but the person,
    their region and the time. `details` is JSON text, encoded once for the group."""

    kind: str
    outcome: str
    variant: str
    source_ref: str
    details: str


# A template's fields, as a MembersStatement carries them to each member.
FACT_TEMPLATE_COLUMNS = [field.name for field in fields(FactTemplate)]


def fact_template_columns(templates: list[FactTemplate]) -> dict[str, list[str]]:
    """The templates as text columns (FACT_TEMPLATE_COLUMNS), one value per group in the
    order given: what a MembersStatement unnests beside its groups' keys and returns with
    each member."""
    return {
        name: [getattr(template, name) for template in templates] for name in FACT_TEMPLATE_COLUMNS
    }


@dataclass(frozen=True)
class MembersStatement:
    """A statement, run inside the facts' own, whose rows are the members of the groups,
    each with its group's fact template: person_id, occurred_at, region_path and the
    FACT_TEMPLATE_COLUMNS (from `fact_template_columns`), named so. On PostgreSQL the
    members then never pass through Python (the samples of a city's round are a million
    rows).

    The templates travel inside the statement, keyed by the group's own id, rather than
    being joined to its rows afterwards: on a join of two computed relations the planner
    guesses a 200th of their product, ten times too many rows for 5,000 tubes, and the
    statement's cost then crosses PostgreSQL's JIT thresholds (about a second of
    compiling per statement; docs/benchmarks.md, finding 13)."""

    sql: str
    params: dict


def record_member_facts(
    *,
    actor,
    source: str,
    members: "list[tuple] | MembersStatement",
    now: datetime.datetime,
) -> tuple[int, set[str]]:
    """A fact for each member whose group's template has a kind, recorded at `now`;
    answers how many, and the persons whose colour they can change: those whose new fact
    can colour them, and those who already had such a fact (for everyone else a negative
    test changes nothing, which spares recomputing a city after a round of screening).

    `members` are (person id, occurred at, region path, FactTemplate) rows, or on
    PostgreSQL a `MembersStatement`. Like `record_facts_in_bulk`, for callers who checked
    the actor's right to cause these facts (a lab's results); they bring the statuses up to
    date.
    """
    if isinstance(members, MembersStatement):
        return _member_facts_in_database(actor, source, members, now)
    ids = iter(time_ordered_ids(len(members)))
    recorded_at = now.isoformat() if connection.vendor == "postgresql" else now
    rows = []
    for person_id, occurred_at, path, fact in members:
        if fact.kind:
            rows.append(
                (next(ids), person_id, path, fact.kind, occurred_at, recorded_at, fact.outcome,
                 fact.variant, fact.source_ref, JSONText(fact.details))
            )  # fmt: skip
    # In the order of the index on (person, time): one pass over it, not a scatter.
    rows.sort(key=itemgetter(1))
    risky = {row[1] for row in rows if _can_colour(row[3], row[6])}
    quiet = [row[1] for row in rows if row[1] not in risky]
    for start in range(0, len(quiet), 10_000):
        part = quiet[start : start + 10_000]
        risky.update(
            str(pk)
            for pk in Fact.objects.filter(among("person_id", part, kind="uuid"))
            .filter(CAN_COLOUR)
            .values_list("person_id", flat=True)
            .distinct()
        )
    written = record_facts_in_bulk(actor=actor, source=source, rows=rows, authorised=True)
    return written, risky


# A fact that can colour a person, as recompute.RISK and the partial index fact_risk say.
CAN_COLOUR = ~Q(kind__in=[FactKind.TEST_RESULT, FactKind.HEALTH_DECLARATION]) | Q(
    outcome="positive"
)


def _can_colour(kind: str, outcome: str) -> bool:
    """Whether a fact can colour a person, as CAN_COLOUR."""
    return kind not in (FactKind.TEST_RESULT, FactKind.HEALTH_DECLARATION) or outcome == "positive"


# The members' facts in one statement: inserted from the members' rows, with ids made of a
# time-ordered prefix and a counter (core.bulk.time_ordered_ids), in the order rows are
# inserted. The final SELECT sees the database as it was before the statement: a member with
# a colouring fact had one already. Its two halves are not one OR: an EXISTS inside an OR is
# priced once per member, which alone took a statement of 5,000 tubes past jit_above_cost.
MEMBER_FACTS_SQL = f"""
WITH members AS ({{members}}),
facts AS (
    INSERT INTO {Fact._meta.db_table} (id, person_id, region_path, kind, occurred_at,
        recorded_at, outcome, variant, retracts_id, source, source_ref, actor_id, actor_name,
        details)
    SELECT (%(f_prefix)s || lpad(to_hex(%(f_start)s + row_number() OVER w), 12, '0'))::uuid,
        person_id, region_path, kind, occurred_at, %(f_now)s, outcome, variant, NULL,
        %(f_source)s, source_ref, %(f_actor_id)s, %(f_actor_name)s, details::jsonb
    FROM members WHERE kind <> ''
    WINDOW w AS (ORDER BY person_id, occurred_at)
    ORDER BY person_id, occurred_at
    RETURNING 1
)
SELECT (SELECT count(*) FROM facts), array(
    SELECT m.person_id::text FROM members AS m
    WHERE m.kind <> '' AND (
        NOT (m.kind IN ('{FactKind.TEST_RESULT.value}', '{FactKind.HEALTH_DECLARATION.value}'))
        OR m.outcome = 'positive'
    )
    UNION
    SELECT m.person_id::text FROM members AS m
    WHERE m.kind <> '' AND EXISTS (
        SELECT 1 FROM {Fact._meta.db_table} AS f
        WHERE f.person_id = m.person_id AND {recompute.RISK}
    )
)
"""


def _member_facts_in_database(actor, source, members: MembersStatement, now):
    who = actor_fields(actor)
    first = time_ordered_ids(1)[0]
    params = members.params | {
        "f_prefix": first[:24],
        "f_start": int(first[24:], 16),
        "f_now": now,
        "f_source": source,
        "f_actor_id": str(who["actor"].pk) if who["actor"] is not None else None,
        "f_actor_name": who["actor_name"],
    }
    with connection.cursor() as cursor:
        cursor.execute(MEMBER_FACTS_SQL.replace("{members}", members.sql), params)
        written, persons = cursor.fetchone()
    return written, set(persons)


def retract_fact(
    *, actor, fact: Fact, reason: str, source: str = "manual", source_ref: str = ""
) -> Fact:
    return record_fact(
        actor=actor,
        source=source,
        source_ref=source_ref,
        person=fact.person,
        kind=FactKind.RETRACTION,
        occurred_at=timezone.now(),
        retracts=fact,
        details={"reason": reason.strip()},
    )


# Recomputing. Small sets are done at once, so whoever acted sees the result on the next
# page; large ones go to the task worker.


def _inline_limit() -> int:
    return settings.FANGYI_HEALTH_INLINE_PERSONS


def schedule_for_persons(person_ids) -> None:
    ids = [str(pk) for pk in person_ids]
    if len(ids) <= _inline_limit():
        recompute.recompute_persons(ids)
        return
    from ..tasks import recompute_persons_task

    for start in range(0, len(ids), 50_000):
        chunk = ids[start : start + 50_000]
        transaction.on_commit(partial(recompute_persons_task.enqueue, chunk))


def residents_moved_receiver(*, person_ids, **kwargs) -> None:
    """A moved resident leaves one set of zones for another: their colour follows at once."""
    if person_ids:
        schedule_for_persons(person_ids)


def schedule_for_paths(paths: list[str]) -> None:
    residents = (
        Region.objects.filter(path__in=paths).aggregate(total=Sum("resident_count"))["total"] or 0
    )
    if residents <= _inline_limit():
        recompute.recompute_under(paths)
        return
    from ..tasks import recompute_under_task

    transaction.on_commit(lambda: recompute_under_task.enqueue(list(paths)))


def schedule_everyone() -> None:
    from ..tasks import recompute_all_task

    if Person.objects.count() <= _inline_limit():
        recompute.recompute_all()
        return
    transaction.on_commit(lambda: recompute_all_task.enqueue())


# Policy


def switch_policy(*, actor, policy: Policy) -> Policy:
    require(actor, POLICY, CHANGE)
    current = Policy.objects.filter(in_force=True).first()
    if current == policy:
        return policy
    with transaction.atomic():
        Policy.objects.filter(in_force=True).update(in_force=False)
        Policy.objects.filter(pk=policy.pk).update(in_force=True)
        policy.in_force = True
        audit.record_change(
            actor=actor,
            action=ObjectChange.UPDATE,
            obj=policy,
            before={"in_force": current.label if current else None},
            after={"in_force": policy.label},
        )
        schedule_everyone()
    return policy


# Zones


def _common_path(paths: list[str]) -> str:
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[:-3] if len(common) > 6 else common[:-2]
    return common


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
    errors: dict[str, list[str]] = {}
    kind_rule = policy.zone_kind(kind)
    if kind_rule is None:
        codes = ", ".join(k["code"] for k in policy.parameters["zone_kinds"])
        errors["kind"] = [
            _("现行方案（%(policy)s）没有这种区域，可选：%(codes)s。")
            % {"policy": policy.name, "codes": codes}
        ]
    if not regions:
        errors["regions"] = [_("请至少选择一个区域。")]
    if not reason.strip():
        errors["reason"] = [_("请写明划定原因。")]
    starts_at = starts_at or timezone.now()
    if timezone.is_naive(starts_at):
        errors["starts_at"] = [_("时间必须带时区。")]
    if errors:
        raise ValidationError(errors)
    for region in regions:
        require(actor, ZONE, ADD, region.path)
    paths = sorted({region.path for region in regions})
    if not name.strip():
        name = "、".join(region.name for region in regions[:3]) + (
            _("等%(count)s处") % {"count": len(regions)} if len(regions) > 3 else ""
        )
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


def zone_state(zone: Zone, *, now: datetime.datetime | None = None) -> ZoneState:
    now = now or timezone.now()
    paths = [area.path for area in zone.areas.all()]
    residents = (
        Region.objects.filter(path__in=paths).aggregate(total=Sum("resident_count"))["total"] or 0
    )
    inside = Q()
    for path in paths:
        inside |= under("region_path", path)
    positives = Fact.objects.filter(inside).filter(
        Q(kind__in=[FactKind.CASE_CONFIRMED, FactKind.CASE_SUSPECTED])
        | Q(kind=FactKind.TEST_RESULT, outcome=TestOutcome.POSITIVE)
    )
    last_positive = positives.aggregate(last=Max("occurred_at"))["last"]
    since = max(filter(None, [last_positive, _chain_start(zone)]))
    clean_days = max(0, (now - since).days)
    kind = zone.policy.zone_kind(zone.kind) or {"code": zone.kind, "name": zone.kind, "lift": {}}
    lift = kind.get("lift") or {}
    criteria = []
    if zone.predecessor_id and lift.get("after_lowering_days"):
        needed = lift["after_lowering_days"]
        days = max(0, (now - zone.starts_at).days)
        criteria.append(
            (
                ngettext(
                    "降级后已满 %(n)s 天（现 %(d)s 天）",
                    "降级后已满 %(n)s 天（现 %(d)s 天）",
                    needed,
                )
                % {"n": needed, "d": days},
                days >= needed,
            )
        )
    elif lift.get("clean_days"):
        needed = lift["clean_days"]
        criteria.append(
            (
                ngettext(
                    "连续 %(n)s 天无新增阳性（现 %(d)s 天）",
                    "连续 %(n)s 天无新增阳性（现 %(d)s 天）",
                    needed,
                )
                % {"n": needed, "d": clean_days},
                clean_days >= needed,
            )
        )
    if lift.get("negative_round_days"):
        window = lift["negative_round_days"]
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
        criteria.append(
            (
                ngettext(
                    "%(n)s 天内全员核酸阴性（%(t)s / %(r)s 人）",
                    "%(n)s 天内全员核酸阴性（%(t)s / %(r)s 人）",
                    window,
                )
                % {"n": window, "t": tested, "r": residents},
                residents > 0 and tested >= residents,
            )
        )
    return ZoneState(zone, kind, residents, last_positive, clean_days, criteria)


# Appeals


def file_appeal(
    *,
    actor,
    person: Person,
    reason: str,
    fact: Fact | None = None,
    zone: Zone | None = None,
    on_behalf: bool = True,
) -> Appeal:
    """Contest one fact or one zone. Residents file for themselves (the portal); staff on behalf."""
    if on_behalf:
        require(actor, APPEAL, ADD, person.region_path)
    errors = {}
    if (fact is None) == (zone is None):
        errors["fact"] = [_("请指明申诉的一条记录或一个管控区域。")]
    elif fact is not None:
        if fact.person_id != person.pk:
            errors["fact"] = [_("只能对本人的记录提出申诉。")]
        elif fact.kind == FactKind.RETRACTION:
            errors["fact"] = [_("撤销记录不能申诉。")]
        elif Fact.objects.filter(retracts=fact).exists():
            errors["fact"] = [_("该记录已被撤销，无需申诉。")]
        elif Appeal.objects.filter(fact=fact, state=Appeal.State.OPEN).exists():
            errors["fact"] = [_("该记录已有待处理的申诉。")]
    else:
        # Exactly one of fact and zone is given (tested first), and it is not the fact.
        assert zone is not None
        if zone.lifted_at is not None:
            errors["zone"] = [_("该区域已经解除，无需申诉。")]
        elif not zone.areas.filter(path__in=ancestor_paths(person.region_path)).exists():
            errors["zone"] = [_("该居民不在此区域内。")]
        elif Appeal.objects.filter(person=person, zone=zone, state=Appeal.State.OPEN).exists():
            errors["zone"] = [_("已有针对该区域的待处理申诉。")]
    if not reason.strip():
        errors["reason"] = [_("请写明申诉理由。")]
    if errors:
        raise ValidationError(errors)
    who = actor_fields(actor)
    with transaction.atomic():
        appeal = Appeal.objects.create(
            person=person,
            fact=fact,
            zone=zone,
            region_path=person.region_path,
            reason=reason.strip(),
            filed_by=who["actor"],
            filed_by_name=who["actor_name"],
            on_behalf=on_behalf,
        )
        audit.record_created(actor=actor, obj=appeal, fields=["person", "fact", "zone", "reason"])
    return appeal


def decide_appeal(*, actor, appeal: Appeal, accept: bool, note: str) -> Appeal:
    require(actor, APPEAL, CHANGE, appeal.region_path)
    if appeal.state != Appeal.State.OPEN:
        raise ValidationError({"appeal": _("该申诉已经处理。")})
    if appeal.fact is not None and appeal.fact.actor_id == actor.pk:
        raise PermissionDenied(_("该事实由您记录，须由其他干部处理申诉。"))
    if appeal.zone is not None and appeal.zone.created_by_id == actor.pk:
        raise PermissionDenied(_("该区域由您划定，须由其他干部处理申诉。"))
    if not note.strip():
        raise ValidationError({"note": _("请写明处理意见。")})
    now = timezone.now()
    with transaction.atomic():
        retraction = None
        if accept and appeal.fact is not None:
            retraction = retract_fact(
                actor=actor,
                fact=appeal.fact,
                reason=note,
                source="appeal",
                source_ref=str(appeal.pk),
            )
        state = Appeal.State.ACCEPTED if accept else Appeal.State.REJECTED
        Appeal.objects.filter(pk=appeal.pk).update(
            state=state,
            decided_by=actor,
            decided_at=now,
            decision_note=note.strip(),
            retraction=retraction,
        )
        appeal.refresh_from_db()
        audit.record_updated(
            actor=actor,
            obj=appeal,
            before={"state": Appeal.State.OPEN},
            after={"state": state, "note": appeal.decision_note},
        )
    return appeal


# Manual decisions


def _covering_length(user, resource: str, action: str, path: str) -> int | None:
    """How high the user's widest grant covering `path` sits: 0 for everywhere, None for none."""
    paths = scope_paths(user, resource, action)
    if paths is EVERYWHERE:
        return 0
    lengths = [len(p) for p in paths if path.startswith(p)]
    return min(lengths) if lengths else None


def propose_decision(
    *, actor, person: Person, colour: str, reason: str, expires_at: datetime.datetime
) -> ManualDecision:
    require(actor, DECISION, ADD, person.region_path)
    now = timezone.now()
    errors = {}
    colours = Policy.objects.in_force().parameters.get("colours") or Colour.values
    if colour not in colours:
        errors["colour"] = [
            _("现行方案使用的颜色为：%(colours)s。") % {"colours": ", ".join(colours)}
        ]
    if len(reason.strip()) < 10:
        errors["reason"] = [_("请写明理由（至少 10 个字）。")]
    if timezone.is_naive(expires_at):
        errors["expires_at"] = [_("时间必须带时区。")]
    elif expires_at <= now:
        errors["expires_at"] = [_("到期时间必须晚于现在。")]
    elif expires_at > now + MAX_MANUAL:
        errors["expires_at"] = [_("人工判定最长 72 小时。")]
    if errors:
        raise ValidationError(errors)
    who = actor_fields(actor)
    with transaction.atomic():
        decision = ManualDecision.objects.create(
            person=person,
            region_path=person.region_path,
            colour=colour,
            reason=reason.strip(),
            expires_at=expires_at,
            proposed_by=who["actor"],
            proposed_by_name=who["actor_name"],
        )
        audit.record_created(
            actor=actor, obj=decision, fields=["person", "colour", "reason", "expires_at"]
        )
    return decision


def approve_decision(*, actor, decision: ManualDecision, approve: bool, note: str = ""):
    """The second pair of eyes: someone else, holding the right at the same or a higher level."""
    require(actor, DECISION, CHANGE, decision.region_path)
    if decision.state != ManualDecision.State.PENDING:
        raise ValidationError({"decision": _("该判定已经处理。")})
    if decision.proposed_by_id == actor.pk:
        raise PermissionDenied(_("人工判定须由另一名干部审批。"))
    mine = _covering_length(actor, DECISION, CHANGE, decision.region_path)
    theirs = (
        _covering_length(decision.proposed_by, DECISION, ADD, decision.region_path)
        if decision.proposed_by
        else 0
    )
    if mine is None or (theirs is not None and mine > theirs):
        raise PermissionDenied(_("审批人须来自与提出人同级或更高一级的区域。"))
    now = timezone.now()
    if approve and decision.expires_at <= now:
        raise ValidationError({"decision": _("该判定已过期，无法批准。")})
    if not approve and not note.strip():
        raise ValidationError({"note": _("驳回时请写明原因。")})
    state = ManualDecision.State.APPROVED if approve else ManualDecision.State.REJECTED
    with transaction.atomic():
        ManualDecision.objects.filter(pk=decision.pk).update(
            state=state,
            approved_by=actor,
            approved_by_name=actor.get_username(),
            decided_at=now,
            decision_note=note.strip(),
        )
        decision.refresh_from_db()
        audit.record_updated(
            actor=actor,
            obj=decision,
            before={"state": ManualDecision.State.PENDING},
            after={"state": state, "note": decision.decision_note},
        )
        schedule_for_persons([decision.person_id])
    return decision


def revoke_decision(*, actor, decision: ManualDecision, note: str) -> ManualDecision:
    require(actor, DECISION, CHANGE, decision.region_path)
    if decision.state not in (ManualDecision.State.PENDING, ManualDecision.State.APPROVED):
        raise ValidationError({"decision": _("该判定已经结束。")})
    if not note.strip():
        raise ValidationError({"note": _("请写明撤销原因。")})
    before = decision.state
    with transaction.atomic():
        ManualDecision.objects.filter(pk=decision.pk).update(
            state=ManualDecision.State.REVOKED,
            decision_note=note.strip(),
            decided_at=timezone.now(),
        )
        decision.refresh_from_db()
        audit.record_updated(
            actor=actor,
            obj=decision,
            before={"state": before},
            after={"state": decision.state, "note": decision.decision_note},
        )
        schedule_for_persons([decision.person_id])
    return decision


def current_status(person: Person) -> Status:
    """The stored status, computed first if this person has none yet or the moment it said it
    would change has passed (the minute sweep may not have run yet)."""
    status = Status.objects.filter(person=person).first()
    if status is None or (status.valid_until is not None and status.valid_until <= timezone.now()):
        recompute.recompute_persons([person.pk])
        status = Status.objects.get(person=person)
    return status

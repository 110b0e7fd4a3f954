"""Facts one at a time or as a checked list, a resident's own declarations, and retractions."""

import datetime
import math
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.audit import actor_fields
from fangyi.core.permissions import ADD, require
from fangyi.people.models import Person

from ..area import FACT
from ..models import Fact, FactKind, QuarantineSetting, TestOutcome, TubeKind
from ..signals import RecordedFact, announce
from .scheduling import schedule_for_persons

EARLIEST = datetime.datetime(2019, 12, 1, tzinfo=datetime.UTC)
# Clocks on phones and lab machines drift; a fact a few minutes "in the future" is not an error.
CLOCK_SKEW = datetime.timedelta(minutes=10)
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
        announce([_recorded(fact) for fact in facts])
    return facts


def _recorded(fact: Fact) -> RecordedFact:
    return RecordedFact(fact.pk, fact.person_id, fact.kind, fact.occurred_at)


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
        announce([_recorded(fact)])
    return fact


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

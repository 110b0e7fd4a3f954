"""Appeals against one fact or one zone, and their decision."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.audit import actor_fields
from fangyi.core.permissions import ADD, CHANGE, require
from fangyi.people.models import Person
from fangyi.regions.models import ancestor_paths

from .. import signals
from ..area import APPEAL
from ..models import Appeal, Fact, FactKind, Zone
from .facts import retract_fact


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
        signals.announce_decision(appeal.pk, accepted=accept, note=appeal.decision_note)
    return appeal

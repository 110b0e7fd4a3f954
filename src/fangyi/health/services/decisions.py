"""Manual colour decisions: proposed by one officer, approved by another of the same or a
higher level, revoked."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.audit import actor_fields
from fangyi.core.permissions import ADD, CHANGE, EVERYWHERE, require, scope_paths
from fangyi.people.models import Person

from ..area import DECISION
from ..models import Colour, ManualDecision, Policy
from .scheduling import schedule_for_persons

MAX_MANUAL = datetime.timedelta(hours=72)


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

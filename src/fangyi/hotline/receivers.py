"""The other areas' signals that finish the work a ticket started (connected in apps.py)."""

from django.utils.translation import gettext as _

from . import services
from .models import LinkKind


def supply_request_finished(sender, *, request_id, state, hotline_ticket, note, **kwargs) -> None:
    if not hotline_ticket:
        return
    delivered = state == "delivered"
    services.link_finished(
        kind=LinkKind.SUPPLY_REQUEST,
        target_id=request_id,
        succeeded=delivered,
        outcome=(_("已送达") if delivered else _("已取消")) + (f"（{note}）" if note else ""),
    )


def field_task_finished(sender, *, task_id, source, status, note, **kwargs) -> None:
    if source != services.SOURCE:
        return
    done = status == "done"
    services.link_finished(
        kind=LinkKind.FIELD_TASK,
        target_id=task_id,
        succeeded=done,
        outcome=(_("已完成") if done else _("未能完成")) + (f"（{note}）" if note else ""),
    )


def appeal_decided(sender, *, appeal_id, accepted, note, **kwargs) -> None:
    services.link_finished(
        kind=LinkKind.HEALTH_APPEAL,
        target_id=appeal_id,
        succeeded=True,
        outcome=(_("申诉已采纳") if accepted else _("申诉已驳回")) + f"（{note}）",
    )

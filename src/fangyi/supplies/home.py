"""The supplies cards: open requests past their limit, and how many of them are priority."""

from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.areas import Todo, bounded_count
from fangyi.core.permissions import VIEW

from .models import OPEN_STATES, Request


def overdue(user) -> Todo:
    """Open requests past their limit in the user's scope (from the partial index on the
    open requests' limits)."""
    late = Request.objects.restrict(user, VIEW).filter(
        state__in=OPEN_STATES, due_at__lt=timezone.now()
    )
    count, more = bounded_count(late)
    if not count:
        return Todo(count=0)
    priority, priority_more = bounded_count(late.filter(priority=True))
    note = ""
    if priority:
        note = _("其中优先保障户 %(n)s%(more)s 件") % {
            "n": priority,
            "more": "+" if priority_more else "",
        }
    return Todo(count=count, more=more, note=note)

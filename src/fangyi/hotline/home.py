"""The hotline's home-page cards: tickets waiting for the user's units, and callbacks due."""

from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.areas import Todo, bounded_count

from . import queries
from .models import State


def waiting_for_my_units(user) -> Todo:
    """Open tickets of the user's units; how many are past their limit, and how many still
    wait to be accepted."""
    if not queries.units_of(user):
        return Todo(count=0)
    waiting = queries.inbox(user, queries.InboxFilter())
    count, more = bounded_count(waiting)
    if not count:
        return Todo(count=0)
    late, late_more = bounded_count(waiting.filter(due_at__lt=timezone.now()))
    to_accept, accept_more = bounded_count(waiting.filter(state=State.DISPATCHED))
    note = _("超时 %(late)s%(late_more)s 件，待签收 %(accept)s%(accept_more)s 件") % {
        "late": late,
        "late_more": "+" if late_more else "",
        "accept": to_accept,
        "accept_more": "+" if accept_more else "",
    }
    return Todo(count=count, more=more, note=note)


def callbacks_due(user) -> Todo:
    count, more = bounded_count(queries.callbacks_due(user))
    return Todo(count=count, more=more)


def overdue(user) -> Todo:
    count, more = bounded_count(queries.late(user).filter(due_at__lt=timezone.now()))
    return Todo(count=count, more=more)

"""The isolation cards: people waiting to be placed, and orders past their planned end."""

from django.urls import reverse
from django.utils.translation import gettext as _

from fangyi.core.areas import Todo, bounded_count
from fangyi.core.permissions import ADD, VIEW

from . import readiness
from .models import Order, OrderState


def to_place(user) -> Todo:
    count, more = bounded_count(Order.objects.restrict(user, ADD).filter(state=OrderState.TO_PLACE))
    return Todo(count=count, more=more)


# The card assesses at most this many due orders, the earliest: a card must stay cheap.
ASSESSED = 1000


def due(user) -> Todo:
    """Running orders whose planned end has come, and how many of them are overdue (not ready
    for release), among the earliest ASSESSED."""
    due_orders = readiness.due(Order.objects.restrict(user, VIEW))
    count, more = bounded_count(due_orders)
    if not count:
        return Todo(count=0)
    earliest = list(due_orders.order_by("planned_end_at").values_list("pk", flat=True)[:ASSESSED])
    verdicts = readiness.assess(Order.objects.filter(pk__in=earliest)).values()
    overdue = sum(1 for verdict in verdicts if not verdict.ready)
    note = _("其中 %(n)s%(more)s 人超期未解除") % {
        "n": overdue,
        "more": "+" if len(earliest) == ASSESSED and overdue else "",
    }
    return Todo(count=count, more=more, note=note, url=reverse("isolation:due"))

"""The isolation cards: people waiting to be placed, and orders past their planned end."""

from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.areas import Todo, bounded_count
from fangyi.core.permissions import ADD, VIEW

from .models import RUNNING_STATES, Order, OrderState


def to_place(user) -> Todo:
    count, more = bounded_count(Order.objects.restrict(user, ADD).filter(state=OrderState.TO_PLACE))
    return Todo(count=count, more=more)


def due(user) -> Todo:
    """Orders whose planned end has come and which are still running: each is ready or overdue;
    the due page says which and why (the readiness of each is not computed for a card)."""
    count, more = bounded_count(
        Order.objects.restrict(user, VIEW).filter(
            state__in=RUNNING_STATES, planned_end_at__lte=timezone.now()
        )
    )
    note = _("已到解除时间，请核对是否可以解除") if count else ""
    return Todo(count=count, more=more, note=note)

"""The investigations card: open cases with a clock past its limit, in the user's scope."""

from django.utils import timezone

from fangyi.core.areas import Todo, bounded_count
from fangyi.core.permissions import VIEW

from .models import Investigation
from .services import late_condition


def late_clocks(user) -> Todo:
    late = Investigation.objects.restrict(user, VIEW).filter(late_condition(timezone.now()))
    count, more = bounded_count(late)
    return Todo(count=count, more=more)

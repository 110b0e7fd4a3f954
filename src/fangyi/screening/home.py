"""The screening card: tubes the lab has received and not yet resulted."""

import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from fangyi.core.areas import Todo, bounded_count
from fangyi.core.permissions import VIEW

from .lab.services import lab_tubes
from .models import TubeState

# Tubes are counted by their opening time (the tube_opened index), not over the whole table.
RECENT = datetime.timedelta(days=3)


def tubes_awaiting_results(user) -> Todo:
    waiting = lab_tubes(user, VIEW).filter(
        opened_at__gte=timezone.now() - RECENT, state=TubeState.RECEIVED
    )
    count, more = bounded_count(waiting)
    return Todo(
        count=count,
        more=more,
        url=reverse("screening:lab") + "?" + urlencode({"state": TubeState.RECEIVED}),
    )

"""What the sweeps tests share: starting a sweep over regions, and visits as a phone sends them."""

import datetime
import uuid

from django.utils import timezone

from fangyi.sweeps import services
from tests.support import later


def start(actor, *regions, title: str = "全员排查", sections=None):
    return services.start_sweep(
        actor=actor, title=title, regions=list(regions), deadline=later(days=2), sections=sections
    )


def visit(household, *, outcome: str = "answered", answers=None, at=None, pk=None):
    return services.VisitInput(
        id=pk or uuid.uuid4(),
        household_id=household.pk,
        visited_at=at or timezone.now() - datetime.timedelta(minutes=1),
        outcome=outcome,
        answers=answers or {},
    )


def upload(actor, sweep, *visits):
    return services.upload_visits(actor=actor, sweep=sweep, items=list(visits))

"""What the daily cycle's tests share: yesterday's default cut-off (in the past whatever the
hour the tests run, so that requests made around it are not made in the future), and
accepted requests made at a given time."""

import datetime

from django.utils import timezone

from fangyi.supplies import services
from fangyi.supplies.models import RequestState


def cut_off_yesterday() -> datetime.datetime:
    return datetime.datetime.combine(
        timezone.localdate() - datetime.timedelta(days=1),
        datetime.time(16, 0),
        timezone.get_current_timezone(),
    )


def accepted(actor, household, draft, *, at: datetime.datetime):
    request = services.submit(actor=actor, household=household, draft=draft, now=at)
    return services.transition(actor=actor, request=request, to_state=RequestState.ACCEPTED)


def package(item, quantity=1):
    return services.Draft(
        kind="package", items=[services.ItemInput(quantity=quantity, catalogue_item=item)]
    )

"""Demo daily cycle: the sealed zone's community closes its batch early (as an officer would
on the day of a lockdown), so that the demo has a pick list, delivery lists and delivery tasks
in the pool of the zone's grid; the demo volunteer claims one when it is in their grid.

Through the services as the demo administrator and volunteer. Made once: a community whose
batch exists is left as it is.
"""

import dataclasses
import datetime

from django.utils import timezone

from fangyi.accounts.models import User
from fangyi.core import permissions
from fangyi.fieldwork import services as fieldwork
from fangyi.fieldwork.models import Task
from fangyi.regions.models import Level, Region
from fangyi.supplies.cycle import services
from fangyi.supplies.cycle.models import Batch

from .supplies import sealed_path


@dataclasses.dataclass
class CycleSeed:
    batch_requests: int
    delivery_tasks: int
    claimed: int


def seed_cycle() -> CycleSeed | None:
    community = Region.objects.filter(
        path=sealed_path()[: services.COMMUNITY_PATH], level=Level.COMMUNITY
    ).first()
    if community is None or Batch.objects.filter(region=community).exists():
        return None
    admin = User.objects.get(username=permissions.ADMIN)
    now = timezone.now()
    today = timezone.localdate(now)
    cut_off = services.times_of([community.path])[community.path].moments(today)[0]
    # Closing early closes the batch whose cut-off is still ahead: today's, or once today's
    # has passed, tomorrow's, which the requests accepted since belong to (today's would
    # take only those from before its cut-off, and a demo seeded in the evening had one).
    day = today if now < cut_off else today + datetime.timedelta(days=1)
    batch = services.form_batch(actor=admin, region=community, day=day, now=now)
    tasks = Task.objects.filter(
        source=services.TASK_SOURCE,
        source_ref__in=[str(pk) for pk in batch.entries.values_list("request_id", flat=True)],
    ).order_by("due_at", "id")
    claimed = 0
    volunteer = User.objects.filter(username=permissions.VOLUNTEER).first()
    first = tasks.first()
    if volunteer is not None and first is not None and fieldwork.may_claim(volunteer, first):
        fieldwork.claim(actor=volunteer, task=first)
        claimed = 1
    return CycleSeed(batch_requests=batch.requests, delivery_tasks=tasks.count(), claimed=claimed)

"""The daily cycle in each side of the scope world: a vegetable package accepted for the
side's first household before yesterday's cut-off, the community's batch of yesterday, and
the delivery task it made, in the grid's pool; and insulin asked today, not yet sent."""

import datetime
from decimal import Decimal

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.fieldwork.models import Task
from fangyi.supplies import services as supplies
from fangyi.supplies.cycle import services
from fangyi.supplies.models import ItemKind, RequestState


def objects(side, users) -> None:
    admin = users[p.ADMIN]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    cut = datetime.datetime.combine(
        yesterday, datetime.time(16, 0), timezone.get_current_timezone()
    )
    item = supplies.add_item(
        actor=admin,
        region=side.community,
        kind=ItemKind.PACKAGE,
        name="平价蔬菜包",
        unit="份",
        price=Decimal("29.90"),
    )
    request = supplies.submit(
        actor=admin,
        household=side.household,
        draft=supplies.Draft(
            kind="package", items=[supplies.ItemInput(quantity=1, catalogue_item=item)]
        ),
        now=cut - datetime.timedelta(hours=1),
    )
    supplies.transition(actor=admin, request=request, to_state=RequestState.ACCEPTED)
    side.batch = services.form_batch(actor=admin, region=side.community, day=yesterday)
    side.cycle_task = Task.objects.get(source=services.TASK_SOURCE, source_ref=str(request.pk))
    # Insulin asked today: what an officer or the grid sends at once (立即派送).
    side.urgent_request = supplies.submit(
        actor=admin,
        household=side.household,
        draft=supplies.Draft(
            kind="medicine",
            items=[supplies.ItemInput(quantity=2, name="胰岛素笔芯", unit="支", dose="每日两次")],
            chronic_condition="糖尿病",
        ),
    )

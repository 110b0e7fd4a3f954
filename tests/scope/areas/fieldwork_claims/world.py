"""The delivery pool in each side of the scope world: two open deliveries nobody holds, for
the side's first household, one to claim and one a case claims for its caller to unclaim."""

import datetime

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.fieldwork import services


def _delivery(admin, side, title: str):
    return services.create_task(
        actor=admin,
        kind="delivery",
        household=side.household,
        title=title,
        due_at=timezone.now() + datetime.timedelta(hours=12),
    )


def objects(side, users) -> None:
    admin = users[p.ADMIN]
    side.pool_task = _delivery(admin, side, "蔬菜包")
    side.unclaim_task = _delivery(admin, side, "药品")

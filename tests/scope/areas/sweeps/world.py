"""Sweeps in each side of the scope world: a sweep over the side's grid started by the
administrator, with the side's building given to the grid worker and the side's first household
visited (its resident confirmed)."""

import datetime
import uuid

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.sweeps import services


def objects(side, users) -> None:
    admin = users[p.ADMIN]
    side.sweep = services.start_sweep(
        actor=admin,
        title=f"{side.city.name}入户排查",
        regions=[side.grid],
        deadline=timezone.now() + datetime.timedelta(days=3),
    )
    services.assign_building(
        actor=admin, sweep=side.sweep, building=side.building, assignee=users[p.GRID_WORKER]
    )
    services.upload_visits(
        actor=admin,
        sweep=side.sweep,
        items=[
            services.VisitInput(
                id=uuid.uuid4(),
                household_id=side.household.pk,
                visited_at=timezone.now(),
                outcome="answered",
                answers={"members": [{"person": str(side.person.pk), "status": "here"}]},
            )
        ],
    )

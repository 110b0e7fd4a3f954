"""Sweeps in each side of the scope world: a sweep over the side's grid started by the
administrator, with the side's building given to the grid worker, the side's first household
visited twice (its resident confirmed, with a newcomer whose ID number is wrong refused, then
a second visit set aside as a conflict) and the elder's door not answered twice (listed for
the community)."""

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
    now = timezone.now()
    side.conflict_visit = uuid.uuid4()
    side.refused_visit = uuid.uuid4()
    wrong_number = "350102198005170000"
    services.upload_visits(
        actor=admin,
        sweep=side.sweep,
        items=[
            services.VisitInput(
                id=pk,
                household_id=side.household.pk,
                visited_at=now - datetime.timedelta(minutes=minutes),
                outcome="answered",
                answers={"members": [{"person": str(side.person.pk), "status": status}]}
                | newcomers,
            )
            for pk, minutes, status, newcomers in (
                (
                    side.refused_visit,
                    3,
                    "here",
                    {"newcomers": [{"name": "赵新来", "id_number": wrong_number}]},
                ),
                (side.conflict_visit, 2, "away", {}),
            )
        ]
        + [
            services.VisitInput(
                id=uuid.uuid4(),
                household_id=side.elder.household_id,
                visited_at=now - datetime.timedelta(minutes=minutes),
                outcome="not_answered",
            )
            for minutes in (3, 2)
        ],
    )

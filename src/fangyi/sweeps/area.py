"""Door-to-door household sweeps (入户排查): an officer starts a sweep over regions with a
question set; every household becomes a visit on its grid's worklist (fieldwork tasks); grid
leaders split buildings among their team; workers record visits on the phone, offline, and
upload them; the answers become people changes, health facts and tags through the owning
services; coverage per region down to building, and the unvisited doors."""

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import ApiRouter, Area, NavLink, Urls, register
from fangyi.core.permissions import (
    ADD,
    ADMIN,
    ALL,
    CHANGE,
    COMMANDER,
    EXPORT,
    GRID_LEADER,
    GRID_WORKER,
    OFFICER,
    VIEW,
    VOLUNTEER,
)
from fangyi.health.area import HEALTH_GROUP

# A sweep: start (add), split buildings and end it (change), export its coverage.
SWEEP = "sweep"
# A visit to a door: recorded (add) by the grid team.
SWEEP_VISIT = "sweep_visit"

register(
    Area(
        name="sweeps",
        grants={
            SWEEP: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW, ADD, CHANGE, EXPORT}),
                OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT}),
                GRID_LEADER: frozenset({VIEW, CHANGE, EXPORT}),
                GRID_WORKER: frozenset({VIEW}),
                VOLUNTEER: frozenset({VIEW}),
            },
            SWEEP_VISIT: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW}),
                OFFICER: frozenset({VIEW, ADD}),
                GRID_LEADER: frozenset({VIEW, ADD}),
                GRID_WORKER: frozenset({VIEW, ADD}),
                VOLUNTEER: frozenset({VIEW, ADD}),
            },
        },
        nav=(
            NavLink(_("入户排查"), "sweeps:list", ((SWEEP, VIEW),), group=HEALTH_GROUP, order=70),
        ),
        urls=(Urls("sweeps/", "fangyi.sweeps.urls"),),
        api=(ApiRouter("/sweeps", "fangyi.sweeps.api.router"),),
    )
)

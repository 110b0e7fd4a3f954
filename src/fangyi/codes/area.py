"""Health codes: issuing card codes (add), looking a card's colour up (view), revoking codes
(change)."""

from datetime import timedelta

from fangyi.core.areas import ApiRouter, Area, Periodic, Urls, register
from fangyi.core.permissions import (
    ADD,
    ADMIN,
    ALL,
    CHANGE,
    CHECKPOINT,
    COMMANDER,
    GRID_LEADER,
    GRID_WORKER,
    OFFICER,
    VIEW,
)

CODE = "code"

register(
    Area(
        name="codes",
        grants={
            CODE: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW, ADD, CHANGE}),
                OFFICER: frozenset({VIEW, ADD, CHANGE}),
                GRID_LEADER: frozenset({VIEW, ADD, CHANGE}),
                GRID_WORKER: frozenset({VIEW, ADD}),
                CHECKPOINT: frozenset({VIEW}),
            },
        },
        urls=(Urls("codes/", "fangyi.codes.urls"),),
        api=(
            ApiRouter("/codes", "fangyi.codes.api.router"),
            ApiRouter("/persons", "fangyi.codes.api.persons_router"),
        ),
        periodic=(
            Periodic(
                "codes.purge",
                every=timedelta(hours=1),
                task="fangyi.codes.tasks.purge_expired_task",
            ),
        ),
    )
)

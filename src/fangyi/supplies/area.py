"""Supplies: the catalogue and households' requests for goods, medicines and daily help."""

from fangyi.core.areas import Area, register
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

SUPPLY_REQUEST = "supply_request"
CATALOGUE = "supply_catalogue"

_SEE = frozenset({VIEW})

register(
    Area(
        name="supplies",
        grants={
            SUPPLY_REQUEST: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW, EXPORT}),
                OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT}),
                GRID_LEADER: frozenset({VIEW, ADD, CHANGE}),
                GRID_WORKER: frozenset({VIEW, ADD, CHANGE}),
                VOLUNTEER: _SEE,
            },
            CATALOGUE: {
                ADMIN: ALL,
                COMMANDER: _SEE,
                OFFICER: frozenset({VIEW, ADD, CHANGE}),
                GRID_LEADER: _SEE,
                GRID_WORKER: _SEE,
            },
        },
    )
)

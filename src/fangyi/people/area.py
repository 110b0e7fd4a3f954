"""Residents and households: their permission resources and the residents' link."""

from django.utils.translation import pgettext_lazy

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
    REVEAL,
    SAMPLER,
    VIEW,
    VOLUNTEER,
)

HOUSEHOLD, PERSON = "household", "person"

# Grid teams keep their residents' ledgers: everything but deleting.
_PEOPLE_EDIT = frozenset({VIEW, ADD, CHANGE, REVEAL, EXPORT})
_PEOPLE_GRANTS = {
    ADMIN: ALL,
    COMMANDER: frozenset({VIEW, REVEAL, EXPORT}),
    OFFICER: ALL,
    GRID_LEADER: _PEOPLE_EDIT,
    GRID_WORKER: _PEOPLE_EDIT,
    VOLUNTEER: frozenset({VIEW}),
}

register(
    Area(
        name="people",
        grants={
            HOUSEHOLD: _PEOPLE_GRANTS,
            # Samplers look residents up (masked) to swab them.
            PERSON: _PEOPLE_GRANTS | {SAMPLER: frozenset({VIEW})},
        },
        nav=(
            NavLink(
                pgettext_lazy("navigation", "居民"),
                "people:person-list",
                ((PERSON, VIEW),),
                order=20,
            ),
        ),
        urls=(Urls("people/", "fangyi.people.urls"),),
        api=(
            ApiRouter("/persons", "fangyi.people.api.persons_router"),
            ApiRouter("/households", "fangyi.people.api.households_router"),
        ),
    )
)

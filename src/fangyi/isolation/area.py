"""Isolation: quarantine sites, isolation orders, daily check-ins and transfers."""

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import ApiRouter, Area, Urls, register
from fangyi.core.permissions import (
    ADD,
    ADMIN,
    ALL,
    CHANGE,
    COMMANDER,
    GRID_LEADER,
    GRID_WORKER,
    OFFICER,
    VIEW,
    Role,
)

ORDER = "isolation_order"
SITE = "isolation_site"
TRANSFER = "transfer"

# Staff of a centralised quarantine site: they check people in and out of rooms and take
# their temperatures, in the site's region.
SITE_STAFF = "site_staff"

_MANAGE = frozenset({VIEW, ADD, CHANGE})
_WORK = frozenset({VIEW, CHANGE})
_SEE = frozenset({VIEW})

register(
    Area(
        name="isolation",
        roles=(Role(SITE_STAFF, _("隔离点工作人员"), 75),),
        grants={
            ORDER: {
                ADMIN: ALL,
                COMMANDER: _SEE,
                OFFICER: _MANAGE,
                GRID_LEADER: _WORK,
                GRID_WORKER: _WORK,
                SITE_STAFF: _WORK,
            },
            SITE: {ADMIN: ALL, COMMANDER: _SEE, OFFICER: _MANAGE, SITE_STAFF: _WORK},
            TRANSFER: {ADMIN: ALL, COMMANDER: _SEE, OFFICER: _MANAGE, SITE_STAFF: _SEE},
        },
        urls=(
            Urls("isolation/", "fangyi.isolation.urls"),
            Urls("isolation/documents/", "fangyi.isolation.documents.urls"),
        ),
        api=(
            ApiRouter("/isolation", "fangyi.isolation.api.router"),
            ApiRouter("/isolation/documents", "fangyi.isolation.documents.api.router"),
        ),
    )
)

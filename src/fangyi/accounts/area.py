"""Staff: who works where, in which role."""

from django.utils.translation import gettext_lazy as _

from fangyi.core.area import MANAGE_GROUP
from fangyi.core.areas import Area, NavLink, Urls, register
from fangyi.core.permissions import ADD, ADMIN, ALL, CHANGE, COMMANDER, GRID_LEADER, OFFICER, VIEW

STAFF = "staff"

register(
    Area(
        name="accounts",
        grants={
            STAFF: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW}),
                OFFICER: frozenset({VIEW, ADD, CHANGE}),
                GRID_LEADER: frozenset({VIEW}),
            },
        },
        nav=(
            NavLink(
                _("工作人员"), "accounts:staff-list", ((STAFF, VIEW),), group=MANAGE_GROUP, order=10
            ),
        ),
        urls=(Urls("", "fangyi.accounts.urls"),),
    )
)

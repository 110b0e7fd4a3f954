"""Necessities monitoring (生活必需品量价监测): monitoring points and their reporters, the
daily price and stock reports of a basket of items, and a traffic light per item and region
computed from them by the warning rules in force."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangyi.core.area import MANAGE_GROUP
from fangyi.core.areas import ApiRouter, Area, Card, NavLink, Periodic, Urls, WorkScreen, register
from fangyi.core.permissions import (
    ADD,
    ADMIN,
    ALL,
    CHANGE,
    COMMANDER,
    OFFICER,
    VIEW,
    Role,
)

MARKET_POINT = "market_point"
PRICE_REPORT = "price_report"
MARKET_LIGHT = "market_light"
MARKET_RULES = "market_rules"

# Reporters (价格监测员) send their points' prices and stock every morning. The matrix lets
# them add reports in their region; the services narrow that to the points they are
# assigned to (`services.points_for`), as transfer does for drivers.
REPORTER = "price_reporter"

_SEE = frozenset({VIEW})

register(
    Area(
        name="markets",
        roles=(Role(REPORTER, _("价格监测员"), 97),),
        grants={
            MARKET_POINT: {
                ADMIN: ALL,
                COMMANDER: _SEE,
                OFFICER: frozenset({VIEW, ADD, CHANGE}),
                REPORTER: _SEE,
            },
            PRICE_REPORT: {
                ADMIN: ALL,
                COMMANDER: _SEE,
                OFFICER: frozenset({VIEW, ADD, CHANGE}),
                REPORTER: frozenset({VIEW, ADD}),
            },
            # change: record an action taken against a light.
            MARKET_LIGHT: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW, CHANGE}),
                OFFICER: frozenset({VIEW, CHANGE}),
            },
            # The warning rules are the installation's: the command centre sets the lockdown
            # date the baseline method counts back from.
            MARKET_RULES: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW, CHANGE}),
                OFFICER: _SEE,
            },
        },
        nav=(
            # In the 管理 dropdown: a top-level link of its own no longer fits the
            # administrator's bar on one row at 1280 px.
            NavLink(
                _("物价红绿灯"),
                "markets:lights",
                ((MARKET_LIGHT, VIEW),),
                group=MANAGE_GROUP,
                order=40,
            ),
            NavLink(
                _("价格填报"),
                "markets:report",
                ((PRICE_REPORT, ADD),),
                unless=(MARKET_LIGHT, VIEW),
                order=76,
            ),
        ),
        cards=(
            Card(
                key="markets-missing",
                title=_("10:00 前未报价的监测点"),
                empty=_("今天的监测点都已报价。"),
                url_name="markets:missing",
                roles=frozenset({ADMIN, COMMANDER, OFFICER}),
                shown_to=(PRICE_REPORT, VIEW),
                compute="fangyi.markets.home.not_reported",
                order=80,
            ),
        ),
        work_screens=(WorkScreen(REPORTER, url_name="markets:report"),),
        urls=(Urls("markets/", "fangyi.markets.urls"),),
        api=(ApiRouter("/markets", "fangyi.markets.api.router"),),
        periodic=(
            # Windows move with the date even on a day nobody reports: every light is
            # recomputed shortly after midnight and again after the morning deadline.
            Periodic(
                "markets.recompute-lights",
                every=timedelta(hours=6),
                task="fangyi.markets.tasks.recompute_lights_task",
            ),
        ),
    )
)

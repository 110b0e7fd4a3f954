"""Enterprises back at work (企业复工复产): the register of enterprises, their applications to
reopen, and the enterprise account that links its employees and sees, of each, only whether
they may come to work."""

from django.utils.translation import gettext_lazy as _

from fangyi.checkpoints.area import SCAN, VENUE
from fangyi.core.areas import ApiRouter, Area, NavLink, Urls, WorkScreen, register
from fangyi.core.permissions import ADD, ADMIN, ALL, CHANGE, COMMANDER, OFFICER, VIEW, Role

# The officers' list sits in the command centre's menu group, named by its key: nothing
# imports the command area, which reads this one.
COMMAND_GROUP = "command"

ENTERPRISE = "enterprise"
EMPLOYEE = "employee"

# An enterprise's own account (企业账号). It is assigned at its enterprise's region, but the
# services narrow every right it holds to the enterprises it is a member of
# (`services.enterprises_for`), as markets do for reporters.
ACCOUNT = "enterprise"

register(
    Area(
        name="enterprises",
        roles=(Role(ACCOUNT, _("企业账号"), 98),),
        grants={
            # view: the register; add: register an enterprise; change: confirm one registered
            # by itself, decide an application (officers), apply to reopen (the account).
            ENTERPRISE: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW}),
                OFFICER: frozenset({VIEW, ADD, CHANGE}),
                ACCOUNT: frozenset({VIEW, CHANGE}),
            },
            # The links between an enterprise and its employees, and the little it sees of
            # them: only the enterprise's own account (and administrators) look.
            EMPLOYEE: {
                ADMIN: ALL,
                ACCOUNT: frozenset({VIEW, ADD, CHANGE}),
            },
            # The gate: an account scans its employees' codes on the checkpoint page, which
            # verifies offline, at a venue of its region (its gate, as checkpoint staff pick
            # theirs) or at none (filed under its region, checkpoints' home path).
            SCAN: {ACCOUNT: frozenset({ADD})},
            VENUE: {ACCOUNT: frozenset({VIEW})},
        },
        nav=(
            NavLink(
                _("复工复产"),
                "enterprises:list",
                ((ENTERPRISE, VIEW),),
                group=COMMAND_GROUP,
                order=30,
            ),
            NavLink(
                _("本企业"),
                "enterprises:mine",
                ((EMPLOYEE, ADD),),
                unless=(ENTERPRISE, ADD),
                order=79,
            ),
        ),
        work_screens=(WorkScreen(ACCOUNT, url_name="enterprises:mine"),),
        urls=(Urls("enterprises/", "fangyi.enterprises.urls"),),
        api=(ApiRouter("/enterprises", "fangyi.enterprises.api.router"),),
    )
)

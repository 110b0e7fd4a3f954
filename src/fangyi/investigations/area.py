"""Investigations (流调): one per confirmed or positive case, its team, places and contacts,
the transmission chains they make, and each case's four clocks."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangyi.checkpoints.area import CHECKIN, VENUE
from fangyi.core.areas import ApiRouter, Area, Card, NavLink, Periodic, Urls, register
from fangyi.core.permissions import ADD, ADMIN, ALL, CHANGE, COMMANDER, OFFICER, VIEW, Role
from fangyi.health.area import FACT, HEALTH_GROUP
from fangyi.people.area import PERSON
from fangyi.regions.area import REGION

INVESTIGATION = "investigation"
CONTACT = "contact"

# Investigation teams: they open investigations, look up a case's check-ins and the people
# met there, and record contacts, whose facts they write through the health services.
INVESTIGATOR = "investigator"

_MANAGE = frozenset({VIEW, ADD, CHANGE})
_SEE = frozenset({VIEW})

register(
    Area(
        name="investigations",
        roles=(Role(INVESTIGATOR, _("流调人员"), 35),),
        grants={
            INVESTIGATION: {
                ADMIN: ALL,
                COMMANDER: _SEE,
                OFFICER: _MANAGE,
                INVESTIGATOR: _MANAGE,
            },
            CONTACT: {
                ADMIN: ALL,
                COMMANDER: _SEE,
                OFFICER: _MANAGE,
                INVESTIGATOR: _MANAGE,
            },
            # What the investigator's work reaches in the older areas: the regions and residents
            # to link, the check-ins to propose places from, and the contact facts to record.
            REGION: {INVESTIGATOR: _SEE},
            PERSON: {INVESTIGATOR: _SEE},
            FACT: {INVESTIGATOR: frozenset({VIEW, ADD})},
            CHECKIN: {INVESTIGATOR: _SEE},
            VENUE: {INVESTIGATOR: _SEE},
        },
        # In the 健康状态 dropdown (a contact is a health fact): a dropdown of its own no longer
        # fits the administrator's bar on one row at 1280 px in English.
        nav=(
            NavLink(
                _("流调列表"),
                "investigations:list",
                ((INVESTIGATION, VIEW),),
                group=HEALTH_GROUP,
                order=50,
            ),
            NavLink(
                _("传播链"),
                "investigations:chain-list",
                ((INVESTIGATION, VIEW),),
                group=HEALTH_GROUP,
                order=60,
            ),
        ),
        cards=(
            Card(
                key="late-clocks",
                title=_("超时的病例时限"),
                empty=_("没有超时的病例时限。"),
                url_name="investigations:list",
                roles=frozenset({ADMIN, COMMANDER, OFFICER, INVESTIGATOR}),
                shown_to=(INVESTIGATION, VIEW),
                compute="fangyi.investigations.home.late_clocks",
                order=45,
            ),
        ),
        urls=(Urls("investigations/", "fangyi.investigations.urls"),),
        api=(ApiRouter("/investigations", "fangyi.investigations.api.router"),),
        periodic=(
            # A contact's positive result arrives through health; their own investigation
            # opens within minutes, in their chain, without anyone having to notice.
            Periodic(
                "investigations.open-positive-contacts",
                every=timedelta(minutes=5),
                task="fangyi.investigations.tasks.open_for_positive_contacts_task",
            ),
        ),
    )
)

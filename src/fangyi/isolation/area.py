"""Isolation: quarantine sites, isolation orders, daily check-ins and transfers."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import (
    ApiRouter,
    Area,
    Card,
    NavGroup,
    NavLink,
    Periodic,
    Urls,
    WorkScreen,
    register,
)
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
# A staff member with a pass who drives transfer batches: sees and works only the batches they
# drive (the transfer services check it on top of the region).
DRIVER = "driver"

_MANAGE = frozenset({VIEW, ADD, CHANGE})
_WORK = frozenset({VIEW, CHANGE})
_SEE = frozenset({VIEW})

register(
    Area(
        name="isolation",
        roles=(Role(SITE_STAFF, _("隔离点工作人员"), 75), Role(DRIVER, _("司机"), 77)),
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
            TRANSFER: {
                ADMIN: ALL,
                COMMANDER: _SEE,
                OFFICER: _MANAGE,
                SITE_STAFF: _SEE,
                DRIVER: _WORK,
            },
        },
        groups=(NavGroup("isolation", _("隔离管控"), order=45),),
        nav=(
            NavLink(_("待安置"), "isolation:queue", ((ORDER, ADD),), group="isolation", order=10),
            NavLink(
                _("隔离令"), "isolation:order-list", ((ORDER, VIEW),), group="isolation", order=20
            ),
            NavLink(_("待解除"), "isolation:due", ((ORDER, VIEW),), group="isolation", order=30),
            NavLink(
                _("隔离点"), "isolation:site-list", ((SITE, VIEW),), group="isolation", order=40
            ),
            NavLink(
                _("健康打卡"), "followup:sheet", ((ORDER, CHANGE),), group="isolation", order=50
            ),
            NavLink(
                _("发热预警"), "followup:alerts", ((ORDER, VIEW),), group="isolation", order=60
            ),
            NavLink(_("转运"), "transfer:list", ((TRANSFER, VIEW),), group="isolation", order=70),
            NavLink(
                _("等待最久"), "transfer:waiting", ((TRANSFER, ADD),), group="isolation", order=80
            ),
        ),
        # Site staff start at their site's phone sheet, drivers at their batches.
        work_screens=(
            WorkScreen(SITE_STAFF, url_name="followup:sheet"),
            WorkScreen(DRIVER, url_name="transfer:list"),
        ),
        cards=(
            Card(
                key="isolation-to-place",
                title=_("待安置人员"),
                empty=_("没有待安置的人员。"),
                url_name="isolation:queue",
                roles=frozenset({ADMIN, COMMANDER, OFFICER}),
                shown_to=(ORDER, ADD),
                compute="fangyi.isolation.home.to_place",
                order=40,
            ),
            Card(
                key="isolation-overdue",
                title=_("到期待解除的隔离令"),
                empty=_("没有到期待解除的隔离令。"),
                url_name="isolation:due",
                roles=frozenset({ADMIN, COMMANDER, OFFICER}),
                shown_to=(ORDER, VIEW),
                compute="fangyi.isolation.home.due",
                order=41,
            ),
            Card(
                key="fever-alerts",
                title=_("发热预警"),
                empty=_("没有待处理的发热预警。"),
                url_name="followup:alerts",
                roles=frozenset({ADMIN, COMMANDER, OFFICER}),
                shown_to=(ORDER, VIEW),
                compute="fangyi.isolation.followup.home.fever_alerts",
                order=42,
            ),
            Card(
                key="missed-check-ins",
                title=_("今日未打卡"),
                empty=_("今天没有漏报健康打卡的隔离人员。"),
                url_name="followup:missed",
                roles=frozenset({ADMIN, COMMANDER, OFFICER}),
                shown_to=(ORDER, VIEW),
                compute="fangyi.isolation.followup.home.missed_today",
                order=43,
            ),
            Card(
                key="transfer-waiting",
                title=_("待转运超过 1 小时"),
                empty=_("没有等待超过 1 小时的待安置人员。"),
                url_name="transfer:waiting",
                roles=frozenset({ADMIN, COMMANDER, OFFICER}),
                shown_to=(TRANSFER, ADD),
                compute="fangyi.isolation.transfer.home.waiting_long",
                order=44,
            ),
            Card(
                key="transfer-driving",
                title=_("我的转运批次"),
                empty=_("没有待出发或转运中的批次。"),
                url_name="transfer:list",
                roles=frozenset({DRIVER}),
                shown_to=(TRANSFER, CHANGE),
                compute="fangyi.isolation.transfer.home.driving",
                order=45,
            ),
        ),
        urls=(
            # Before "isolation/", whose patterns might take "check-ins/" or "documents/".
            Urls("isolation/check-ins/", "fangyi.isolation.followup.urls"),
            Urls("isolation/transfers/", "fangyi.isolation.transfer.urls"),
            Urls("isolation/documents/", "fangyi.isolation.documents.urls"),
            Urls("isolation/", "fangyi.isolation.urls"),
        ),
        api=(
            ApiRouter("/isolation", "fangyi.isolation.api.router"),
            # Mounted before "/isolation", whose "/{id}" might take "check-ins" or "documents".
            ApiRouter("/isolation/check-ins", "fangyi.isolation.followup.api.router", order=90),
            ApiRouter("/me/check-ins", "fangyi.isolation.followup.api.resident_router", order=90),
            ApiRouter("/isolation/documents", "fangyi.isolation.documents.api.router", order=90),
            ApiRouter("/isolation/transfers", "fangyi.isolation.transfer.api.router", order=90),
        ),
        periodic=(
            Periodic(
                "isolation.propose-missing",
                every=timedelta(minutes=10),
                task="fangyi.isolation.tasks.propose_missing_task",
            ),
            Periodic(
                "isolation.sweep",
                every=timedelta(hours=24),
                task="fangyi.isolation.tasks.nightly_sweep_task",
            ),
            # Today's test tasks and the missed check-ins of the day.
            Periodic(
                "isolation.follow-up",
                every=timedelta(minutes=15),
                task="fangyi.isolation.followup.tasks.daily_sweep_task",
            ),
        ),
    )
)

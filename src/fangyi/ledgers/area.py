"""Ledgers: spreadsheets in and out; the link and the card of one's own import jobs."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import ApiRouter, Area, Card, NavLink, Periodic, Urls, register
from fangyi.core.permissions import ADD, ADMIN, COMMANDER, EXPORT, GRID_LEADER, GRID_WORKER, OFFICER
from fangyi.people.area import PERSON

register(
    Area(
        name="ledgers",
        nav=(NavLink(_("台账"), "ledgers:index", ((PERSON, ADD), (PERSON, EXPORT)), order=30),),
        cards=(
            Card(
                key="imports",
                title=_("导入任务"),
                empty=_("近 7 天没有进行中或失败的导入。"),
                url_name="ledgers:index",
                roles=frozenset({ADMIN, COMMANDER, OFFICER, GRID_LEADER, GRID_WORKER}),
                shown_to=(PERSON, ADD),
                compute="fangyi.ledgers.home.import_jobs",
                order=60,
            ),
        ),
        urls=(Urls("ledgers/", "fangyi.ledgers.urls"),),
        api=(ApiRouter("/ledgers", "fangyi.ledgers.api.router"),),
        # The files of finished jobs are personal data: they go after FANGYI_LEDGER_KEEP_DAYS.
        # Jobs whose worker died are recovered by core's `core.recover-jobs`.
        periodic=(
            Periodic(
                "ledgers.purge-files",
                every=timedelta(hours=6),
                task="fangyi.ledgers.tasks.purge_files_task",
            ),
        ),
    )
)

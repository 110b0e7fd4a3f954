"""`fangyi scheduler`: enqueue the areas' periodic jobs when they fall due (docs/tasks.md)."""

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from fangyi.core import scheduling

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs the areas declare when they fall due, on the configured task "
        "backend; --once enqueues what is due and exits (for cron), --list shows the plan."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue what is due, then exit")
        parser.add_argument(
            "--list", action="store_true", dest="show", help="list the jobs and exit"
        )
        parser.add_argument(
            "--tick",
            type=float,
            default=15.0,
            help="the longest sleep between two looks, in seconds (default 15)",
        )

    def handle(self, *args: Any, once: bool, show: bool, tick: float, **options: Any) -> None:
        if show:
            self._list()
        elif once:
            self._enqueue()
        else:
            while True:
                try:
                    self._enqueue()
                    # Another scheduler may have enqueued in the meantime; look again at
                    # least every tick.
                    pause = min(tick, max(1.0, scheduling.seconds_to_next()))
                except DatabaseError:
                    # The database is away (a restart, a failover): look again later rather
                    # than leave the periodic work without a scheduler.
                    logger.exception("the scheduler could not reach the database")
                    pause = tick
                time.sleep(pause)
                close_old_connections()

    def _enqueue(self) -> None:
        for name in scheduling.enqueue_due():
            self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} enqueued {name}")

    def _list(self) -> None:
        for planned in scheduling.plan():
            last, upcoming = planned.enqueued_at, planned.next_at
            self.stdout.write(
                f"{planned.job.name:28} every {planned.job.every}  "
                f"last {f'{timezone.localtime(last):%Y-%m-%d %H:%M:%S}' if last else 'never'}  "
                f"next {f'{timezone.localtime(upcoming):%Y-%m-%d %H:%M:%S}' if upcoming else 'now'}"
            )

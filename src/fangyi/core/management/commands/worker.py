"""`fangyi worker`: the task worker of the configured backend (`fangyi db_worker` for the
database, `fangyi rqworker` for RQ), so that scripts need not know which one is configured."""

import os
import shlex
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fangyi.core.tasking import worker_command


class Command(BaseCommand):
    help = "Run the task worker of the configured task backend (--print: show its command)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--print", action="store_true", dest="show", help="print the command and exit"
        )

    def handle(self, *args: Any, show: bool, **options: Any) -> None:
        command = worker_command()
        if show:
            self.stdout.write(shlex.join(command))
            return
        os.execv(command[0], command)

"""`fangyi db_worker`: django-tasks-db's worker, which first recovers the jobs that a worker
killed before it left running, and names itself by its process (`workers.identity()`) so that
the next one can tell that it died."""

from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands import db_worker

from fangyi.core import workers


class Command(db_worker.Command):
    help = "Run the database task worker, after recovering the jobs of workers that died."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=workers.identity())

    def handle(self, *args: Any, **options: Any) -> None:
        for line in workers.recover_abandoned_jobs():
            self.stdout.write(line)
        super().handle(*args, **options)

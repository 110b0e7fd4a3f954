"""`fangyi jobs recover`: resumes or fails the background jobs whose worker died (run it every
minute beside the workers; each worker also runs it as it starts)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fangyi.core.context import acting
from fangyi.core.workers import recover_abandoned_jobs


class Command(BaseCommand):
    help = "Background jobs: recover resumes or fails the jobs whose worker process died."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("recover", help="resume or fail the jobs whose worker died")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        with acting(via="cli"):
            lines = recover_abandoned_jobs()
        for line in lines:
            self.stdout.write(line)
        if not lines:
            self.stdout.write("no job to recover")

"""`fangyi portal purge`: delete spent one-time codes and dead resident tokens
(run it daily from cron, or enqueue portal.tasks.purge_expired_task)."""

import json

from django.core.management.base import BaseCommand

from fangyi.core.context import acting

from ... import services


class Command(BaseCommand):
    help = "Resident portal housekeeping: purge spent one-time codes and dead tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge", help="delete codes older than a day and dead tokens")
        purge.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, action, **options):
        with acting(via="cli"):
            counts = services.purge_expired()
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(
                f"purged {counts['codes']} one-time codes and {counts['tokens']} resident tokens"
            )

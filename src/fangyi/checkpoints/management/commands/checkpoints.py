"""`fangyi checkpoints purge`: delete check-ins and scans past FANGYI_CHECKIN_KEEP_DAYS
(run it daily from cron, or enqueue checkpoints.tasks.purge_old_task)."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from fangyi.core.context import acting

from ... import services


class Command(BaseCommand):
    help = "Check-ins and checkpoint scans: purge those older than FANGYI_CHECKIN_KEEP_DAYS."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge", help="delete check-ins and scans past their keeping time")
        purge.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, action, **options):
        with acting(via="cli"):
            counts = services.purge_old()
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(
                f"purged {counts['checkins']} check-ins and {counts['scans']} scans older than "
                f"{settings.FANGYI_CHECKIN_KEEP_DAYS} days"
            )

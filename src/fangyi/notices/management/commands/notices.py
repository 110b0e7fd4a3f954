"""`fangyi notices send-sms`: send the notices' SMS that are due, at the backend's rate (the
scheduler enqueues notices.tasks.send_sms_task every minute; this is the same by hand)."""

import dataclasses
import json

from django.core.management.base import BaseCommand

from fangyi.core.context import acting

from ... import services


class Command(BaseCommand):
    help = "Notices: send the SMS that are due, no faster than FANGYI_NOTICE_SMS_PER_MINUTE."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send-sms", help="send the SMS due now, within the minute's rate")
        send.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, action, **options):
        with acting(via="cli"):
            run = services.send_due_sms()
        if options["json"]:
            self.stdout.write(json.dumps(dataclasses.asdict(run)))
        else:
            self.stdout.write(
                f"sent {run.sent}, failed {run.failed}, skipped {run.skipped} "
                f"(budget {run.budget} this minute)"
            )

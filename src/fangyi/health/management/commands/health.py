"""`fangyi health recompute`: bring statuses up to date (run `--due` every minute from cron)."""

import json

from django.core.management.base import BaseCommand, CommandError

from fangyi.core.context import acting
from fangyi.regions.models import Region

from ... import recompute


class Command(BaseCommand):
    help = "Recompute health statuses: --all, under --region CODE, or --due (expired or missing)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("recompute", help="recompute statuses")
        scope = run.add_mutually_exclusive_group(required=True)
        scope.add_argument("--all", action="store_true", help="every person")
        scope.add_argument("--region", metavar="CODE", help="persons living under this region")
        scope.add_argument(
            "--due",
            action="store_true",
            help="persons whose status has passed its valid-until time, and persons never computed",
        )
        run.add_argument("--json", action="store_true", help="print the outcome as JSON")

    def handle(self, *args, action, **options):
        with acting(via="cli"):
            if options["all"]:
                outcome = recompute.recompute_all()
            elif options["region"]:
                region = Region.objects.filter(code=options["region"]).first()
                if region is None:
                    raise CommandError(f"no region has the code {options['region']}")
                outcome = recompute.recompute_under([region.path])
            else:
                outcome = recompute.recompute_due()
        summary = {
            "persons": outcome.persons,
            "by_colour": outcome.by_colour,
            "seconds": round(outcome.seconds, 3),
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            colours = ", ".join(f"{k} {v}" for k, v in sorted(summary["by_colour"].items()))
            self.stdout.write(
                f"recomputed {outcome.persons} statuses in {outcome.seconds:.1f} s"
                + (f" ({colours})" if colours else "")
            )

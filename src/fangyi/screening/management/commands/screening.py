"""`fangyi screening home-tasks`: home-sampling tasks for a round's missing persons who are
bedridden, disabled, elderly living alone or in quarantine (run `--running` from cron, e.g.
every 30 minutes, during a screening: each run adds only those newly missing)."""

import json
import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fangyi.core.context import acting
from fangyi.regions.models import Region
from fangyi.screening.coverage import services as coverage
from fangyi.screening.models import Round


class Command(BaseCommand):
    help = "Screening jobs: home-tasks makes home-sampling tasks for a round's missing persons."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        tasks = sub.add_parser(
            "home-tasks",
            help="create home-sampling tasks for the missing persons who cannot come to a site",
        )
        which = tasks.add_mutually_exclusive_group(required=True)
        which.add_argument("--round", metavar="ID", help="the round's id")
        which.add_argument(
            "--running", action="store_true", help="every round running now (for cron)"
        )
        tasks.add_argument("--region", metavar="CODE", help="only under this region")
        tasks.add_argument("--json", action="store_true", help="print the outcome as JSON")

    def handle(self, *args, action, **options):
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"no region has the code {options['region']}")
        with acting(via="cli"):
            if options["running"]:
                done = coverage.create_home_tasks_for_running_rounds(region=region)
            else:
                found = self._round(options["round"])
                try:
                    done = [
                        (
                            found,
                            coverage.create_home_sampling_tasks(
                                actor=None, round=found, region=region
                            ),
                        )
                    ]
                except ValidationError as exc:
                    raise CommandError(" ".join(exc.messages)) from exc
        outcomes = [
            {
                "round": str(found.pk),
                "campaign": found.campaign.name,
                "number": found.number,
                "eligible": counts.eligible,
                "created": counts.created,
                "existing": counts.existing,
            }
            for found, counts in done
        ]
        if options["json"]:
            self.stdout.write(json.dumps(outcomes, ensure_ascii=False))
            return
        if not outcomes:
            self.stdout.write("no round running")
        for outcome in outcomes:
            self.stdout.write(
                f"{outcome['campaign']} round {outcome['number']}: "
                f"{outcome['eligible']} to sample at home, {outcome['created']} tasks created, "
                f"{outcome['existing']} created before"
            )

    def _round(self, value: str) -> Round:
        try:
            pk = uuid.UUID(value)
        except ValueError as exc:
            raise CommandError(f"not a round id: {value}") from exc
        found = Round.objects.select_related("campaign").filter(pk=pk).first()
        if found is None:
            raise CommandError(f"no round has the id {value}")
        return found

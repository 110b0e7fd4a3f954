import dataclasses
import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fangyi.core.context import acting
from fangyi.demo.boundaries import seed_boundaries
from fangyi.demo.checkpoints import seed_checkpoints
from fangyi.demo.city import CITY, CityGenerator
from fangyi.demo.command import seed_command
from fangyi.demo.cycle import seed_cycle
from fangyi.demo.enterprises import seed_enterprises
from fangyi.demo.health import HealthSeed, health_summary
from fangyi.demo.hotline import seed_hotline
from fangyi.demo.investigations import seed_investigations
from fangyi.demo.isolation import seed_isolation
from fangyi.demo.load import AlreadyHasRegions, city_summary, seed_city
from fangyi.demo.markets import seed_markets
from fangyi.demo.notices import seed_notices
from fangyi.demo.passes import seed_passes
from fangyi.demo.residents import demo_resident
from fangyi.demo.screening import seed_screening
from fangyi.demo.staff import DEMO_PASSWORD, create_demo_staff
from fangyi.demo.supplies import seed_supplies
from fangyi.demo.sweeps import seed_sweeps
from fangyi.people.models import Person
from fangyi.supplies.models import OPEN_STATES as OPEN_SUPPLY_STATES


class Command(BaseCommand):
    help = (
        "Seeds a synthetic city (福州市, 350100) with households and residents. Does nothing "
        "when the database already has residents, so it is safe to run every time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=20_000, help="residents to create")
        parser.add_argument(
            "--seed", type=int, default=1, help="the same seed gives the same city (default 1)"
        )
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            help="reference date for ages, YYYY-MM-DD (default today); fix it to reproduce a city",
        )
        parser.add_argument(
            "--no-health",
            action="store_true",
            help="leave out the synthetic health facts, demo zones and statuses",
        )
        parser.add_argument("--json", action="store_true", help="print a JSON summary")
        parser.add_argument(
            "--demo-staff",
            action="store_true",
            help=f"also create one login per role, password {DEMO_PASSWORD}",
        )

    def handle(self, *args, **options):
        if options["residents"] < 1:
            raise CommandError("--residents must be at least 1")
        existing = Person.objects.count()
        seconds = None
        health_seed = None
        with acting(via="cli"):
            if not existing:
                generator = CityGenerator(
                    residents=options["residents"],
                    seed=options["seed"],
                    as_of=options["as_of"] or timezone.localdate(),
                )
                health_seed = None if options["no_health"] else HealthSeed(generator)
                try:
                    seconds = seed_city(generator, health_seed)
                except AlreadyHasRegions as exc:
                    raise CommandError(str(exc)) from exc
            logins = create_demo_staff() if options["demo_staff"] else []
            # Screening, investigations and isolation first: the residents they colour are
            # recorded in that colour by the check-ins.
            screening = seed_screening() if logins else None
            investigations = seed_investigations() if logins else None
            isolation = seed_isolation() if logins else None
            venues = seed_checkpoints(seed=options["seed"]) if logins else None
            passes = seed_passes() if logins else None
            supplies = seed_supplies() if logins else None
            cycle = seed_cycle() if logins else None
            markets = seed_markets() if logins else None
            hotline = seed_hotline() if logins else None
            sweeps = seed_sweeps() if logins else None
            notices = seed_notices() if logins else None
            enterprises = seed_enterprises() if logins else None
            outlines = seed_boundaries(seed=options["seed"]) if logins else None
            # Last: the snapshots count what every area above has seeded.
            command = seed_command() if logins else None
        summary = city_summary()
        summary["health"] = health_summary()
        if health_seed is not None:
            summary["health"] |= {
                "seconds": round(health_seed.seconds, 1),
                "steps": {name: round(s, 1) for name, s in health_seed.steps.items()},
                "recompute_seconds": round(health_seed.outcome.seconds, 1),
            }
        if options["json"]:
            summary |= {
                "seeded": seconds is not None,
                "seed": options["seed"],
                "seconds": round(seconds, 1) if seconds is not None else None,
                "staff": [
                    {"username": login.username, "role": login.role, "region": login.region_code}
                    for login in logins
                ],
            }
            if venues is not None:
                summary["checkpoints"] = dataclasses.asdict(venues)
            if screening is not None:
                summary["screening"] = dataclasses.asdict(screening)
            if isolation is not None:
                summary["isolation"] = dataclasses.asdict(isolation)
            if investigations is not None:
                summary["investigations"] = dataclasses.asdict(investigations)
            if passes is not None:
                summary["passes"] = dataclasses.asdict(passes)
            if supplies is not None:
                summary["supplies"] = dataclasses.asdict(supplies)
            if cycle is not None:
                summary["supplies_cycle"] = dataclasses.asdict(cycle)
            if markets is not None:
                summary["markets"] = dataclasses.asdict(markets)
            if hotline is not None:
                summary["hotline"] = dataclasses.asdict(hotline)
            if sweeps is not None:
                summary["sweeps"] = dataclasses.asdict(sweeps)
            if notices is not None:
                summary["notices"] = dataclasses.asdict(notices)
            if command is not None:
                summary["command"] = dataclasses.asdict(command)
            if outlines is not None:
                summary["outlines"] = outlines
            if enterprises is not None:
                summary["enterprises"] = dataclasses.asdict(enterprises)
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        if seconds is None:
            self.stdout.write(f"Already seeded: the database has {existing:,} residents.")
        else:
            self.stdout.write(
                f"Seeded {CITY[1]} ({CITY[0]}) with seed {options['seed']} in {seconds:.1f} s."
            )
        counts = summary["counts"]
        self.stdout.write("  " + ", ".join(f"{counts[key]:,} {key}" for key in counts))
        self.stdout.write("  " + ", ".join(f"{slug} {n:,}" for slug, n in summary["tags"].items()))
        health = summary["health"]
        colours = ", ".join(f"{n:,} {c}" for c, n in health["statuses_by_colour"].items())
        self.stdout.write(
            f"  {health['facts']:,} health facts, {health['zones']:,} zones, "
            f"{health['statuses']:,} statuses ({colours or 'none'})"
        )
        if logins:
            self.stdout.write(f"\nDemo logins (password {DEMO_PASSWORD}):")
            self.stdout.write(f"  {'username':<12} {'role':<12} region")
            for login in logins:
                note = "" if login.created else "  (already there)"
                self.stdout.write(
                    f"  {login.username:<12} {login.role:<12} "
                    f"{login.region_code} {login.region_name}{note}"
                )
            self.stdout.write(
                f"\nDemo venues: {venues.venues} ({venues.venues_created} new), "
                f"{venues.checkins_created:,} new check-ins."
            )
            if screening.created:
                self.stdout.write(
                    f"Demo screening: {screening.samples:,} samples in {screening.tubes:,} tubes, "
                    f"{screening.resulted:,} tubes back from the lab (one positive pool)."
                )
            if passes.phones:
                self.stdout.write(
                    f"Demo couriers' passes (/passes/mine/ after logging in on the portal): "
                    f"mobiles {', '.join(passes.phones)}; the last one's test is over 60 hours old."
                )
            if supplies is not None:
                open_count = sum(
                    n for state, n in supplies.requests.items() if state in OPEN_SUPPLY_STATES
                )
                self.stdout.write(
                    f"Demo supplies: {supplies.catalogue} catalogue items, {open_count} open "
                    f"requests in the sealed zone ({supplies.overdue} past their limit)."
                )
            if cycle is not None:
                self.stdout.write(
                    f"Demo delivery batch: {cycle.batch_requests} requests, "
                    f"{cycle.delivery_tasks} delivery tasks in the grid's pool "
                    f"({cycle.claimed} claimed by the demo volunteer)."
                )
            if enterprises is not None and enterprises.login:
                self.stdout.write(
                    f"Demo enterprises: {enterprises.enterprises} ({enterprises.reopened} "
                    f"reopened); login {enterprises.login} (password {DEMO_PASSWORD}) keeps "
                    f"the first, with {enterprises.employees} employees linked."
                )
            resident = demo_resident()
            if resident is not None:
                self.stdout.write(
                    f"\nResident portal (/me/): mobile {resident.phone} ({resident.masked_name}); "
                    "in demo mode the one-time code shows on the login page."
                )

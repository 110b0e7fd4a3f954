from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fangyi.accounts import services
from fangyi.accounts.models import User
from fangyi.core.context import acting
from fangyi.core.permissions import role_codes
from fangyi.regions.models import Region


class Command(BaseCommand):
    help = "Creates staff members and issues their API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a staff member with one role over a region.")
        create.add_argument("--username", required=True)
        create.add_argument("--password", required=True)
        create.add_argument("--role", required=True, choices=role_codes())
        create.add_argument("--region", required=True, help="region code, e.g. 350102001001001")
        create.add_argument("--name", default="", help="full name shown in the interface")
        token = sub.add_parser("token", help="Print a new API token for a staff member.")
        token.add_argument("username")

    def handle(self, *args, **options):
        with acting(via="cli"):
            if options["action"] == "create":
                self._create(options)
            else:
                self._token(options)

    def _create(self, options):
        try:
            region = Region.objects.get(code=options["region"])
        except Region.DoesNotExist as exc:
            raise CommandError(f"no region has code {options['region']}") from exc
        try:
            user = services.create_staff(
                actor=None,
                username=options["username"],
                password=options["password"],
                role=options["role"],
                region=region,
                full_name=options["name"],
            )
        except ValidationError as exc:
            reasons = "; ".join(
                f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()
            )
            raise CommandError(reasons) from exc
        self.stdout.write(
            f"created {user.username} as {options['role']} of {region.code} {region.name}"
        )

    def _token(self, options):
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"no staff member is called {options['username']}") from exc
        self.stdout.write(services.issue_token(actor=None, user=user))

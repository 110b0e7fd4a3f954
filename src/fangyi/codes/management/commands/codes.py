import json

from django.core.management.base import BaseCommand, CommandError

from fangyi.codes import keys, services


class Command(BaseCommand):
    help = "Health code keys and verification: rotate-key, keys, verify TEXT, purge."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("rotate-key", help="add a new signing key; it signs from now on")
        commands.add_parser("keys", help="print the published public keys as a JWKS")
        verify = commands.add_parser(
            "verify", help="verify a FY1:/FYP1: code with this server's keys; prints JSON"
        )
        verify.add_argument("text")
        commands.add_parser(
            "purge", help="delete card and revocation entries of codes expired a day ago"
        )

    def handle(self, *args, action, **options):
        if action == "rotate-key":
            key = keys.rotate_key()
            self.stdout.write(f"New signing key {key.kid.hex()} in {key.path.parent}")
            self.stdout.write(
                f"Older keys stay published until {keys.longest_code_lifetime()} from now."
            )
        elif action == "keys":
            self.stdout.write(json.dumps(keys.jwks(), indent=2))
        elif action == "verify":
            result = services.verify_here(options["text"])
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
            if not result.valid:
                raise CommandError(result.result.value, returncode=2)
        elif action == "purge":
            self.stdout.write(f"{services.purge_expired()} card and revocation entries deleted")

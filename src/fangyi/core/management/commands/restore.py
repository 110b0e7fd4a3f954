from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangyi.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restores a folder written by `fangyi backup` into an empty database and empty key and "
        "ledger directories, after checking every file against the manifest; the row counts "
        "are compared again afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a folder written by `fangyi backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore(options["folder"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Restored {len(manifest['tables'])} tables ({rows} rows, the same as the manifest) "
            f"and the files of the backup of {manifest['created_at']}."
        )

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangyi.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Backs up the database, the signing keys and the ledger files into a new folder, with "
        "a manifest of row counts and SHA-256 sums (see docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a new or empty folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(options["folder"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({rows} rows) and "
            f"{len(manifest['files'])} files into {options['folder']}."
        )

import datetime
import json
import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fangyi.accounts.models import User
from fangyi.core.context import acting
from fangyi.ledgers import services
from fangyi.ledgers.exporting import write_template
from fangyi.ledgers.importing import split_over
from fangyi.ledgers.models import ExportFormat, JobStatus
from fangyi.ledgers.registry import LEDGERS

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Imports, exports and prints templates of ledgers (regions, households, residents). "
        "An import exits 0 when every row was fine, 1 when some rows were refused, 2 when the "
        "file could not be read at all."
    )

    def execute(self, *args, **options):
        # Django's system checks import every area's URLs and views, 2–3 s of CPU before a
        # million-row import can start; `fangyi check` runs them. --skip-checks is still taken.
        options["skip_checks"] = True
        return super().execute(*args, **options)

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ledgers = sorted(LEDGERS)
        do_import = sub.add_parser("import", help="Import a ledger file (xlsx, xls or csv).")
        do_import.add_argument("ledger", choices=ledgers)
        do_import.add_argument("file")
        do_import.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        do_import.add_argument(
            "--all-or-nothing", action="store_true", help="write nothing if any row is wrong"
        )
        do_import.add_argument(
            "--as", dest="username", help="the staff member whose scope the import has"
        )
        do_import.add_argument("--json", action="store_true", help="print the outcome as JSON")
        do_import.add_argument(
            "--processes",
            type=int,
            default=None,
            help="split a large residents ledger by building over this many processes "
            "(PostgreSQL; default FANGYI_LEDGER_PROCESSES, the number of cores)",
        )
        export = sub.add_parser("export", help="Export a ledger of a region and its subtree.")
        export.add_argument("ledger", choices=ledgers)
        export.add_argument("--region", required=True, help="region code")
        export.add_argument("-o", "--output", required=True)
        export.add_argument("--format", choices=ExportFormat.values, default=None)
        export.add_argument(
            "--reveal-reason", default="", help="export names, ID numbers and phones in plain text"
        )
        export.add_argument("--as", dest="username")
        export.add_argument("--tag", help="residents: only those with this tag, e.g. bedridden")
        export.add_argument(
            "--residence-status", help="residents: only those resident, temporary or away"
        )
        export.add_argument("--round", help="screening-missing and lab-results: the round's id")
        purge = sub.add_parser(
            "purge",
            help="Delete uploaded ledgers, error workbooks and exports of jobs finished more "
            "than --days ago (default FANGYI_LEDGER_KEEP_DAYS); run it daily.",
        )
        purge.add_argument("--days", type=int, default=None)
        template = sub.add_parser("template", help="Write a blank ledger with its header row.")
        template.add_argument("ledger", choices=ledgers)
        template.add_argument("-o", "--output", required=True)

    def handle(self, *args, **options):
        with acting(via="cli"):
            if options["action"] == "import":
                self._import(options)
            elif options["action"] == "export":
                self._export(options)
            elif options["action"] == "purge":
                days = options["days"]
                if days is None:
                    days = settings.FANGYI_LEDGER_KEEP_DAYS
                if days < 0:
                    raise CommandError("--days cannot be negative", returncode=2)
                purged = services.purge_files(older_than=datetime.timedelta(days=days))
                self.stdout.write(
                    f"deleted the files of {purged} jobs finished over {days} days ago"
                )
            else:
                write_template(ledger=LEDGERS[options["ledger"]], path=options["output"])
                self.stdout.write(f"wrote {options['output']}")

    def _actor(self, username):
        if not username:
            raise CommandError(
                "name the staff member to act as with --as USERNAME: their scope decides "
                "which regions the rows may touch",
                returncode=2,
            )
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(
                f"no active staff member is called {username}", returncode=2
            ) from exc

    def _import(self, options):
        actor = self._actor(options["username"])
        path = Path(options["file"])
        if not path.is_file():
            self._cannot_import(options, f"no such file: {path}")
        if options["processes"] is not None and options["processes"] < 1:
            raise CommandError("--processes must be at least 1", returncode=2)
        try:
            with split_over(options["processes"]):
                job, result = services.import_path(
                    actor=actor,
                    ledger=options["ledger"],
                    path=path,
                    dry_run=options["dry_run"],
                    all_or_nothing=options["all_or_nothing"],
                )
        except PermissionDenied as exc:
            self._cannot_import(options, str(exc), exc)
        except OSError as exc:
            self._cannot_import(options, f"cannot read {path}: {exc.strerror or exc}", exc)
        if options["json"]:
            outcome = result.summary() | {
                "job": str(job.pk),
                "status": job.status,
                "dry_run": job.dry_run,
                "refused": result.refused,
                "households_created": result.households_created,
                "unknown_columns": result.unknown_columns,
                "error_file": str(job.error_file_path) if job.has_error_file else None,
            }
            if result.unreadable:
                outcome["errors"] = [{"row": None, "column": None, "message": result.unreadable}]
            self.stdout.write(json.dumps(outcome, ensure_ascii=False))
        else:
            self._print_outcome(job, result)
        if result.exit_status:
            sys.exit(result.exit_status)

    def _cannot_import(self, options, message: str, cause: Exception | None = None):
        """Exit 2 before any row was read; with --json the reason is still JSON on stdout."""
        if options["json"]:
            outcome = {
                "rows": 0,
                "created": 0,
                "updated": 0,
                "unchanged": 0,
                "errors": [{"row": None, "column": None, "message": message}],
                "job": None,
                "status": "failed",
            }
            self.stdout.write(json.dumps(outcome, ensure_ascii=False))
            sys.exit(2)
        raise CommandError(message, returncode=2) from cause

    def _print_outcome(self, job, result):
        if result.unreadable:
            self.stderr.write(f"cannot import {job.file_name}: {result.unreadable}")
            return
        verb = "checked (dry run)" if job.dry_run else "imported"
        if job.status == JobStatus.REFUSED:
            verb = "refused (all or nothing): nothing written"
        self.stdout.write(
            f"{verb} {job.file_name}: {result.rows} rows, {result.created} created, "
            f"{result.updated} updated, {result.unchanged} unchanged, "
            f"{result.error_rows} in error; header on row {result.header_row}"
        )
        if result.unknown_columns:
            self.stdout.write("columns not recognised: " + ", ".join(result.unknown_columns))
        for error in result.errors[:SHOWN_ERRORS]:
            self.stdout.write(f"  row {error['row']} {error['column']}: {error['message']}")
        if len(result.errors) > SHOWN_ERRORS:
            self.stdout.write(f"  … and {len(result.errors) - SHOWN_ERRORS} more")
        if job.has_error_file:
            self.stdout.write(f"rows in error, ready to fix: {job.error_file_path}")

    def _export(self, options):
        actor = self._actor(options["username"])
        output = Path(options["output"])
        fmt = options["format"] or ("csv" if output.suffix.lower() == ".csv" else "xlsx")
        region = services.export_region(
            actor=actor, ledger=options["ledger"], code=options["region"]
        )
        if region is None:
            raise CommandError(f"no region {options['region']} in {actor.username}'s scope")
        try:
            job = services.start_export(
                actor=actor,
                ledger=options["ledger"],
                region=region,
                fmt=fmt,
                reveal_reason=options["reveal_reason"],
                filters={
                    "tag": options["tag"],
                    "residence_status": options["residence_status"],
                    "round": options["round"],
                },
                inline=True,
            )
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        if job.status != JobStatus.DONE:
            raise CommandError(job.message or "the export failed")
        output.parent.mkdir(parents=True, exist_ok=True)
        # A rename fails across file systems (the ledger folder on a disk, -o on a tmpfs).
        shutil.move(job.file_path, output)
        self.stdout.write(f"wrote {job.rows_written} rows to {output}")

"""Backups: the database and the files it cannot live without, in one folder with a manifest.

A backup folder holds `database.dump` (PostgreSQL: `pg_dump --format=custom`, taken in a
snapshot whose row counts the manifest records) or `database.sqlite3` (SQLite:
`VACUUM INTO`, a consistent copy of a live database), the signing keys (without them no code
issued so far verifies, and no verifier trusts a new one) and the ledger files, and
`manifest.json`: the row count of every table and the SHA-256 of every file. A restore checks
every file against the manifest first, refuses to write over a database that has tables or a
directory that has files, and counts the rows again afterwards. docs/operations.md says how
often, where to keep it and how to test it.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
# Folder in the backup → the setting naming the directory, and whether its files are secrets
# (restored with mode 0600 in a 0700 directory, as codes/keys.py requires).
DIRECTORIES = {
    "keys": ("FANGYI_SIGNING_KEY_DIR", True),
    "ledgers": ("FANGYI_LEDGER_DIR", False),
}
PG_BIN = Path(os.environ.get("FANGYI_PG_BIN", "/usr/lib/postgresql/15/bin"))


class BackupError(Exception):
    pass


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tool(name: str) -> str:
    found = shutil.which(name) or (str(PG_BIN / name) if (PG_BIN / name).is_file() else None)
    if found is None:
        raise BackupError(f"{name} was not found on PATH or in {PG_BIN} (FANGYI_PG_BIN).")
    return found


def _libpq_env() -> dict[str, str]:
    """The database's connection settings as libpq variables: no password on a command line."""
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _vendor() -> str:
    return connection.vendor


@contextmanager
def _pg_snapshot() -> Iterator[tuple[str, Any]]:
    """A read-only snapshot held open: pg_dump reads it, and the counts come from it too."""
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        cursor = raw.cursor()
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        yield cursor.fetchone()[0], cursor
        cursor.execute("COMMIT")
    finally:
        raw.close()


def _pg_counts(cursor: Any) -> dict[str, int]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = ANY(current_schemas(false)) "
        "ORDER BY tablename"
    )
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    db.close()
    return counts


def database_counts() -> dict[str, int]:
    """Rows per table of the database the settings name."""
    if _vendor() == "postgresql":
        with _pg_snapshot() as (_snapshot, cursor):
            return _pg_counts(cursor)
    # SQLite's own tables (sqlite_stat1, written by ANALYZE) are not the application's data.
    tables = sorted(
        t for t in connection.introspection.table_names() if not t.startswith("sqlite_")
    )
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _copy_tree(source: Path, target: Path, secret: bool) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if secret:
        target.chmod(0o700)
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(exist_ok=True)
        elif path.is_file():
            shutil.copy2(path, destination)
            if secret:
                destination.chmod(0o600)


def _files(folder: Path) -> dict[str, dict[str, Any]]:
    return {
        str(path.relative_to(folder)): {
            "sha256": sha256(path),
            "bytes": path.stat().st_size,
            "mode": oct(stat.S_IMODE(path.stat().st_mode)),
        }
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def _is_empty(directory: Path) -> bool:
    return not directory.exists() or not any(directory.iterdir())


def backup(target: Path) -> dict[str, Any]:
    """Writes a backup into `target` (which must not exist or be empty); returns its manifest."""
    if not _is_empty(target):
        raise BackupError(f"{target} is not empty.")
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)
    vendor = _vendor()
    if vendor == "postgresql":
        with _pg_snapshot() as (snapshot, cursor):
            counts = _pg_counts(cursor)
            subprocess.run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-acl",
                    f"--snapshot={snapshot}",
                    f"--file={target / PG_DUMP}",
                ],
                env=_libpq_env(),
                check=True,
                capture_output=True,
            )
    elif vendor == "sqlite":
        copy = target / SQLITE_COPY
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        counts = _sqlite_counts(copy)
    else:
        raise BackupError(f"No backup for the {vendor} database.")
    for folder, (setting, secret) in DIRECTORIES.items():
        source = Path(getattr(settings, setting))
        if source.is_dir():
            _copy_tree(source, target / folder, secret)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": vendor,
        "migrations": _migrations(),
        "tables": counts,
        "files": _files(target),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    (target / MANIFEST).chmod(0o600)
    return manifest


def _migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, once every file it lists is there with the same SHA-256 (and no other)."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source / MANIFEST} cannot be read: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    found = {name: entry["sha256"] for name, entry in _files(source).items()}
    expected = {name: entry["sha256"] for name, entry in manifest["files"].items()}
    if found != expected:
        damaged = sorted(
            name for name in found.keys() | expected.keys() if found.get(name) != expected.get(name)
        )
        raise BackupError(f"The backup does not match its manifest: {', '.join(damaged[:10])}")
    return manifest


def restore(source: Path) -> dict[str, Any]:
    """Restores a backup into an empty database and empty key and ledger directories."""
    manifest = read_manifest(source)
    vendor = _vendor()
    if manifest["database"] != vendor:
        raise BackupError(f"A {manifest['database']} backup cannot be restored into {vendor}.")
    if connection.introspection.table_names():
        raise BackupError("The database is not empty: restore into a new, empty database.")
    targets = {}
    for folder, (setting, _secret) in DIRECTORIES.items():
        targets[folder] = Path(getattr(settings, setting))
        if (source / folder).is_dir() and not _is_empty(targets[folder]):
            raise BackupError(f"{targets[folder]} ({setting}) is not empty.")
    if vendor == "postgresql":
        connection.close()
        subprocess.run(
            [
                _tool("pg_restore"),
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={_libpq_env()['PGDATABASE']}",
                str(source / PG_DUMP),
            ],
            env=_libpq_env(),
            check=True,
            capture_output=True,
        )
    else:
        connection.close()
        database = Path(settings.DATABASES["default"]["NAME"])
        for leftover in (Path(f"{database}-wal"), Path(f"{database}-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(source / SQLITE_COPY, database)
    for folder, (_setting, secret) in DIRECTORIES.items():
        if (source / folder).is_dir():
            _copy_tree(source / folder, targets[folder], secret)
    counts = database_counts()
    if counts != manifest["tables"]:
        differ = sorted(
            table
            for table in counts.keys() | manifest["tables"].keys()
            if counts.get(table) != manifest["tables"].get(table)
        )
        raise BackupError(f"Row counts differ after the restore: {', '.join(differ[:10])}")
    return manifest

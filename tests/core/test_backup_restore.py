"""`fangyi backup` and `fangyi restore`: a small city backed up and restored into an empty
database and a fresh data directory (new key and ledger directories) has the same rows in
every table, the same colours, the same audit log, and the codes issued before still verify
with the restored keys. A damaged backup, or a database that is not empty, is refused.

Each installation is a `fangyi` process of its own (tests/core/support.py); on the
PostgreSQL run of the suite the databases are made beside the configured one."""

import os
import shutil
import stat
import uuid
from pathlib import Path
from types import SimpleNamespace

import dj_database_url
import psycopg
import pytest

from .support import environment, fangyi, issue_codes, state

CONFIGURED = os.environ.get("FANGYI_DATABASE_URL", "")
ON_POSTGRESQL = CONFIGURED.startswith(("postgres://", "postgresql://"))


class Databases:
    """Database URLs for one test, dropped afterwards."""

    def __init__(self, backend: str, folder: Path) -> None:
        self.backend, self.folder, self.made = backend, folder, []
        self.tag = uuid.uuid4().hex[:8]

    def new(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.folder / name / 'fangyi.sqlite3'}"
        configured = dj_database_url.parse(CONFIGURED)
        database = f"{configured['NAME']}_bk{self.tag}_{name}"
        with psycopg.connect(self._url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        self.made.append(database)
        return self._url(database)

    def _url(self, database: str) -> str:
        return CONFIGURED.rsplit("/", 1)[0] + "/" + database

    def drop(self) -> None:
        for database in self.made:
            with psycopg.connect(self._url("postgres"), autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(
    scope="module",
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not ON_POSTGRESQL, reason="the suite's PostgreSQL run"),
        ),
    ],
)
def backed_up(request, tmp_path_factory):
    """A tiny city with two codes issued, its state, and its backup."""
    folder = tmp_path_factory.mktemp(f"backup-{request.param}")
    databases = Databases(request.param, folder)
    source = environment(databases.new("source"), folder / "source")
    fangyi(source, "migrate", "-v", "0")
    fangyi(source, "seed", "--residents", "60", "--demo-staff")
    ledger_file = folder / "source" / "ledgers" / "some-job" / "upload.csv"
    ledger_file.parent.mkdir(parents=True)
    ledger_file.write_text("姓名,证件号码\n")
    codes = issue_codes(source)
    before = state(source, codes)
    fangyi(source, "backup", str(folder / "backup"))
    yield SimpleNamespace(
        databases=databases,
        folder=folder,
        source=source,
        codes=codes,
        before=before,
        backup=folder / "backup",
    )
    databases.drop()


def test_a_restored_backup_has_the_same_rows_colours_audit_log_and_keys(backed_up):
    before = backed_up.before
    assert before["codes"] == ["valid", "valid"]
    assert before["tables"]["people_person"] == 60
    assert before["audit"]["changes"]["count"] > 0
    fresh = backed_up.folder / "restored"
    restored = environment(backed_up.databases.new("restored"), fresh)
    fangyi(restored, "restore", str(backed_up.backup))

    assert state(restored, backed_up.codes) == before
    keys = list((fresh / "keys").glob("*.pem"))
    assert keys and all(stat.S_IMODE(key.stat().st_mode) == 0o600 for key in keys)
    assert (fresh / "ledgers" / "some-job" / "upload.csv").read_text() == "姓名,证件号码\n"


def test_a_damaged_backup_or_a_database_in_use_is_refused(backed_up, tmp_path):
    with pytest.raises(AssertionError, match="The database is not empty"):
        fangyi(backed_up.source, "restore", str(backed_up.backup))
    with pytest.raises(AssertionError, match="is not empty"):
        fangyi(backed_up.source, "backup", str(backed_up.backup))

    damaged = tmp_path / "damaged"
    shutil.copytree(backed_up.backup, damaged)
    database = next(p for p in damaged.iterdir() if p.name.startswith("database"))
    with database.open("r+b") as dump:
        dump.seek(200)
        dump.write(b"\x00\x01\x02")
    fresh = environment(backed_up.databases.new("fresh"), tmp_path / "fresh")
    with pytest.raises(AssertionError, match=f"does not match its manifest: {database.name}"):
        fangyi(fresh, "restore", str(damaged))

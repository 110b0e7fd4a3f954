"""`fangyi backup` and `fangyi restore`: a small city backed up and restored into an empty
database and a fresh data directory (new key and ledger directories) has the same rows in
every table, the same colours, the same audit log, and the codes issued before still verify
with the restored keys. A damaged backup, or a database that is not empty, is refused.

Each installation is a `fangyi` process of its own (tests/core/support.py); on the
PostgreSQL run of the suite the databases are made beside the configured one."""

import os
import stat
import uuid
from pathlib import Path

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
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not ON_POSTGRESQL, reason="the suite's PostgreSQL run"),
        ),
    ]
)
def databases(request, tmp_path):
    made = Databases(request.param, tmp_path)
    yield made
    made.drop()


def test_a_restored_backup_has_the_same_rows_colours_audit_log_and_keys(databases, tmp_path):
    source = environment(databases.new("source"), tmp_path / "source")
    fangyi(source, "migrate", "-v", "0")
    fangyi(source, "seed", "--residents", "60", "--demo-staff")
    codes = issue_codes(source)
    ledger_file = tmp_path / "source" / "ledgers" / "some-job" / "upload.csv"
    ledger_file.parent.mkdir(parents=True)
    ledger_file.write_text("姓名,证件号码\n")
    before = state(source, codes)
    assert before["codes"] == ["valid", "valid"]
    assert before["tables"]["people_person"] == 60
    assert before["audit"]["changes"]["count"] > 0

    fangyi(source, "backup", str(tmp_path / "backup"))
    restored = environment(databases.new("restored"), tmp_path / "restored")
    fangyi(restored, "restore", str(tmp_path / "backup"))

    assert state(restored, codes) == before
    keys = list((tmp_path / "restored" / "keys").glob("*.pem"))
    assert keys and all(stat.S_IMODE(key.stat().st_mode) == 0o600 for key in keys)
    copied = tmp_path / "restored" / "ledgers" / "some-job" / "upload.csv"
    assert copied.read_text() == "姓名,证件号码\n"
    # Without the keys, the same database cannot vouch for its codes.
    other = dict(restored, FANGYI_SIGNING_KEY_DIR=str(tmp_path / "no-keys"))
    assert state(other, codes)["codes"] == ["unknown_key", "unknown_key"]


def test_a_damaged_backup_or_a_database_in_use_is_refused(databases, tmp_path):
    source = environment(databases.new("source"), tmp_path / "source")
    fangyi(source, "migrate", "-v", "0")
    fangyi(source, "seed", "--residents", "5", "--no-health")
    fangyi(source, "backup", str(tmp_path / "backup"))

    with pytest.raises(AssertionError, match="is not empty"):
        fangyi(source, "restore", str(tmp_path / "backup"))
    with pytest.raises(AssertionError, match="is not empty"):
        fangyi(source, "backup", str(tmp_path / "backup"))

    database = next(p for p in (tmp_path / "backup").iterdir() if p.name.startswith("database"))
    with database.open("r+b") as dump:
        dump.seek(200)
        dump.write(b"\x00\x01\x02")
    fresh = environment(databases.new("fresh"), tmp_path / "fresh")
    with pytest.raises(AssertionError, match=f"does not match its manifest: {database.name}"):
        fangyi(fresh, "restore", str(tmp_path / "backup"))

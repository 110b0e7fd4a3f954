"""A city's state as a backup must keep it, read by `fangyi shell` in the process of the
settings under test (a database and directories of their own), for tests/core and
benchmarks/backup_restore.py."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Prints the codes it issues (a card and a display code of one resident) as JSON.
ISSUE = """
import json
from fangyi.accounts.models import User
from fangyi.codes.services import issue_card_code, issue_display_code
from fangyi.core.context import acting
from fangyi.people.models import Person
person = Person.objects.order_by("region_path", "id").first()
with acting(via="cli"):
    card = issue_card_code(user=User.objects.get(username="admin"), person=person)
    display = issue_display_code(person_id=person.pk)
print(json.dumps([card.text, display.text]))
"""

# Prints the state as JSON: rows per table, colours per building, the audit log's last id,
# count and a SHA-256 over all of its rows, and what verifying each code of
# FANGYI_CHECK_CODES answers with the keys on disk.
STATE = """
import hashlib, json, os
from django.db.models import Count
from fangyi.codes.services import verify_here
from fangyi.core.backup import database_counts
from fangyi.core.models import AccessEvent, ObjectChange
from fangyi.health.models import Status

def digest(model):
    rows = model.objects.order_by("pk").values_list()
    text = json.dumps([list(row) for row in rows], default=str, sort_keys=True)
    return {"count": len(rows), "last": rows[len(rows) - 1][0] if rows else None,
            "sha256": hashlib.sha256(text.encode()).hexdigest()}

colours = {}
for row in Status.objects.values("region_path", "colour").annotate(n=Count("pk")):
    colours[row["region_path"] + " " + row["colour"]] = row["n"]
codes = json.loads(os.environ.get("FANGYI_CHECK_CODES", "[]"))
print(json.dumps({
    "tables": database_counts(),
    "colours": dict(sorted(colours.items())),
    "audit": {"changes": digest(ObjectChange), "access": digest(AccessEvent)},
    "codes": [str(verify_here(text).result) for text in codes],
}, default=str))
"""


def fangyi(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "fangyi", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode:
        raise AssertionError(f"fangyi {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def environment(database_url: str, data_dir: Path) -> dict[str, str]:
    """The settings of one installation: its database and its own data directory (keys and
    ledger files under it)."""
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        DJANGO_SETTINGS_MODULE="fangyi.settings",
        FANGYI_DATABASE_URL=database_url,
        FANGYI_DATA_DIR=str(data_dir),
        FANGYI_INSECURE_DEV_KEY="1",
        FANGYI_LOG_LEVEL="ERROR",
    )
    for inherited in ("FANGYI_SIGNING_KEY_DIR", "FANGYI_LEDGER_DIR", "FANGYI_PROCESS"):
        env.pop(inherited, None)
    return env


def issue_codes(env: dict[str, str]) -> list[str]:
    return json.loads(fangyi(env, "shell", "-c", ISSUE).strip().splitlines()[-1])


def state(env: dict[str, str], codes: list[str]) -> dict:
    env = dict(env, FANGYI_CHECK_CODES=json.dumps(codes))
    return json.loads(fangyi(env, "shell", "-c", STATE).strip().splitlines()[-1])

"""Web processes get the statement timeout and the connect timeout; the task worker and
commands, which run long statements on purpose, get only the connect timeout. Each is a
fresh process, since the settings are read once."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIGURED = os.environ.get("FANGYI_DATABASE_URL", "")
ON_POSTGRESQL = CONFIGURED.startswith(("postgres://", "postgresql://"))

SHOW = """
import json
from django.conf import settings
from django.db import connection
options = settings.DATABASES["default"].get("OPTIONS", {})
shown = None
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        shown = cursor.fetchone()[0]
print(json.dumps({"options": options, "health_checks": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"], "shown": shown}))
"""


def settings_of(process: str, url: str) -> dict:
    preamble = "import fangyi.wsgi\n" if process == "web" else "import django; django.setup()\n"
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        DJANGO_SETTINGS_MODULE="fangyi.settings",
        FANGYI_DATABASE_URL=url,
        FANGYI_INSECURE_DEV_KEY="1",
        FANGYI_DB_STATEMENT_TIMEOUT_MS="1234",
    )
    env.pop("FANGYI_PROCESS", None)
    done = subprocess.run(
        [sys.executable, "-c", preamble + SHOW], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_only_web_processes_get_the_statement_timeout():
    url = "postgres://postgres@127.0.0.1:5432/postgres"
    web, worker = settings_of("web", url), settings_of("worker", url)
    assert web["options"] == {"connect_timeout": 5, "options": "-c statement_timeout=1234"}
    assert worker["options"] == {"connect_timeout": 5}
    assert web["health_checks"] and worker["health_checks"]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the suite's PostgreSQL run")
def test_postgresql_applies_it_to_the_web_processes_connections():
    server = CONFIGURED.rsplit("/", 1)[0] + "/postgres"
    assert settings_of("web", server)["shown"] == "1234ms"
    assert settings_of("worker", server)["shown"] == "0"

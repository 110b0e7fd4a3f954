"""PostgreSQL restarted under load: while it is away every request answers a quick 503 (JSON
under /api/, a page elsewhere) with Retry-After, and once it is back the same gunicorn
workers serve again, without a restart of their own.

The server is a private cluster (tests/pgcluster.py) stopped with `pg_ctl -m immediate`, the
way a crash or a failover looks to the web processes."""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.pgcluster import PrivateCluster, available, free_port

pytestmark = pytest.mark.skipif(
    not available(), reason="needs PostgreSQL's server binaries (initdb, pg_ctl)"
)

# Each request must be answered within this, outage or not (the connect timeout is 2 s).
REQUEST_LIMIT = 5.0
ROOT = Path(__file__).resolve().parents[2]

MAKE_TOKEN = """
from fangyi.accounts.models import User
from fangyi.accounts.services import issue_token
user = User.objects.create_superuser(username="root", password="outage-test-pw")
print(issue_token(actor=None, user=user))
"""


@dataclass
class Answer:
    kind: str
    sent: float
    seconds: float
    status: int | None
    content_type: str = ""
    body: bytes = b""
    retry_after: str | None = None
    error: str = ""


def fetch(kind: str, url: str, headers: dict[str, str]) -> Answer:
    sent = time.monotonic()
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_LIMIT * 3) as response:
            status, got, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, got, body = exc.code, exc.headers, exc.read()
    except OSError as exc:
        return Answer(kind, sent, time.monotonic() - sent, None, error=repr(exc))
    return Answer(
        kind,
        sent,
        time.monotonic() - sent,
        status,
        got.get("Content-Type", ""),
        body,
        got.get("Retry-After"),
    )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def worker_pids(master: int) -> set[int]:
    return set(map(int, Path(f"/proc/{master}/task/{master}/children").read_text().split()))


@pytest.fixture
def cluster():
    pg = PrivateCluster()
    pg.start()
    yield pg
    pg.remove()


def test_requests_answer_503_while_postgresql_is_away_and_200_when_it_is_back(cluster, tmp_path):
    cluster.create_database("ops_outage")
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        DJANGO_SETTINGS_MODULE="fangyi.settings",
        FANGYI_DATABASE_URL=cluster.url("ops_outage"),
        FANGYI_DATA_DIR=str(tmp_path),
        FANGYI_INSECURE_DEV_KEY="1",
        FANGYI_DB_CONNECT_TIMEOUT="2",
        FANGYI_LOG_LEVEL="ERROR",
    )
    env.pop("FANGYI_PROCESS", None)
    python = [sys.executable, "-m", "fangyi"]
    subprocess.run([*python, "migrate", "-v", "0"], env=env, check=True)
    token = subprocess.run(
        [*python, "shell", "-c", MAKE_TOKEN], env=env, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    port = free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "fangyi.wsgi", "-w", "2", "--timeout", "20"]
    gunicorn.append("--no-control-socket")
    server = subprocess.Popen([*gunicorn, "-b", f"127.0.0.1:{port}"], env=env)
    base = f"http://127.0.0.1:{port}"
    urllib.request.install_opener(urllib.request.build_opener(NoRedirect))
    kinds = {
        # An API operation: the token is looked up in the database.
        "api": (f"{base}/api/v1/persons", {"Authorization": f"Bearer {token}"}),
        # A page: a session cookie makes it read the session table.
        "page": (f"{base}/", {"Cookie": "sessionid=" + "x" * 32}),
    }
    answers: list[Answer] = []
    stop = threading.Event()

    def load(kind: str) -> None:
        url, headers = kinds[kind]
        while not stop.is_set():
            answers.append(fetch(kind, url, headers))
            time.sleep(0.02)

    try:
        deadline = time.monotonic() + 30
        while fetch("api", *kinds["api"]).status != 200:
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        workers = worker_pids(server.pid)
        threads = [threading.Thread(target=load, args=(k,)) for k in ("api", "api", "page")]
        for thread in threads:
            thread.start()
        # The first requests of each worker import the URL configuration and every area:
        # timing starts once both kinds answer quickly.
        deadline = time.monotonic() + 60
        while not all(
            sum(a.kind == kind and a.seconds < 0.5 for a in answers[-40:]) >= 5 for kind in kinds
        ):
            assert time.monotonic() < deadline, "the workers did not warm up"
            time.sleep(0.1)
        warm = time.monotonic()
        time.sleep(1.5)
        stopped = time.monotonic()
        cluster.stop("immediate")
        time.sleep(3)
        restarted = time.monotonic()
        cluster.start()
        time.sleep(4)
        stop.set()
        for thread in threads:
            thread.join()
        assert server.poll() is None
        assert worker_pids(server.pid) == workers, "a gunicorn worker was restarted"
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)

    assert [a for a in answers if a.error] == []
    answers = [a for a in answers if a.sent > warm]
    slow = [(a.kind, a.status, round(a.sent - stopped, 2), round(a.seconds, 2)) for a in answers]
    assert all(a.seconds < REQUEST_LIMIT for a in answers), max(slow, key=lambda s: s[-1])
    before = [a for a in answers if a.sent + a.seconds < stopped]
    assert before and {(a.kind, a.status) for a in before} == {("api", 200), ("page", 302)}

    during = [a for a in answers if stopped + 0.2 < a.sent and a.sent + a.seconds < restarted]
    assert {a.kind for a in during} == {"api", "page"}
    assert {a.status for a in during} == {503}
    for answer in during:
        assert answer.retry_after == "5"
        if answer.kind == "api":
            assert answer.content_type == "application/json"
            assert json.loads(answer.body) == {"detail": "数据库暂时不可用，请稍后重试"}
        else:
            assert answer.content_type.startswith("text/html")
            assert "数据库暂时不可用，请稍后重试" in answer.body.decode()

    after = [a for a in answers if a.sent > restarted]
    recovered = min(a.sent for a in after if a.status in (200, 302)) - restarted
    # Restarting after an immediate stop includes PostgreSQL's crash recovery.
    assert recovered < 5
    last = [a for a in after if a.sent > restarted + recovered + 0.5]
    assert last and {(a.kind, a.status) for a in last} == {("api", 200), ("page", 302)}
    # Nothing but 503s and successes, ever: no 500.
    assert {a.status for a in answers} <= {200, 302, 503}

"""How a job's worker is named and found dead, and `fangyi jobs recover` with nothing to do."""

import datetime
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangyi.core import workers


def test_this_process_is_alive_and_a_killed_one_is_not():
    assert workers.alive(workers.identity()) is True
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    named = workers.identity(child.pid)
    assert workers.alive(named) is True
    child.kill()
    # Exited but not yet reaped by its parent: a zombie is dead too.
    deadline = time.monotonic() + 10
    while workers.alive(named) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert workers.alive(named) is False
    child.wait()
    assert workers.alive(named) is False


def test_a_process_id_used_again_by_another_process_is_not_the_worker():
    host, pid, started = workers.identity().split(":")
    assert workers.alive(f"{host}:{pid}:{int(started or 0) + 1}") is False


def test_a_worker_on_another_machine_is_judged_by_its_heartbeat(settings):
    settings.FANGYI_JOB_STALLED_MINUTES = 10
    elsewhere = "another-host:1234:5678"
    assert workers.alive(elsewhere) is None
    now = timezone.now()
    assert not workers.abandoned(elsewhere, now - datetime.timedelta(minutes=9), now=now)
    assert workers.abandoned(elsewhere, now - datetime.timedelta(minutes=11), now=now)
    assert not workers.abandoned(workers.identity(), now - datetime.timedelta(days=1), now=now)


@pytest.mark.django_db
def test_the_command_says_when_there_is_nothing_to_recover():
    out = StringIO()
    call_command("jobs", "recover", stdout=out)
    assert out.getvalue().strip() == "no job to recover"

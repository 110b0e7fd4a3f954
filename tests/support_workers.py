"""Task workers and commands as processes of their own, against the test database, for the
tests that kill them (tests/*/test_*_killed.py).

`worker_command()` is the one place that knows the task backend: it builds the worker's
command line from settings.TASKS. Everything else (the database the process opens, the
smaller chunk sizes that put a small job several chunks deep, killing and waiting) is the
same for every backend.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from fangyi.core import tasking, workers

ROOT = Path(__file__).resolve().parent.parent

# Runs a `fangyi` command after setting module constants (chunk sizes) given as JSON: the
# process then does in many small chunks what it would do in one, so that a kill lands mid-way.
LAUNCHER = """
import importlib, json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
import django
django.setup()
for dotted, value in json.loads(sys.argv[1]).items():
    module, _, name = dotted.rpartition(".")
    setattr(importlib.import_module(module), name, value)
from django.core.management import execute_from_command_line
execute_from_command_line(["fangyi", *sys.argv[2:]])
"""


def worker_command() -> list[str]:
    """The task worker of the configured backend, as `fangyi` arguments: the command
    `fangyi.core.tasking.worker_command()` gives, polling the database more often."""
    command = tasking.worker_command()[3:]
    if command[0] == "db_worker":
        return [*command, "--interval", "0.05", "-v", "0"]
    return command


def database_url() -> str:
    """The test database, as FANGYI_DATABASE_URL spells it, for a process of its own."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        FANGYI_DATABASE_URL=database_url(),
        FANGYI_LEDGER_DIR=str(settings.FANGYI_LEDGER_DIR),
        FANGYI_SIGNING_KEY_DIR=str(settings.FANGYI_SIGNING_KEY_DIR),
        FANGYI_INSECURE_DEV_KEY="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")])),
    )
    return env


# Every process a test starts carries its own value of this variable, and so does every
# process those start: `kill` finds them all by it, whether or not their parent still lives.
TAG = "FANGYI_TEST_PROCESS"


def start(args: list[str], *, patches: dict[str, Any] | None = None) -> subprocess.Popen:
    """`fangyi <args>` in a process of its own (its output in a temporary file)."""
    log = open(Path(settings.FANGYI_LEDGER_DIR).parent / f"process-{time.time_ns()}.log", "w+b")  # noqa: SIM115  (closed with the process, by stop/kill)
    tag = uuid.uuid4().hex
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, json.dumps(patches or {}), *args],
        cwd=ROOT,
        env={**environment(), TAG: tag},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log  # type: ignore[attr-defined]
    process.tag = tag  # type: ignore[attr-defined]
    return process


def start_worker(*, patches: dict[str, Any] | None = None) -> subprocess.Popen:
    return start(worker_command(), patches=patches)


def run_until(condition: Callable[[], Any], *, patches: dict[str, Any] | None = None) -> Any:
    """Runs a worker until `condition` answers something true, then stops it; answers that."""
    worker = start_worker(patches=patches)
    try:
        return wait_for(condition, process=worker)
    finally:
        stop(worker)


def kill_when(condition: Callable[[], Any], *, patches: dict[str, Any] | None = None) -> Any:
    """Runs a worker until `condition` answers something true, then kills it; answers that."""
    worker = start_worker(patches=patches)
    try:
        return wait_for(condition, process=worker)
    finally:
        kill(worker)
        worker.log.close()  # type: ignore[attr-defined]


def output(process: subprocess.Popen) -> str:
    log = process.log  # type: ignore[attr-defined]
    log.seek(0)
    return log.read().decode(errors="replace")


def kill(process: subprocess.Popen) -> None:
    """SIGKILL, as the out-of-memory killer or a lost machine: no handler, no clean-up."""
    marker = f"{TAG}={process.tag}".encode()  # type: ignore[attr-defined]
    # Stopped first, so that it starts no new process while the others are found.
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGSTOP)
    killed = [*started_by(marker), process.pid]
    for pid in killed:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)
    # A signalled process lives on until the kernel has torn it down; until then recovery
    # would rightly take it for a worker still at work. The work horse is not our child, so
    # it cannot be waited for: it is watched until it has gone or is a zombie.
    wait_for(lambda: not any(workers.alive(workers.identity(pid)) for pid in killed), timeout=30)


def started_by(marker: bytes) -> list[int]:
    """Every process whose environment holds `marker`: an RQ worker's work horse puts itself
    in a session of its own and may outlive its parent, so neither the process group nor the
    tree of parents finds it for certain."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        with contextlib.suppress(OSError):
            if marker in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
    return found


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill(process)
    process.log.close()  # type: ignore[attr-defined]


def wait_for(
    condition: Callable[[], Any], *, timeout: float = 60, every: float = 0.02, process=None
) -> Any:
    """Polls `condition` until it answers something true; fails after `timeout` seconds, or
    as soon as `process` exits."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process exited ({process.returncode}):\n{output(process)}")
        if time.monotonic() > deadline:
            raise AssertionError("timed out" + (f":\n{output(process)}" if process else ""))
        time.sleep(every)

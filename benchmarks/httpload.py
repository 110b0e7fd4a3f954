"""What the load scripts beside it share: one HTTP request timed and read to the end,
percentiles, gunicorn started and waited for, and the memory of a process tree (from /proc)."""

import http.client
import os
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Answer:
    kind: str
    sent: float
    seconds: float
    status: int | None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""


class Client:
    """One keep-alive connection per thread, opened again whenever it breaks."""

    def __init__(self, base: str, timeout: float = 60.0) -> None:
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Answer:
        sent = time.monotonic()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            self.connection.request(method, path, body=body, headers=headers or {})
            response = self.connection.getresponse()
            data = response.read()
            got = {k.lower(): v for k, v in response.getheaders()}
            if got.get("connection", "").lower() == "close":
                self.close()
            return Answer(kind, sent, time.monotonic() - sent, response.status, data, got)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            return Answer(kind, sent, time.monotonic() - sent, None, error=repr(exc))

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def start_gunicorn(
    env: dict[str, str],
    port: int,
    *,
    workers: int,
    worker_class: str,
    threads: int,
    timeout: int = 60,
) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "fangyi.wsgi",
        "-w",
        str(workers),
        "-k",
        worker_class,
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        str(timeout),
        "--keep-alive",
        "30",
        "--no-control-socket",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, env=env)


def wait_for(base: str, path: str, seconds: float = 60.0) -> None:
    client = Client(base, timeout=5)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if client.request("probe", "GET", path).status is not None:
            return
        time.sleep(0.2)
    raise SystemExit(f"nothing answered at {base}{path}")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def load_average() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg())

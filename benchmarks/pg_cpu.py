"""The CPU time PostgreSQL's processes spend for one database, while a benchmark step runs.

    with BackendCPU(database_url) as pg:
        ...                      # the step, in child processes of their own
    pg.cpu_seconds, pg.wal_mib, pg.backends

A thread polls pg_stat_activity every `interval` seconds for the processes serving the
database (backends, and the parallel workers of an index build) and reads each one's CPU time
from /proc; a process is counted at the last value seen, so each may lose up to an interval at
its end. The server must run on this machine and /proc be readable (run as root or postgres).
Shared processes (the WAL writer, the checkpointer) are not counted: on a shared server their
work is everyone's. `wal_mib` is the growth of the WAL position, the whole server's.
"""

import os
import threading

import psycopg

TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are the 14th and 15th fields; the first two precede the split.
    return (int(fields[11]) + int(fields[12])) / TICKS


class BackendCPU:
    def __init__(self, database_url: str, *, interval: float = 0.1) -> None:
        self.database_url = database_url
        self.interval = interval
        self.seen: dict[int, float] = {}
        # Processes already running when the step began count from their time then.
        self.start: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.cpu_seconds = 0.0
        self.wal_mib = 0.0
        self.backends = 0

    def _sample(self, connection: psycopg.Connection) -> dict[int, float]:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> %s",
            [connection.info.backend_pid],
        ).fetchall()
        return {pid: cpu for (pid,) in rows if (cpu := _cpu_of(pid)) is not None}

    def _poll(self) -> None:
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            while not self.stop.wait(self.interval):
                self.seen.update(self._sample(connection))

    def _wal(self) -> int:
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            row = connection.execute(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint"
            ).fetchone()
            assert row is not None
            return int(row[0])

    def __enter__(self) -> "BackendCPU":
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            self.start = self._sample(connection)
        self.wal_before = self._wal()
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        self.cpu_seconds = round(
            sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.seen.items()), 1
        )
        self.backends = len(self.seen)
        self.wal_mib = round((self._wal() - self.wal_before) / 2**20)

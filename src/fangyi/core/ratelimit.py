"""Fixed-window counters in the shared cache, for the limits named in settings.FANGYI_RATE_LIMITS.

A limit is a number of events in a window of seconds, counted per key (a client address, a
token's hash). Windows start on multiples of their length, so every process counts into the
same counter without talking to the others. On Redis the count is one atomic INCR. Where the
shared cache is the database, the counters are rows of their own (`RateCounter`), added to by
one atomic upsert: the database cache would read and write, and count its whole table on every
write to decide whether to cull (finding 25). Windows that have ended are purged every ten
minutes by the scheduler (`core.purge-rate-counters`).

`hit` counts an event and refuses it once the window holds too many; `check` only refuses,
for limits that count failures: it is asked before the work, and `hit` after a failure.
Every refusal is logged (logger "fangyi.security"), once per key and window.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.http import HttpRequest
from django.utils.translation import gettext as _

from . import hotsql

logger = logging.getLogger("fangyi.security")


class RateLimited(Exception):
    """Too many requests: `retry_after` seconds until the window ends."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = max(1, retry_after)


def clock() -> float:
    """Seconds since the epoch, where windows start and end (tests move it)."""
    return time.time()


@dataclass(frozen=True)
class Window:
    key: str
    ends: float


def _window(name: str, key: str) -> tuple[int, Window]:
    events, seconds = settings.FANGYI_RATE_LIMITS[name]
    now = clock()
    start = int(now // seconds) * seconds
    # Hashed: keys carry tokens and addresses, and cache keys have a restricted alphabet.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return events, Window(f"ratelimit:{name}:{start}:{digest}", start + seconds)


def _refuse(name: str, key: str, window: Window, message: str | None) -> RateLimited:
    retry_after = int(window.ends - clock()) + 1
    if cache.add(f"{window.key}:logged", True, retry_after):
        logger.warning("rate limit %s reached by %s; refused for %s s", name, key, retry_after)
    return RateLimited(message or _("请求过于频繁，请稍后再试。"), retry_after)


def _in_database() -> bool:
    return isinstance(caches[DEFAULT_CACHE_ALIAS], DatabaseCache)


def _count(window: Window) -> int:
    if _in_database():
        from .models import RateCounter

        table, key_column, count_column, ends_column = map(
            connection.ops.quote_name, (RateCounter._meta.db_table, "key", "count", "ends")
        )
        # Prepared on PostgreSQL: every API call counts (hotsql.py).
        with hotsql.cursor(connection) as cursor:
            # One statement, atomic on SQLite (3.35 and later) and PostgreSQL alike.
            cursor.execute(
                f"INSERT INTO {table} ({key_column}, {count_column}, {ends_column}) "
                f"VALUES (%s, 1, %s) ON CONFLICT ({key_column}) "
                f"DO UPDATE SET {count_column} = {table}.{count_column} + 1 "
                f"RETURNING {count_column}",
                [window.key, window.ends],
            )
            return int(cursor.fetchone()[0])
    timeout = int(window.ends - clock()) + 5
    backend = caches[DEFAULT_CACHE_ALIAS]
    if type(backend).incr is BaseCache.incr:
        # A generic incr reads and writes, and its write would set the default timeout: the
        # entry could expire before its window ends.
        count = int(backend.get(window.key) or 0) + 1
        backend.set(window.key, count, timeout)
        return count
    try:
        # Redis and the local-memory cache add atomically and keep the entry's expiry.
        return backend.incr(window.key)
    except ValueError:
        if backend.add(window.key, 1, timeout):
            return 1
        return backend.incr(window.key)


def _current(window: Window) -> int:
    if _in_database():
        from .models import RateCounter

        found = RateCounter.objects.filter(key=window.key).values_list("count", flat=True)
        return next(iter(found), 0)
    return cache.get(window.key) or 0


def purge_ended(*, now: float | None = None) -> int:
    """Deletes the database counters of windows that have ended; answers how many."""
    from .models import RateCounter

    deleted, _rows = RateCounter.objects.filter(ends__lt=clock() if now is None else now).delete()
    return deleted


def hit(name: str, key: str, *, message: str | None = None) -> None:
    """Counts one event of limit `name` for `key`; raises RateLimited beyond the limit."""
    events, window = _window(name, key)
    if _count(window) > events:
        raise _refuse(name, key, window, message)


def check(name: str, key: str, *, message: str | None = None) -> None:
    """Raises RateLimited if `key` has used up limit `name` in this window; counts nothing."""
    events, window = _window(name, key)
    if _current(window) >= events:
        raise _refuse(name, key, window, message)


def client_address(request: HttpRequest) -> str:
    """The address limits count by: the connection's peer, as the audit log and axes see it.

    Behind a proxy, ClientAddressMiddleware has put the client's address there from the
    header named by settings.FANGYI_CLIENT_ADDRESS_HEADER; nothing else a client writes is read.
    """
    return request.META.get("REMOTE_ADDR") or "unknown"


def per_address[**P, R](name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A view decorator: each request counts against limit `name` for its client address."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            request = args[0]
            assert isinstance(request, HttpRequest)
            hit(name, client_address(request))
            return view(*args, **kwargs)

        return wrapper

    return decorator

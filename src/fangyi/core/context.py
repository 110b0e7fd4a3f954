"""Who is acting, carried through a request or a job so services can audit without plumbing."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ActorContext:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    ip: str | None = None
    via: str = "system"


_current: ContextVar[ActorContext | None] = ContextVar("fangyi_actor_context", default=None)


def current() -> ActorContext:
    ctx = _current.get()
    return ctx if ctx is not None else ActorContext()


@contextmanager
def acting(
    *, via: str, ip: str | None = None, request_id: str | None = None
) -> Iterator[ActorContext]:
    ctx = ActorContext(request_id=request_id or uuid.uuid4().hex, ip=ip, via=via)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)

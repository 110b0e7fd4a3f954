"""What field work tells other areas, without importing them: a task was done or failed.

`task_finished` is sent once the transaction that finished the task has committed, with
`task_id`, `kind`, `source`, `source_ref`, `status` and `note` (the worker's note, or the
reason it failed). The hotline resolves the ticket a task was made from. A failing receiver is
logged, never an error of the worker's request.
"""

import logging
import uuid
from typing import NamedTuple

from django.db import transaction
from django.dispatch import Signal

task_finished = Signal()
logger = logging.getLogger(__name__)


def announce_finished(
    *, task_id: uuid.UUID, kind: str, source: str, source_ref: str, status: str, note: str
) -> None:
    payload = {
        "task_id": task_id,
        "kind": kind,
        "source": source,
        "source_ref": source_ref,
        "status": status,
        "note": note,
    }
    transaction.on_commit(lambda: _send(payload))


class Finished(NamedTuple):
    task_id: uuid.UUID
    kind: str
    source: str
    source_ref: str
    status: str
    note: str


def announce_finished_many(finished: list[Finished]) -> None:
    """`task_finished` for each of many tasks finished together, as `announce_finished` sends
    it for one: after the commit, each on its own."""
    if finished:
        transaction.on_commit(lambda: _send_each(finished))


def _send_each(finished: list[Finished]) -> None:
    for task in finished:
        _send(task._asdict())


def _send(payload: dict) -> None:
    for receiver, error in task_finished.send_robust(sender=None, **payload):
        if isinstance(error, Exception):
            logger.error(
                "task_finished receiver %s failed on %s",
                getattr(receiver, "__qualname__", receiver),
                payload["task_id"],
                exc_info=error,
            )

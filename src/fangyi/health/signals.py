"""What health tells other areas, without importing them: facts were recorded.

`facts_recorded` is sent once the transaction that wrote the facts has committed, with
`facts`: a list of RecordedFact. Receivers (isolation proposes orders from contact facts)
connect in their AppConfig.ready(); a receiver that fails does not undo the facts, and the
areas that act on facts also run a periodic catch-up for what a failed receiver missed.
The bulk writers announce every fact but test results: a lab's results are a million rows
that nobody acts on one by one, and the member facts of a screening round, written inside
the database, are test results only.
"""

import datetime
import logging
import uuid
from typing import NamedTuple

from django.db import transaction
from django.dispatch import Signal

facts_recorded = Signal()
logger = logging.getLogger(__name__)


class RecordedFact(NamedTuple):
    id: uuid.UUID
    person_id: uuid.UUID
    kind: str
    occurred_at: datetime.datetime


def announce(facts: list[RecordedFact]) -> None:
    if facts:
        transaction.on_commit(lambda: _send(facts))


def _send(facts: list[RecordedFact]) -> None:
    # The facts are committed: a failing receiver is logged, never turned into an error of
    # the request or job that recorded them.
    for receiver, error in facts_recorded.send_robust(sender=RecordedFact, facts=facts):
        if isinstance(error, Exception):
            logger.error(
                "facts_recorded receiver %s failed on %d facts",
                getattr(receiver, "__qualname__", receiver),
                len(facts),
                exc_info=error,
            )

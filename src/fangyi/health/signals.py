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


# `appeal_decided` is sent once an appeal's decision has committed, with `appeal_id`,
# `accepted` and `note` (the decision's reasons): the hotline resolves the ticket that filed it.
appeal_decided = Signal()


def announce_decision(appeal_id: uuid.UUID, *, accepted: bool, note: str) -> None:
    transaction.on_commit(lambda: _send_decision(appeal_id, accepted, note))


def _send_decision(appeal_id: uuid.UUID, accepted: bool, note: str) -> None:
    for receiver, error in appeal_decided.send_robust(
        sender=None, appeal_id=appeal_id, accepted=accepted, note=note
    ):
        if isinstance(error, Exception):
            logger.error(
                "appeal_decided receiver %s failed on %s",
                getattr(receiver, "__qualname__", receiver),
                appeal_id,
                exc_info=error,
            )

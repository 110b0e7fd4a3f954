"""What supplies tells other areas, without importing them: a request was delivered or
cancelled.

`request_finished` is sent once the transaction that moved the request has committed, with
`request_id`, `kind`, `state`, `hotline_ticket` and `note`. The hotline resolves the ticket
that asked for the request. A failing receiver is logged, never an error of the delivery.
"""

import logging
import uuid

from django.db import transaction
from django.dispatch import Signal

request_finished = Signal()
logger = logging.getLogger(__name__)


def announce_finished(
    *, request_id: uuid.UUID, kind: str, state: str, hotline_ticket: str, note: str
) -> None:
    transaction.on_commit(
        lambda: _send(
            request_id=request_id, kind=kind, state=state, hotline_ticket=hotline_ticket, note=note
        )
    )


def _send(**kwargs) -> None:
    for receiver, error in request_finished.send_robust(sender=None, **kwargs):
        if isinstance(error, Exception):
            logger.error(
                "request_finished receiver %s failed on %s",
                getattr(receiver, "__qualname__", receiver),
                kwargs["request_id"],
                exc_info=error,
            )

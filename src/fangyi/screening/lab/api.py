"""The lab's API under /screening: receiving tubes, sending results, listing tubes.

Receiving is `lab/receive`, not `tubes/receive`: the samplers' `GET tubes/{barcode}` comes
first in the URL patterns and would take the word "receive" for a barcode.

Labs see barcodes, never names: nothing here answers with a person. Batches take up to 10,000
tubes and are units: an error names the item (`results.3.tested_at`) and refuses the batch.
A tube outside the caller's lab scope is answered as if it did not exist.
"""

import datetime
import uuid
from dataclasses import asdict
from typing import Literal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema

from fangyi.core.api import page_of
from fangyi.core.permissions import VIEW, require
from fangyi.core.schemas import ERROR_RESPONSES, Input, Moment, PageParams, Text
from fangyi.health.models import TestOutcome
from fangyi.screening.area import LAB_TUBE
from fangyi.screening.lab import services as lab
from fangyi.screening.models import TubeState

router = Router(tags=["screening"])

MAX_ITEMS = 10_000
Outcome = Literal[*TestOutcome.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
State = Literal[*TubeState.values]  # type: ignore[valid-type]  # a Literal of the choices, built at run time
# Field names as the API spells them, for the service's errors.
RESULT_FIELDS = {"barcode": "tube"}


def _relabel(exc: ValidationError, prefix: str, names: dict[str, str] | None = None):
    """The service's errors (`3.barcode`) as the body's fields (`results.3.tube`)."""
    relabelled = {}
    for key, messages in exc.message_dict.items():
        index, _dot, name = key.partition(".")
        name = (names or {}).get(name, name)
        relabelled[f"{prefix}.{index}.{name}" if name else f"{prefix}.{index}"] = messages
    return ValidationError(relabelled)


class ReceiveBatch(Input):
    barcodes: list[Text] = Field(min_length=1, max_length=MAX_ITEMS, description="tube barcodes")


class ReceiveCounts(Schema):
    received: int = Field(description="tubes received now")
    unchanged: int = Field(description="tubes received before")


@router.post("/lab/receive", response={200: ReceiveCounts, **ERROR_RESPONSES})
def receive_tubes(request, payload: ReceiveBatch):
    """Marks closed tubes as arrived at the lab; receiving one again is not an error."""
    try:
        counts = lab.receive_tubes(actor=request.auth, barcodes=payload.barcodes)
    except ValidationError as exc:
        raise _relabel(exc, "barcodes") from exc
    return {"received": counts.received, "unchanged": counts.unchanged}


class ResultItem(Input):
    tube: Text = Field(max_length=32, description="the tube's barcode")
    result: Outcome
    ct_value: float | None = Field(None, ge=0, le=lab.MAX_CT, allow_inf_nan=False)
    tested_at: Moment


class ResultBatch(Input):
    results: list[ResultItem] = Field(min_length=1, max_length=MAX_ITEMS)


class ResultCounts(Schema):
    items: int
    resulted: int = Field(description="tubes given their result now")
    unchanged: int = Field(description="tubes that already had this result")
    negative: int
    positive: int
    invalid: int
    facts: int = Field(description="health facts written for the tubes' members")
    tasks: int = Field(description="retest and re-sampling tasks created")
    recomputed: int = Field(description="persons whose status was brought up to date")


@router.post("/results", response={200: ResultCounts, **ERROR_RESPONSES})
def post_results(request, payload: ResultBatch):
    """Stores tube results and what they cause: facts for every member, retest tasks for a
    positive pool, re-sampling tasks for an invalid tube, and the statuses that follow.
    The same result again is counted unchanged; a different one for a resulted tube is
    refused (corrections are not made here)."""
    items = [
        lab.ResultInput(
            barcode=item.tube,
            result=item.result,
            tested_at=item.tested_at,
            ct_value=item.ct_value,
        )
        for item in payload.results
    ]
    try:
        counts = lab.record_results(actor=request.auth, items=items)
    except ValidationError as exc:
        raise _relabel(exc, "results", RESULT_FIELDS) from exc
    return asdict(counts)


class LabTubeParams(PageParams):
    state: State | None = None
    round: uuid.UUID | None = Field(None, description="the round's id")


class LabTubeRead(Schema):
    barcode: str
    round: uuid.UUID
    pool_size: int
    kind: str
    state: str
    state_name: str
    result: str
    ct_value: float | None
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    received_at: datetime.datetime | None
    tested_at: datetime.datetime | None
    resulted_at: datetime.datetime | None

    @staticmethod
    def resolve_round(tube) -> uuid.UUID:
        return tube.round_id

    @staticmethod
    def resolve_state_name(tube) -> str:
        return str(tube.get_state_display())


class LabTubePage(Schema):
    items: list[LabTubeRead]
    next_cursor: str | None


@router.get("/lab/tubes", response={200: LabTubePage, **ERROR_RESPONSES})
def list_lab_tubes(request, params: Query[LabTubeParams]):
    """Tubes in the caller's lab scope, newest first; barcodes and results only."""
    require(request.auth, LAB_TUBE, VIEW)
    tubes = lab.lab_tubes(request.auth, VIEW)
    if params.state:
        tubes = tubes.filter(state=params.state)
    if params.round:
        tubes = tubes.filter(round_id=params.round)
    items, next_cursor = page_of(tubes, ordering=lab.LIST_ORDER, page=params)
    return {"items": items, "next_cursor": next_cursor}

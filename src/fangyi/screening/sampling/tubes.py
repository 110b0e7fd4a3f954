"""Tubes and samples changed in bulk by the lab: received, given results, results copied to
the samples. With the sampling services, the only code that writes these tables.

The lab has checked the actor's right to each tube (LAB_TUBE) before calling these; they
write and audit, one audit row per tube, through core.audit.BulkChanges.
"""

import datetime
import json
import uuid
from dataclasses import dataclass

from django.db import connection

from fangyi.core.audit import BulkChanges
from fangyi.core.bulk import JSONText
from fangyi.core.models import ObjectChange
from fangyi.core.sql import among
from fangyi.health.services import (
    FACT_TEMPLATE_COLUMNS,
    FactTemplate,
    MembersStatement,
    fact_template_columns,
)
from fangyi.screening.models import Sample, Tube, TubeState

TUBE_TYPE = Tube._meta.label_lower
TUBE_RESULT_FIELDS = [
    "state",
    "result",
    "ct_value",
    "tested_at",
    "resulted_at",
    "received_at",
    "received_by",
]
# Tubes per statement when receiving: well under either database's parameter limit.
RECEIVE_CHUNK = 5000


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def mark_received(*, actor, tubes: list[Tube], now: datetime.datetime) -> None:
    """Closed tubes arrived at the lab."""
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    for start in range(0, len(tubes), RECEIVE_CHUNK):
        chunk = [str(tube.pk) for tube in tubes[start : start + RECEIVE_CHUNK]]
        Tube.objects.filter(among("id", chunk, kind="uuid")).update(
            state=TubeState.RECEIVED, received_at=now, received_by_id=actor_id
        )
    changes = BulkChanges(actor=actor, time=now)
    for tube in tubes:
        changes.add(
            object_type=TUBE_TYPE,
            object_id=tube.pk,
            object_repr=tube.barcode,
            region_path=tube.region_path,
            action=ObjectChange.UPDATE,
            before={"state": tube.state, "received_at": None},
            after={"state": TubeState.RECEIVED.value, "received_at": now.isoformat()},
        )
    changes.flush()


@dataclass(frozen=True)
class TubeResult:
    """A tube's result as it is stored; `member_fact` names the fact its members get, for
    the audit row ("" when none)."""

    tube: Tube
    result: str
    ct_value: float | None
    tested_at: datetime.datetime
    received_at: datetime.datetime
    received_by_id: uuid.UUID | None
    member_fact: str


def set_results(*, actor, results: list[TubeResult], now: datetime.datetime) -> None:
    """Stores the tubes' results (receiving those not received yet), one audit row each."""
    if not results:
        return
    _update_tubes(results, now)
    now_text = now.isoformat()
    changes = BulkChanges(actor=actor, time=now)
    for entry in results:
        tube = entry.tube
        # States, results, numbers and times need no escaping: the JSON is written as it is.
        changes.add(
            object_type=TUBE_TYPE,
            object_id=tube.pk,
            object_repr=tube.barcode,
            region_path=tube.region_path,
            action=ObjectChange.UPDATE,
            before=JSONText(
                f'{{"state": "{tube.state}", "result": "", "ct_value": null, "tested_at": null}}'
            ),
            after=JSONText(
                f'{{"state": "{TubeState.RESULTED.value}", "result": "{entry.result}", '
                f'"ct_value": {json.dumps(entry.ct_value)}, '
                f'"tested_at": "{entry.tested_at.isoformat()}", "resulted_at": "{now_text}", '
                f'"received_at": "{entry.received_at.isoformat()}", '
                f'"member_fact": "{entry.member_fact}"}}'
            ),
        )
    changes.flush()


def _update_tubes(results: list[TubeResult], now: datetime.datetime) -> None:
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE screening_tube AS t SET state = %s, result = v.result, ct_value = v.ct, "
                "tested_at = v.tested_at, resulted_at = %s, "
                "received_at = v.received_at, received_by_id = v.received_by "
                "FROM unnest(%s::uuid[], %s::text[], %s::float8[], %s::timestamptz[], "
                "%s::timestamptz[], %s::uuid[]) "
                "AS v(id, result, ct, tested_at, received_at, received_by) "
                "WHERE t.id = v.id",
                [
                    TubeState.RESULTED.value,
                    now,
                    [str(entry.tube.pk) for entry in results],
                    [entry.result for entry in results],
                    [entry.ct_value for entry in results],
                    [entry.tested_at for entry in results],
                    [entry.received_at for entry in results],
                    [entry.received_by_id for entry in results],
                ],
            )
        return
    Tube.objects.bulk_update(
        [
            Tube(
                pk=entry.tube.pk,
                state=TubeState.RESULTED,
                result=entry.result,
                ct_value=entry.ct_value,
                tested_at=entry.tested_at,
                resulted_at=now,
                received_at=entry.received_at,
                received_by_id=entry.received_by_id,
            )
            for entry in results
        ],
        TUBE_RESULT_FIELDS,
        batch_size=500,
    )


def copy_results_to_samples(
    results: dict[str, str], templates: dict[str, FactTemplate]
) -> "list[tuple] | MembersStatement":
    """Copies each tube's result (by tube id) to its samples, which coverage counts alone.

    Answers the members, each with its tube's fact template (`templates`, by tube id), for
    health.services.record_member_facts: (person id, sampled at, region path, template)
    rows, ids as text; on PostgreSQL the copying statement itself, which returns each
    member with its tube's template columns and which the members' facts run inside their
    own, so that a round's million members never pass through Python.
    """
    tube_ids = list(results)
    if _postgres():
        columns = fact_template_columns([templates[tube_id] for tube_id in tube_ids])
        names = ", ".join(FACT_TEMPLATE_COLUMNS)
        return MembersStatement(
            "UPDATE screening_sample AS s SET result = v.result "
            "FROM unnest(%(s_tube)s::uuid[], %(s_result)s::text[], "
            + ", ".join(f"%(s_{name})s::text[]" for name in FACT_TEMPLATE_COLUMNS)
            + f") AS v(tube_id, result, {names}) "
            # The array again: the planner walks the (tube, person) index for it, where the
            # join alone would hash every sample of the table.
            "WHERE s.tube_id = v.tube_id AND s.tube_id = ANY(%(s_tube)s::uuid[]) "
            "RETURNING s.person_id, s.sampled_at AS occurred_at, s.region_path, "
            + ", ".join(f"v.{name}" for name in FACT_TEMPLATE_COLUMNS),
            {"s_tube": tube_ids, "s_result": [results[tube_id] for tube_id in tube_ids]}
            | {f"s_{name}": values for name, values in columns.items()},
        )
    by_result: dict[str, list[str]] = {}
    for tube_id, result in results.items():
        by_result.setdefault(result, []).append(tube_id)
    for result, ids in by_result.items():
        Sample.objects.filter(among("tube_id", ids, kind="uuid")).update(result=result)
    return [
        (person_id, sampled_at, path, templates[tube_id])
        for tube_id, person_id, sampled_at, path in members(tube_ids)
    ]


def members(tube_ids: list[str]) -> list[tuple[str, str, object, str]]:
    """(tube id, person id, sampled at, region path) of the tubes' samples, ids as text."""
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tube_id::text, person_id::text, sampled_at, region_path "
                "FROM screening_sample WHERE tube_id = ANY(%s::uuid[])",
                [tube_ids],
            )
            return cursor.fetchall()
    rows = Sample.objects.filter(tube_id__in=[uuid.UUID(pk) for pk in tube_ids]).values_list(
        "tube_id", "person_id", "sampled_at", "region_path"
    )
    return [(str(tube), str(person), at, path) for tube, person, at, path in rows]

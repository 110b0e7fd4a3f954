"""The lab's part of screening: receiving tubes, recording their results, and what results cause.

A lab works with barcodes only; nothing here hands a person's name back. Results come by the
hundred thousand in a round, so they are written as a city's peak needs: per chunk of tubes a
fixed number of statements, new rows through COPY (core.bulk), and one audit row per tube. A
fact needs no audit row of its own: it is append-only and names who recorded it, when, from
which source and tube (`source_ref`); the tube's row says what its result caused. (A row per
fact doubled what a round of results wrote.) A result causes, for each member of the tube:

- negative: a negative `test_result` fact (pooled or single, as the tube);
- positive, pooled tube: a `pooled_positive` fact and a single-tube retest task;
- positive, single tube: a positive `test_result` fact;
- invalid: no fact, a task to sample the person again.

Facts are dated at the member's swab, not at the test: the colour rules compare swab times
(a pooled positive is cleared by a single-tube test sampled after it). Then the statuses that
can change are recomputed: those of the members of positive tubes, and of members of negative
tubes who already have a fact that colours them (for everyone else a negative test changes
nothing, which spares recomputing a million people after a round).
"""

import datetime
import json
import math
import uuid
from dataclasses import dataclass
from operator import itemgetter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.audit import actor_fields
from fangyi.core.bulk import JSONText, TableWriter, time_ordered_ids
from fangyi.core.models import ObjectChange
from fangyi.core.paths import under
from fangyi.core.permissions import CHANGE, EVERYWHERE, VIEW, can, scope_paths
from fangyi.core.sql import among
from fangyi.fieldwork.models import TaskKind
from fangyi.fieldwork.services import TaskInput, create_tasks
from fangyi.health.models import Fact, FactKind, TestOutcome, TubeKind
from fangyi.health.services import schedule_for_persons
from fangyi.people.models import Person

from .area import LAB_TUBE
from .models import Sample, Tube, TubeState
from .services import CLOCK_SKEW, BatchErrors, bad_barcode, chunks, clean_barcode

MAX_CT = 50.0
FACT_SOURCE = "lab"
RETEST_SOURCE = "screening:retest"
RESAMPLE_SOURCE = "screening:resample"
# A pooled-positive member is under control until retested: within half a day.
RETEST_DUE = datetime.timedelta(hours=12)
# An invalid tube's members are not under control: sampled again within a day, as in a round.
RESAMPLE_DUE = datetime.timedelta(hours=24)
# Tubes per round of statements: fifty thousand swabs in pools of ten, in flat memory.
CHUNK = 5000
# Lists of tubes, newest first: the order labs look at them in.
LIST_ORDER = ("-opened_at", "-id")
# fieldwork's Task.source_ref.
MAX_REF = 64
# A fact that can colour someone: mirrors the partial index health_fact.fact_risk (and
# health.recompute.RISK). Only persons with one can have their colour changed by a negative.
RISK = ~Q(kind__in=[FactKind.TEST_RESULT, FactKind.HEALTH_DECLARATION]) | Q(outcome="positive")

TUBE_RESULT_FIELDS = [
    "state",
    "result",
    "ct_value",
    "tested_at",
    "resulted_at",
    "received_at",
    "received_by",
]
TUBE_TYPE = Tube._meta.label_lower


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def lab_tubes(user, action: str = VIEW):
    """Tubes in the user's lab scope. Tube's own `restrict` answers for samplers (SAMPLE);
    a lab's reach is LAB_TUBE."""
    paths = scope_paths(user, LAB_TUBE, action)
    if paths is EVERYWHERE:
        return Tube.objects.all()
    if not paths:
        return Tube.objects.none()
    condition = Q()
    for path in paths:
        condition |= under("region_path", path)
    return Tube.objects.filter(condition)


def tubes_by_barcode(actor, barcodes: list[str], *, lock: bool) -> dict[str, Tube]:
    """The tubes with these barcodes the actor may change; the rest are as unknown to them."""
    found: dict[str, Tube] = {}
    queryset = lab_tubes(actor, CHANGE).only(
        "id",
        "barcode",
        "state",
        "kind",
        "pool_size",
        "region_path",
        "closed_at",
        "received_at",
        "received_by_id",
        "result",
    )
    if lock:
        queryset = queryset.select_for_update()
    for chunk in chunks(barcodes, 10_000):
        found.update(
            (tube.barcode, tube) for tube in queryset.filter(among("barcode", chunk, kind="text"))
        )
    return found


def unknown_barcode(barcode: str) -> str:
    return _("条码 %(barcode)s：没有这支试管，或不在您的检测范围内。") % {"barcode": barcode}


def _still_open(barcode: str) -> str:
    return _("条码 %(barcode)s：试管尚未封管，请采样点封管后再送检。") % {"barcode": barcode}


def _time_text(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# Receiving


@dataclass
class ReceiveCounts:
    received: int = 0
    # Received before: scanning a tube twice is not an error.
    unchanged: int = 0


def receive_tubes(*, actor, barcodes: list[str], now: datetime.datetime | None = None):
    """Marks closed tubes as received at the lab; answers how many were new.

    The batch is a unit: an unknown barcode, a tube still open or one already resulted
    refuses all of it, naming the item by its index.
    """
    if not can(actor, LAB_TUBE, CHANGE):
        raise PermissionDenied(_("您没有接收试管的权限。"))
    now = now or timezone.now()
    errors = BatchErrors()
    wanted: dict[str, int] = {}
    for index, raw in enumerate(barcodes):
        barcode = clean_barcode(raw)
        if not barcode:
            errors.add(str(index), bad_barcode())
            continue
        wanted.setdefault(barcode, index)
    errors.check()
    counts = ReceiveCounts()
    with transaction.atomic():
        tubes = tubes_by_barcode(actor, list(wanted), lock=True)
        fresh: list[Tube] = []
        for barcode, index in wanted.items():
            tube = tubes.get(barcode)
            if tube is None:
                errors.add(str(index), unknown_barcode(barcode))
            elif tube.state == TubeState.OPEN:
                errors.add(str(index), _still_open(barcode))
            elif tube.state == TubeState.RESULTED:
                errors.add(
                    str(index),
                    _("条码 %(barcode)s：该试管已出结果（%(result)s），无需再接收。")
                    % {"barcode": barcode, "result": TestOutcome(tube.result).label},
                )
            elif tube.state == TubeState.RECEIVED:
                counts.unchanged += 1
            else:
                fresh.append(tube)
        errors.check()
        actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        for chunk in chunks(fresh, CHUNK):
            Tube.objects.filter(among("id", [str(t.pk) for t in chunk], kind="uuid")).update(
                state=TubeState.RECEIVED, received_at=now, received_by_id=actor_id
            )
        audit = _AuditRows(actor, now)
        for tube in fresh:
            audit.add(
                TUBE_TYPE,
                ObjectChange.UPDATE,
                str(tube.pk),
                tube.barcode,
                tube.region_path,
                {"state": tube.state, "received_at": None},
                {"state": TubeState.RECEIVED.value, "received_at": now.isoformat()},
            )
        audit.flush()
    counts.received = len(fresh)
    return counts


# Results


@dataclass(frozen=True)
class ResultInput:
    """One tube's result as the lab reports it."""

    barcode: str
    result: str
    tested_at: datetime.datetime
    ct_value: float | None = None


@dataclass
class ResultCounts:
    # Items in the batch.
    items: int = 0
    # Tubes given their result now, by result.
    resulted: int = 0
    negative: int = 0
    positive: int = 0
    invalid: int = 0
    # Tubes that already had this very result: sending a result twice is not an error.
    unchanged: int = 0
    facts: int = 0
    tasks: int = 0
    # Persons whose status was brought up to date (or handed to the task worker).
    recomputed: int = 0


def check_item(item: ResultInput, *, now: datetime.datetime) -> dict[str, str]:
    """What is wrong with one result taken alone, by field (barcode, result, tested_at,
    ct_value)."""
    problems: dict[str, str] = {}
    if not clean_barcode(item.barcode):
        problems["barcode"] = bad_barcode()
    if item.result not in TestOutcome.values:
        problems["result"] = _("检测结果应为阴性、阳性或无效（negative、positive、invalid）。")
    tested_at = item.tested_at
    if not isinstance(tested_at, datetime.datetime) or timezone.is_naive(tested_at):
        problems["tested_at"] = _("检测时间必须带时区。")
    elif tested_at > now + CLOCK_SKEW:
        problems["tested_at"] = _("检测时间不能晚于现在。")
    ct = item.ct_value
    if ct is not None and (
        isinstance(ct, bool)
        or not isinstance(ct, int | float)
        or not math.isfinite(ct)
        or not 0 <= ct <= MAX_CT
    ):
        problems["ct_value"] = _("Ct 值应为 0 到 %(max)d 之间的数字。") % {"max": MAX_CT}
    return problems


def check_against(tube: Tube, item: ResultInput) -> tuple[str, str] | None:
    """(field, message) if the tube as stored cannot take this result; None when it can, or
    already has exactly this result (see `is_repeat`)."""
    barcode = tube.barcode
    if tube.state == TubeState.OPEN:
        return "barcode", _still_open(barcode)
    if tube.state == TubeState.RESULTED and tube.result != item.result:
        return "result", _(
            "条码 %(barcode)s 已有结果“%(old)s”，不能改为“%(new)s”。本系统不提供结果更正，"
            "如确需更正请联系指挥部。"
        ) % {
            "barcode": barcode,
            "old": TestOutcome(tube.result).label,
            "new": TestOutcome(item.result).label,
        }
    # The sampling device's clock and the lab's are not the same clock.
    closed_at = tube.closed_at
    if tube.state != TubeState.RESULTED and closed_at and item.tested_at < closed_at - CLOCK_SKEW:
        return "tested_at", _("检测时间早于封管时间（%(closed)s）。") % {
            "closed": _time_text(closed_at)
        }
    return None


def is_repeat(tube: Tube, item: ResultInput) -> bool:
    return tube.state == TubeState.RESULTED and tube.result == item.result


def same_tube_conflict(first_label: str) -> str:
    return _("同一试管的结果与%(first)s不同。") % {"first": first_label}


def record_results(
    *, actor, items: list[ResultInput], now: datetime.datetime | None = None
) -> ResultCounts:
    """Stores a batch of tube results and everything they cause; answers counts.

    All or nothing: any error refuses the batch, keyed by the item (`3.tested_at`). A tube not
    received yet is received with its result (labs often import without scanning). A tube
    that has this result already is counted unchanged; a different result for it is refused,
    since corrections are not part of this service.
    """
    if not can(actor, LAB_TUBE, CHANGE):
        raise PermissionDenied(_("您没有录入检测结果的权限。"))
    now = now or timezone.now()
    errors = BatchErrors()
    first: dict[str, tuple[int, ResultInput]] = {}
    for index, item in enumerate(items):
        problems = check_item(item, now=now)
        for name, message in problems.items():
            errors.add(f"{index}.{name}", message)
        if problems:
            continue
        barcode = clean_barcode(item.barcode)
        earlier = first.setdefault(barcode, (index, item))
        if earlier[0] != index and earlier[1].result != item.result:
            errors.add(
                f"{index}.result",
                same_tube_conflict(_("本批第 %(index)d 项") % {"index": earlier[0]}),
            )
    errors.check()
    counts = ResultCounts(items=len(items))
    with transaction.atomic():
        tubes = tubes_by_barcode(actor, list(first), lock=True)
        planned: list[tuple[Tube, ResultInput]] = []
        for barcode, (index, item) in first.items():
            tube = tubes.get(barcode)
            if tube is None:
                errors.add(f"{index}.barcode", unknown_barcode(barcode))
                continue
            problem = check_against(tube, item)
            if problem is not None:
                errors.add(f"{index}.{problem[0]}", problem[1])
            elif is_repeat(tube, item):
                counts.unchanged += 1
            else:
                planned.append((tube, item))
        errors.check()
        _write(actor, planned, now, counts)
    return counts


def write_results(
    *, actor, planned: list[tuple[Tube, ResultInput]], now: datetime.datetime | None = None
) -> ResultCounts:
    """Writes results already checked (by `check_item` and `check_against`, e.g. the
    lab-results ledger), after making sure no one has resulted the tubes meanwhile."""
    now = now or timezone.now()
    counts = ResultCounts(items=len(planned))
    with transaction.atomic():
        ids = [str(tube.pk) for tube, _item in planned]
        stored: dict[str, tuple] = {}
        for chunk in chunks(ids, 10_000):
            stored.update(
                (str(row[0]), row[1:])
                for row in Tube.objects.select_for_update()
                .filter(among("id", chunk, kind="uuid"))
                .values_list("id", "state", "result", "received_at", "received_by_id")
            )
        fresh = []
        allowed: dict[str, bool] = {}
        for tube, item in planned:
            path = tube.region_path
            if path not in allowed:
                allowed[path] = can(actor, LAB_TUBE, CHANGE, path)
            if not allowed[path]:
                raise PermissionDenied(_("您没有录入该试管检测结果的权限。"))
            state, result, tube.received_at, tube.received_by_id = stored[str(tube.pk)]
            if state == TubeState.RESULTED:
                if result != item.result:
                    raise ValidationError(
                        {
                            "result": _("条码 %(barcode)s 刚被录入了不同的结果。")
                            % {"barcode": tube.barcode}
                        }
                    )
                counts.unchanged += 1
                continue
            fresh.append((tube, item))
        _write(actor, fresh, now, counts)
    return counts


class _AuditRows:
    """One ObjectChange per tube and per fact, appended through COPY, in the order of the
    (region, time) index and with time-ordered ids, so that they append to the indexes."""

    def __init__(self, actor, now):
        self.writer = TableWriter(
            ObjectChange,
            [
                "id",
                "object_type",
                "action",
                "object_id",
                "object_repr",
                "region_path",
                "before",
                "after",
            ],
            {"time": _text_moment(now), **_who(actor)},
        )
        self.rows: list[tuple] = []

    def add(self, object_type, action, object_id, repr_, path, before, after) -> None:
        self.rows.append((object_type, action, object_id, repr_, path, before, after))

    def flush(self) -> None:
        self.rows.sort(key=itemgetter(4))
        ids = time_ordered_ids(len(self.rows))
        self.writer.write([(pk, *row) for pk, row in zip(ids, self.rows, strict=True)])
        self.rows = []


def _text_moment(moment: datetime.datetime):
    """A time repeated on every row, as COPY takes it: dumping one datetime a million times
    costs more than the rest of the row."""
    return moment.isoformat() if _postgres() else moment


def _who(actor) -> dict:
    who = actor_fields(actor)
    actor_id = who["actor"].pk if who["actor"] is not None else None
    return {
        "actor_id": str(actor_id) if actor_id else None,
        "actor_name": who["actor_name"],
        "request_id": who["request_id"],
        "ip": who["ip"],
        "via": who["via"],
    }


def _fact_writer(actor, now) -> TableWriter:
    who = _who(actor)
    return TableWriter(
        Fact,
        [
            "id",
            "person_id",
            "region_path",
            "kind",
            "occurred_at",
            "outcome",
            "variant",
            "source_ref",
            "details",
        ],
        {
            "recorded_at": _text_moment(now),
            "retracts_id": None,
            "source": FACT_SOURCE,
            "actor_id": who["actor_id"],
            "actor_name": who["actor_name"],
        },
    )


def _members(tube_ids: list[str]) -> list[tuple[str, str, datetime.datetime, str]]:
    """(tube id, person id, sampled at, region path) of the tubes' samples, ids as text."""
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tube_id::text, person_id::text, sampled_at, region_path "
                "FROM screening_sample WHERE tube_id = ANY(%s::uuid[])",
                [tube_ids],
            )
            return cursor.fetchall()
    rows = Sample.objects.filter(tube_id__in=tube_ids).values_list(
        "tube_id", "person_id", "sampled_at", "region_path"
    )
    return [(str(tube), str(person), at, path) for tube, person, at, path in rows]


def _at_risk(person_ids: list[str]) -> set[str]:
    """Those of the persons with a fact that colours them."""
    found = (
        Fact.objects.filter(among("person_id", person_ids, kind="uuid"))
        .filter(RISK)
        .values_list("person_id", flat=True)
        .distinct()
    )
    return {str(pk) for pk in found}


def _task_ref(barcode: str, person_id: str) -> str:
    """(tube, person), in fieldwork's 64 characters: a 32-character barcode leaves the
    person's id 31 hex digits, still unique among a tube's members."""
    ref = f"{barcode}:{person_id}"
    if len(ref) <= MAX_REF:
        return ref
    return f"{barcode}:{uuid.UUID(person_id).hex[: MAX_REF - len(barcode) - 1]}"


def _tube_update_pg(rows: list[tuple]) -> None:
    columns = list(zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE screening_tube AS t SET state = %s, result = v.result, ct_value = v.ct, "
            "tested_at = v.tested_at, resulted_at = v.resulted_at, "
            "received_at = v.received_at, received_by_id = v.received_by "
            "FROM unnest(%s::uuid[], %s::text[], %s::float8[], %s::timestamptz[], "
            "%s::timestamptz[], %s::timestamptz[], %s::uuid[]) "
            "AS v(id, result, ct, tested_at, resulted_at, received_at, received_by) "
            "WHERE t.id = v.id",
            [TubeState.RESULTED.value, *(list(column) for column in columns)],
        )


class _FactTemplate:
    """What the facts of one tube's members share, encoded once for all of them (no fact for
    an invalid tube: `kind` is empty). Barcodes, codes and numbers need no escaping: the JSON
    is written as it is."""

    __slots__ = ("barcode", "details", "kind", "outcome", "result", "variant")

    def __init__(self, tube: Tube, item: ResultInput):
        self.result, self.barcode = item.result, tube.barcode
        self.kind = self.outcome = self.variant = ""
        if item.result == TestOutcome.POSITIVE and tube.kind == TubeKind.POOLED:
            self.kind = FactKind.POOLED_POSITIVE.value
        elif item.result != TestOutcome.INVALID:
            self.kind, self.outcome, self.variant = (
                FactKind.TEST_RESULT.value,
                item.result,
                tube.kind,
            )
        ct = "" if item.ct_value is None else f', "ct": {json.dumps(float(item.ct_value))}'
        self.details = JSONText(f'{{"tube": "{tube.barcode}"{ct}}}')


def _sample_update(by_result: dict[str, list[str]]) -> None:
    """Copies results to the tubes' samples: coverage counts them from that table alone."""
    for result, ids in by_result.items():
        Sample.objects.filter(among("tube_id", ids, kind="uuid")).update(result=result)


def _write(actor, planned: list[tuple[Tube, ResultInput]], now, counts: ResultCounts) -> None:
    if not planned:
        return
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    now_text = now.isoformat()
    retests: list[tuple[str, str]] = []
    resamples: list[tuple[str, str]] = []
    recompute: set[str] = set()
    for chunk in chunks(planned, CHUNK):
        audit = _AuditRows(actor, now)
        tube_rows = []
        templates: dict[str, _FactTemplate] = {}
        special: dict[str, tuple[Tube, ResultInput]] = {}
        for tube, item in chunk:
            tube_id = str(tube.pk)
            received_at = tube.received_at or now
            received_by = tube.received_by_id if tube.received_at else actor_id
            ct = None if item.ct_value is None else float(item.ct_value)
            tube_rows.append(
                (tube_id, item.result, ct, item.tested_at, now, received_at, received_by)
            )
            setattr(counts, item.result, getattr(counts, item.result) + 1)
            templates[tube_id] = _FactTemplate(tube, item)
            if item.result != TestOutcome.NEGATIVE:
                special[tube_id] = (tube, item)
            # States, results, numbers and times need no escaping: the JSON is written as it is.
            audit.add(
                TUBE_TYPE,
                ObjectChange.UPDATE,
                tube_id,
                tube.barcode,
                tube.region_path,
                JSONText(
                    f'{{"state": "{tube.state}", "result": "", "ct_value": null, '
                    '"tested_at": null}'
                ),
                JSONText(
                    f'{{"state": "{TubeState.RESULTED.value}", "result": "{item.result}", '
                    f'"ct_value": {json.dumps(ct)}, "tested_at": "{item.tested_at.isoformat()}", '
                    f'"resulted_at": "{now_text}", "received_at": "{received_at.isoformat()}", '
                    f'"member_fact": "{templates[tube_id].kind}"}}'
                ),
            )
        _update_tubes(tube_rows)
        audit.flush()
        write_members = _members_in_database if _postgres() else _members_in_python
        facts, at_risk = write_members(actor, templates, now)
        counts.facts += facts
        recompute.update(at_risk)
        # Positive and invalid tubes are few: their members are read again for the tasks.
        for tube_id, person_id, _sampled_at, _path in _members(list(special)):
            tube, item = special[tube_id]
            if item.result == TestOutcome.INVALID:
                resamples.append((tube.barcode, person_id))
                continue
            recompute.add(person_id)
            if tube.kind == TubeKind.POOLED:
                retests.append((tube.barcode, person_id))
    counts.resulted = len(planned)
    counts.tasks = _create_tasks(actor, retests, resamples, now)
    counts.recomputed = len(recompute)
    if recompute:
        schedule_for_persons(sorted(recompute))


def _update_tubes(rows: list[tuple]) -> None:
    if _postgres():
        _tube_update_pg(rows)
        return
    Tube.objects.bulk_update(
        [
            Tube(
                pk=uuid.UUID(tube_id),
                state=TubeState.RESULTED,
                result=result,
                ct_value=ct,
                tested_at=tested_at,
                resulted_at=resulted_at,
                received_at=received_at,
                received_by_id=received_by,
            )
            for tube_id, result, ct, tested_at, resulted_at, received_at, received_by in rows
        ],
        TUBE_RESULT_FIELDS,
        batch_size=500,
    )


def _members_in_python(actor, templates: dict[str, "_FactTemplate"], now) -> tuple[int, set[str]]:
    """Results copied to the samples and a fact per member of a tube that has one; answers how many facts, and the members of negative tubes with a colouring fact."""
    by_result: dict[str, list[str]] = {}
    for tube_id, template in templates.items():
        by_result.setdefault(template.result, []).append(tube_id)
    _sample_update(by_result)
    members = _members(list(templates))
    ids = iter(time_ordered_ids(len(members)))
    rows = []
    negatives: list[str] = []
    for tube_id, person_id, sampled_at, path in members:
        fact = templates[tube_id]
        if not fact.kind:
            continue
        if fact.result == TestOutcome.NEGATIVE:
            negatives.append(person_id)
        rows.append(
            (
                next(ids),
                person_id,
                path,
                fact.kind,
                sampled_at.isoformat(),
                fact.outcome,
                fact.variant,
                fact.barcode,
                fact.details,
            )
        )
    # In the order of the index on (person, time): one pass over it, not a scatter.
    rows.sort(key=itemgetter(1))
    _fact_writer(actor, now).write(rows)
    at_risk: set[str] = set()
    for part in chunks(negatives, 10_000):
        at_risk.update(_at_risk(part))
    return len(rows), at_risk


# One statement for the members of a chunk of tubes on PostgreSQL: the samples are updated
# and their facts inserted from the updated rows, so no member passes through Python. Ids are a time-ordered prefix and a counter (see
# `time_ordered_ids`), in the order rows are inserted. The final SELECT sees the database as it
# was before the statement: a negative member with a colouring fact had one already.
MEMBERS_SQL = f"""
WITH v AS (
    SELECT * FROM unnest(
        %(tube)s::uuid[], %(result)s::text[], %(kind)s::text[], %(outcome)s::text[],
        %(variant)s::text[], %(barcode)s::text[], %(details)s::text[]
    ) AS v(tube_id, result, kind, outcome, variant, barcode, details)
), updated AS (
    UPDATE screening_sample AS s SET result = v.result FROM v
    -- The array again: the planner walks the (tube, person) index for it, where the join
    -- alone would hash every sample of the table.
    WHERE s.tube_id = v.tube_id AND s.tube_id = ANY(%(tube)s::uuid[])
    RETURNING s.person_id, s.region_path, s.sampled_at, v.result, v.kind, v.outcome,
        v.variant, v.barcode, v.details
), facts AS (
    INSERT INTO health_fact (id, person_id, region_path, kind, occurred_at, recorded_at,
        outcome, variant, retracts_id, source, source_ref, actor_id, actor_name, details)
    SELECT (%(fact_ids)s || lpad(to_hex(%(fact_start)s + row_number() OVER w), 12, '0'))::uuid,
        person_id, region_path, kind, sampled_at, %(now)s, outcome, variant, NULL,
        '{FACT_SOURCE}', barcode, %(actor_id)s, %(actor_name)s, details::jsonb
    FROM updated WHERE kind <> ''
    WINDOW w AS (ORDER BY person_id, sampled_at)
    ORDER BY person_id, sampled_at
    RETURNING 1
)
SELECT (SELECT count(*) FROM facts), array(
    SELECT DISTINCT u.person_id::text FROM updated AS u
    WHERE u.result = '{TestOutcome.NEGATIVE.value}' AND EXISTS (
        SELECT 1 FROM health_fact AS f WHERE f.person_id = u.person_id
        AND (NOT (f.kind IN ('{FactKind.TEST_RESULT.value}', '{FactKind.HEALTH_DECLARATION.value}'))
            OR f.outcome = 'positive')
    )
)
"""


def _id_prefix() -> tuple[str, int]:
    """A time-ordered id prefix and a counter start, for ids made in the database."""
    first = time_ordered_ids(1)[0]
    return first[:24], int(first[24:], 16)


def _members_in_database(actor, templates: dict[str, "_FactTemplate"], now):
    who = _who(actor)
    fact_ids, fact_start = _id_prefix()
    columns: dict[str, list] = {
        name: [] for name in ("tube", "result", "kind", "outcome", "variant", "barcode", "details")
    }
    for tube_id, fact in templates.items():
        columns["tube"].append(tube_id)
        columns["result"].append(fact.result)
        columns["kind"].append(fact.kind)
        columns["outcome"].append(fact.outcome)
        columns["variant"].append(fact.variant)
        columns["barcode"].append(fact.barcode)
        columns["details"].append(str(fact.details))
    with connection.cursor() as cursor:
        cursor.execute(
            MEMBERS_SQL,
            columns
            | {
                "fact_ids": fact_ids,
                "fact_start": fact_start,
                "now": now,
                **who,
            },
        )
        facts, at_risk = cursor.fetchone()
    return facts, set(at_risk)


def _create_tasks(actor, retests, resamples, now) -> int:
    if not retests and not resamples:
        return 0
    wanted = [person_id for _barcode, person_id in (*retests, *resamples)]
    persons: dict[str, Person] = {}
    for chunk in chunks(wanted, 10_000):
        persons.update(
            (str(person.pk), person)
            for person in Person.objects.filter(among("pk", chunk, kind="uuid")).only(
                "id", "region_path", "household_id"
            )
        )
    created = 0
    for source, pairs, due, title, notes in (
        (
            RETEST_SOURCE,
            retests,
            RETEST_DUE,
            _("单管复核采样"),
            _("混管 %(barcode)s 检测阳性，请上门单管采样复核。"),
        ),
        (
            RESAMPLE_SOURCE,
            resamples,
            RESAMPLE_DUE,
            _("重新采样"),
            _("试管 %(barcode)s 检测无效，请重新采样。"),
        ),
    ):
        items = [
            TaskInput(
                kind=TaskKind.HOME_SAMPLING,
                due_at=now + due,
                person=persons[person_id],
                title=title,
                notes=notes % {"barcode": barcode},
                source_ref=_task_ref(barcode, person_id),
            )
            for barcode, person_id in pairs
            if person_id in persons
        ]
        if items:
            # The lab user was checked here; tasks are for the members' grid teams.
            created += create_tasks(actor=actor, source=source, items=items, authorised=True)
    return created

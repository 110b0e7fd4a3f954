"""The lab's part of screening: receiving tubes, recording their results, and what results cause.

A lab works with barcodes only; nothing here hands a person's name back. Results come by the
hundred thousand in a round, so they are written as a city's peak needs: per chunk of tubes a
fixed number of statements. The tubes and their samples are written by screening's tube
writer (`tubes`), one audit row per tube; the facts by `health.services.record_member_facts`
(on PostgreSQL inside the statement that copies the results to the samples), which, as every
fact, are their own audit record: append-only, naming who recorded them, when, from which
source and tube (`source_ref`). A result causes, for each
member of the tube:

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

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.paths import under
from fangyi.core.permissions import CHANGE, EVERYWHERE, VIEW, can, require, scope_paths
from fangyi.core.sql import among
from fangyi.fieldwork.models import TaskKind
from fangyi.fieldwork.services import TaskInput, create_tasks
from fangyi.health import services as health
from fangyi.health.models import FactKind, TestOutcome, TubeKind
from fangyi.people.models import Person
from fangyi.screening.area import LAB_TUBE
from fangyi.screening.common import (
    CLOCK_SKEW,
    BatchErrors,
    bad_barcode,
    chunks,
    clean_barcode,
    results_recorded,
)
from fangyi.screening.models import Tube, TubeState
from fangyi.screening.sampling import tubes as tubes_service

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
    require(actor, LAB_TUBE, CHANGE)
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
        tubes_service.mark_received(actor=actor, tubes=fresh, now=now)
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
    require(actor, LAB_TUBE, CHANGE)
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


def _task_ref(barcode: str, person_id: str) -> str:
    """(tube, person), in fieldwork's 64 characters: a 32-character barcode leaves the
    person's id 31 hex digits, still unique among a tube's members."""
    ref = f"{barcode}:{person_id}"
    if len(ref) <= MAX_REF:
        return ref
    return f"{barcode}:{uuid.UUID(person_id).hex[: MAX_REF - len(barcode) - 1]}"


def _fact_template(tube: Tube, item: ResultInput) -> health.FactTemplate:
    """What the facts of one tube's members share (no fact for an invalid tube: the kind is
    empty). Barcodes and numbers need no escaping: the JSON is written as it is."""
    kind = outcome = variant = ""
    if item.result == TestOutcome.POSITIVE and tube.kind == TubeKind.POOLED:
        kind = FactKind.POOLED_POSITIVE.value
    elif item.result != TestOutcome.INVALID:
        kind, outcome, variant = FactKind.TEST_RESULT.value, item.result, tube.kind
    ct = "" if item.ct_value is None else f', "ct": {json.dumps(float(item.ct_value))}'
    return health.FactTemplate(
        kind=kind,
        outcome=outcome,
        variant=variant,
        source_ref=tube.barcode,
        details=f'{{"tube": "{tube.barcode}"{ct}}}',
    )


def _write(actor, planned: list[tuple[Tube, ResultInput]], now, counts: ResultCounts) -> None:
    if not planned:
        return
    retests: list[tuple[str, str]] = []
    resamples: list[tuple[str, str]] = []
    recompute: set[str] = set()
    for chunk in chunks(planned, CHUNK):
        templates = _store_tube_results(actor, chunk, now, counts)
        members = tubes_service.copy_results_to_samples(
            {tube_id: item.result for tube_id, (_tube, item) in _by_id(chunk).items()},
            templates,
        )
        facts, colour_may_change = health.record_member_facts(
            actor=actor, source=FACT_SOURCE, members=members, now=now
        )
        counts.facts += facts
        recompute.update(colour_may_change)
        _follow_ups(chunk, retests, resamples)
    counts.resulted = len(planned)
    transaction.on_commit(results_recorded)
    counts.tasks = _create_tasks(actor, retests, resamples, now)
    counts.recomputed = len(recompute)
    if recompute:
        health.schedule_for_persons(sorted(recompute))


def _by_id(chunk: list[tuple[Tube, ResultInput]]) -> dict[str, tuple[Tube, ResultInput]]:
    return {str(tube.pk): (tube, item) for tube, item in chunk}


def _store_tube_results(
    actor, chunk: list[tuple[Tube, ResultInput]], now, counts: ResultCounts
) -> dict[str, health.FactTemplate]:
    """The tubes' results, through screening's tube writer; answers their members' fact
    templates by tube id."""
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    results = []
    templates: dict[str, health.FactTemplate] = {}
    for tube, item in chunk:
        template = templates[str(tube.pk)] = _fact_template(tube, item)
        setattr(counts, item.result, getattr(counts, item.result) + 1)
        results.append(
            tubes_service.TubeResult(
                tube=tube,
                result=item.result,
                ct_value=None if item.ct_value is None else float(item.ct_value),
                tested_at=item.tested_at,
                received_at=tube.received_at or now,
                received_by_id=tube.received_by_id if tube.received_at else actor_id,
                member_fact=template.kind,
            )
        )
    tubes_service.set_results(actor=actor, results=results, now=now)
    return templates


def _follow_ups(chunk: list[tuple[Tube, ResultInput]], retests, resamples) -> None:
    """Members of positive pooled tubes are retested one by one; members of invalid tubes
    are sampled again. Such tubes are few: their members are read again here."""
    special = {
        tube_id: entry
        for tube_id, entry in _by_id(chunk).items()
        if entry[1].result == TestOutcome.INVALID
        or (entry[1].result == TestOutcome.POSITIVE and entry[0].kind == TubeKind.POOLED)
    }
    if not special:
        return
    for tube_id, person_id, _sampled_at, _path in tubes_service.members(list(special)):
        tube, item = special[tube_id]
        pairs = resamples if item.result == TestOutcome.INVALID else retests
        pairs.append((tube.barcode, person_id))


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

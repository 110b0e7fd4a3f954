"""The daily cycle's services: cut-off times, forming a community's batch at its cut-off,
its pick list and delivery lists, and recording a delivery from its field-work task.

A batch is formed in a fixed number of statements however many requests it holds: the
entries are inserted in bulk (a request already in a batch is skipped by its unique key, so
two formations at once, or a re-run, put each request in one batch only), the delivery tasks
through `fieldwork.services.create_tasks` (idempotent on the request's id), and one audit row
for the batch. Requests keep their state until they are delivered: the batch is the record
that they were ordered.
"""

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Min, Q, Sum, Value
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.core import audit
from fangyi.core.masking import mask_name
from fangyi.core.models import ObjectChange
from fangyi.core.paths import under
from fangyi.core.permissions import CHANGE, EVERYWHERE, VIEW, require, scope_paths
from fangyi.fieldwork import services as fieldwork
from fangyi.fieldwork.models import Task, TaskKind
from fangyi.regions.models import PATH_LENGTHS, Level, Region

from .. import services as supplies
from ..area import SUPPLY_REQUEST
from ..models import HELP_KINDS, Request, RequestItem, RequestState
from .models import (
    DEFAULT_DELIVER_FROM,
    DEFAULT_NEEDS_BY,
    DEFAULT_ORDERS_BY,
    Batch,
    BatchEntry,
    CutOff,
)

COMMUNITY_PATH = PATH_LENGTHS[Level.COMMUNITY]
# Requests a batch takes: accepted (or already being sourced) goods, food and medicine. Help
# (a hospital trip, a repair) is not delivered from a supplier's pick list.
BATCHED_STATES = (RequestState.ACCEPTED, RequestState.SOURCING)
TASK_SOURCE = "supplies:cycle"
# After delivery starts in the morning, priority households' deliveries are due first.
PRIORITY_WINDOW = datetime.timedelta(hours=2)
NORMAL_WINDOW = datetime.timedelta(hours=4)
CHUNK = 5000
CUTOFF_FIELDS = ["needs_by", "orders_by", "deliver_from"]
PRIORITY_LABELS = {
    "dialysis": gettext_lazy("透析"),
    "pregnant": gettext_lazy("孕妇"),
    "infant": gettext_lazy("婴幼儿"),
    "bedridden": gettext_lazy("卧床"),
}
DELIVERY_FIELDS = [
    "id",
    "priority",
    "household__region_path",
    "household__unit",
    "household__room",
    "household__building__name",
]
BATCH_FIELDS = ["region", "day", "cut_off_at", "orders_by", "deliver_from", "requests"]


# Cut-off times


@dataclass(frozen=True)
class Times:
    needs_by: datetime.time = DEFAULT_NEEDS_BY
    orders_by: datetime.time = DEFAULT_ORDERS_BY
    deliver_from: datetime.time = DEFAULT_DELIVER_FROM

    def moments(self, day: datetime.date) -> tuple[datetime.datetime, ...]:
        """The cut-off, the order deadline (that day) and the start of delivery (the next)."""
        zone = timezone.get_current_timezone()
        return (
            datetime.datetime.combine(day, self.needs_by, zone),
            datetime.datetime.combine(day, self.orders_by, zone),
            datetime.datetime.combine(day + datetime.timedelta(days=1), self.deliver_from, zone),
        )


def times_of(paths) -> dict[str, Times]:
    """Each community's times by path: its own, or the defaults."""
    paths = set(paths)
    own = {
        cut.region_path: Times(cut.needs_by, cut.orders_by, cut.deliver_from)
        for cut in CutOff.objects.filter(region_path__in=paths)
    }
    return {path: own.get(path, Times()) for path in paths}


def _community(region: Region) -> None:
    if region.level != Level.COMMUNITY:
        raise ValidationError({"region": _("截单时间按社区设置，请选择一个社区。")})


def set_cut_off(
    *,
    actor,
    region: Region,
    needs_by: datetime.time,
    orders_by: datetime.time,
    deliver_from: datetime.time,
) -> CutOff:
    """A community's times, set by whoever changes requests over the whole community."""
    _community(region)
    require(actor, SUPPLY_REQUEST, CHANGE, region.path)
    if needs_by > orders_by:
        raise ValidationError({"orders_by": _("向供应商下单截止不能早于需求截止。")})
    with transaction.atomic():
        cut = CutOff.objects.select_for_update().filter(region=region).first()
        before = None if cut is None else _clock(cut)
        if cut is None:
            cut = CutOff(region=region, region_path=region.path)
        cut.needs_by, cut.orders_by, cut.deliver_from = needs_by, orders_by, deliver_from
        cut.save()
        audit.record_change(
            actor=actor,
            obj=cut,
            action=ObjectChange.CREATE if before is None else ObjectChange.UPDATE,
            before=before,
            after=_clock(cut),
            region_path=cut.region_path,
        )
    return cut


def _clock(cut: CutOff) -> dict[str, str]:
    return {name: getattr(cut, name).strftime("%H:%M") for name in CUTOFF_FIELDS}


# Forming batches


def _waiting(path: str, cut_off_at: datetime.datetime):
    """Requests of the community at `path` that the batch of this cut-off takes."""
    return (
        Request.objects.filter(
            under("region_path", path),
            state__in=BATCHED_STATES,
            submitted_at__lt=cut_off_at,
            batch_entry__isnull=True,
            dispatched_at__isnull=True,
        )
        .exclude(kind__in=HELP_KINDS)
        .order_by("id")
    )


def form_batch(
    *,
    actor,
    region: Region,
    day: datetime.date | None = None,
    now: datetime.datetime | None = None,
    authorised: bool = False,
) -> Batch:
    """The community's batch of `day` (today): made at its cut-off, or by hand before it (an
    officer closing early takes what is accepted so far). Forming it again adds requests
    accepted since that were made before the cut-off, and nothing twice.

    `authorised=True`: the periodic job, with no user."""
    _community(region)
    if not authorised:
        require(actor, SUPPLY_REQUEST, CHANGE, region.path)
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    cut_off_at, orders_by, deliver_from = times_of([region.path])[region.path].moments(day)
    closes_at = min(cut_off_at, now)
    batch, created = _batch_of(actor, region, day, cut_off_at, orders_by, deliver_from, now)
    with transaction.atomic():
        # Formations of one batch take turns, so that its counts are of all its entries.
        Batch.objects.select_for_update().filter(pk=batch.pk).values_list("pk").get()
        added = _add_entries(batch, _waiting(region.path, closes_at))
        _make_tasks(actor, batch, added)
        totals = batch.entries.aggregate(
            n=Count("id"), priority=Count("id", filter=Q(priority=True))
        )
        Batch.objects.filter(pk=batch.pk).update(
            requests=totals["n"], priority_requests=totals["priority"]
        )
        batch.requests, batch.priority_requests = totals["n"], totals["priority"]
        if created:
            audit.record_created(actor=actor, obj=batch, fields=BATCH_FIELDS)
        elif added:
            audit.record_updated(
                actor=actor,
                obj=batch,
                before={"requests": totals["n"] - len(added)},
                after={"requests": totals["n"]},
            )
    return batch


def _batch_of(actor, region, day, cut_off_at, orders_by, deliver_from, now):
    existing = Batch.objects.filter(region=region, day=day).first()
    if existing is not None:
        return existing, False
    batch = Batch(
        id=uuid.uuid4(),
        region=region,
        region_path=region.path,
        day=day,
        cut_off_at=cut_off_at,
        orders_by=orders_by,
        deliver_from=deliver_from,
        formed_at=now,
        formed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            batch.save(force_insert=True)
    except IntegrityError:
        # Another formation of the same batch got there first.
        return Batch.objects.get(region=region, day=day), False
    return batch, True


def _add_entries(batch: Batch, waiting) -> list[uuid.UUID]:
    """Inserts the entries in one INSERT … SELECT; answers the requests that joined this batch
    now. A request another formation took meanwhile is skipped by its unique key (ON CONFLICT
    DO NOTHING), so it stays in that batch alone."""
    rows = (
        waiting.order_by()
        .annotate(entry_batch=Value(batch.pk, output_field=models.UUIDField()))
        .values("id", "region_path", "priority", "entry_batch")
    )
    select, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(BatchEntry._meta.db_table)
    sql = (
        f"INSERT INTO {table} (request_id, region_path, priority, batch_id) {select} "
        "ON CONFLICT (request_id) DO NOTHING RETURNING request_id"
    )
    field = BatchEntry._meta.get_field("request").target_field
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [field.to_python(value) for (value,) in cursor.fetchall()]


def _lines(request_ids) -> dict:
    """Each request's lines as "name × quantity unit", in the order they were asked."""
    lines: dict = defaultdict(list)
    rows = (
        RequestItem.objects.filter(request_id__in=request_ids)
        .order_by("request_id", "id")
        .values_list("request_id", "name", "quantity", "unit")
    )
    for request_id, name, quantity, unit in rows:
        lines[request_id].append(f"{name} × {quantity}{unit}")
    return lines


def _make_tasks(actor, batch: Batch, request_ids: list) -> int:
    """A delivery task per request of the batch, for the pool of its grid."""
    # Translated once: a batch may hold thousands of requests.
    first, heading, more = _("【优先】"), _("配送：%(what)s"), _("等 %(n)d 项")
    made = 0
    for start in range(0, len(request_ids), CHUNK):
        chunk = request_ids[start : start + CHUNK]
        # The household and its building come with the request: the task lives at its
        # address, and its audit row names it. The community's range of paths leads the
        # planner to the path index: on a day's table a list of ids alone was read by
        # scanning every request.
        requests = (
            Request.objects.filter(under("region_path", batch.region_path), pk__in=chunk)
            .select_related("household__building")
            .only(*DELIVERY_FIELDS)
        )
        lines = _lines(chunk)
        items = [
            _delivery(
                request.pk,
                request.household,
                request.priority,
                lines.get(request.pk, []),
                batch.deliver_from + (PRIORITY_WINDOW if request.priority else NORMAL_WINDOW),
                (first, heading, more),
            )
            for request in requests
        ]
        made += fieldwork.create_tasks(
            actor=actor, source=TASK_SOURCE, items=items, authorised=True
        )
    return made


def _delivery(pk, household, priority: bool, what: list[str], due_at, texts):
    first, heading, more = texts
    title = (first if priority else "") + heading % {
        "what": "、".join(what[:2]) + (more % {"n": len(what)} if len(what) > 2 else "")
    }
    return fieldwork.TaskInput(
        kind=TaskKind.DELIVERY,
        household=household,
        due_at=due_at,
        title=title[: fieldwork.MAX_TITLE],
        notes="\n".join(what)[: fieldwork.MAX_TEXT],
        source_ref=str(pk),
    )


# States from which a request can be sent at once: it is not yet on its way.
DISPATCHABLE = (RequestState.SUBMITTED, *BATCHED_STATES)


def dispatch_now(*, actor, request: Request) -> Task:
    """立即派送: the request goes to its grid's pool of deliveries now, due by its own time
    limit, instead of waiting for the community's cut-off (a dialysis patient's insulin, a
    hospital trip). A submitted request is accepted on the way. Sending it again answers the
    same task; a request already in a batch is delivered from the batch."""
    require(actor, SUPPLY_REQUEST, CHANGE, request.region_path)
    with transaction.atomic():
        locked = Request.objects.select_for_update().get(pk=request.pk)
        if locked.dispatched_at is not None:
            return Task.objects.get(source=TASK_SOURCE, source_ref=str(locked.pk))
        if BatchEntry.objects.filter(request=locked).exists():
            raise ValidationError({"request": _("该需求已在配送批次中，随批次配送。")})
        if locked.state not in DISPATCHABLE:
            raise ValidationError({"request": _("只有未出发的需求可以立即派送。")})
        if locked.state == RequestState.SUBMITTED:
            locked = supplies.transition(
                actor=actor, request=locked, to_state=RequestState.ACCEPTED, authorised=True
            )
        before = {"dispatched_at": None}
        locked.dispatched_at = timezone.now()
        Request.objects.filter(pk=locked.pk).update(dispatched_at=locked.dispatched_at)
        texts = (_("【优先】"), _("配送：%(what)s"), _("等 %(n)d 项"))
        what = _lines([locked.pk]).get(locked.pk) or [locked.get_kind_display()]
        fieldwork.create_tasks(
            actor=actor,
            source=TASK_SOURCE,
            items=[
                _delivery(locked.pk, locked.household, locked.priority, what, locked.due_at, texts)
            ],
            authorised=True,
        )
        audit.record_updated(
            actor=actor,
            obj=locked,
            before=before,
            after={"dispatched_at": locked.dispatched_at.isoformat()},
        )
    return Task.objects.get(source=TASK_SOURCE, source_ref=str(locked.pk))


def due_communities(now: datetime.datetime) -> list[tuple[Region, datetime.date]]:
    """Communities with accepted requests not in a batch made before their last cut-off, and
    the day of that cut-off."""
    waiting = dict(
        Request.objects.filter(
            state__in=BATCHED_STATES, batch_entry__isnull=True, dispatched_at__isnull=True
        )
        .exclude(kind__in=HELP_KINDS)
        .annotate(community=Substr("region_path", 1, COMMUNITY_PATH))
        .values("community")
        .annotate(first=Min("submitted_at"))
        .order_by()
        .values_list("community", "first")
    )
    times = times_of(waiting)
    today = timezone.localdate(now)
    due: dict[str, datetime.date] = {}
    for path, first in waiting.items():
        # The last cut-off that has passed: today's, or yesterday's (a day the job missed).
        day = today if times[path].moments(today)[0] <= now else today - datetime.timedelta(days=1)
        # Requests made after it wait for the next one.
        if first < times[path].moments(day)[0]:
            due[path] = day
    regions = Region.objects.filter(path__in=due, level=Level.COMMUNITY).order_by("path")
    return [(region, due[region.path]) for region in regions]


def form_due_batches(*, now: datetime.datetime | None = None) -> list[Batch]:
    """For the periodic job: the batch of the last cut-off passed in every community that has
    requests waiting from before it."""
    now = now or timezone.now()
    return [
        form_batch(actor=None, region=region, day=day, now=now, authorised=True)
        for region, day in due_communities(now)
    ]


# Lists


def batches_for(user):
    """Batches the user sees: those of the communities in their scope, and the batch of the
    community above a grid or building they work in (whose lists they see only their part of:
    `list_scope`)."""
    paths = scope_paths(user, SUPPLY_REQUEST, VIEW)
    batches = Batch.objects.select_related("region")
    if paths is EVERYWHERE:
        return batches
    condition = Q(pk__in=[])
    for path in paths:
        condition |= under("region_path", path)
        if len(path) > COMMUNITY_PATH:
            condition |= Q(region_path=path[:COMMUNITY_PATH])
    return batches.filter(condition)


def list_scope(user, batch: Batch) -> list[str] | None:
    """The parts of the batch's community whose delivery lists the user sees: None for all of
    it (the user may view the whole community), else their grids' or buildings' paths."""
    paths = scope_paths(user, SUPPLY_REQUEST, VIEW)
    if paths is EVERYWHERE or any(batch.region_path.startswith(path) for path in paths):
        return None
    return [path for path in paths if path.startswith(batch.region_path)]


@dataclass
class PickLine:
    name: str
    unit: str
    quantity: int
    community: str = ""
    community_name: str = ""


def pick_list(batches) -> list[PickLine]:
    """Totals per catalogue item (or item typed in), per community, for the supplier."""
    rows = (
        RequestItem.objects.filter(request__batch_entry__batch__in=batches)
        .values(
            "request__batch_entry__batch__region__code",
            "request__batch_entry__batch__region__name",
            "name",
            "unit",
        )
        .annotate(quantity=Sum("quantity"))
        .order_by("request__batch_entry__batch__region__code", "name", "unit")
    )
    return [
        PickLine(
            name=row["name"],
            unit=row["unit"],
            quantity=row["quantity"],
            community=row["request__batch_entry__batch__region__code"],
            community_name=row["request__batch_entry__batch__region__name"],
        )
        for row in rows
    ]


@dataclass
class Stop:
    """One household's delivery in a building's list."""

    request_id: uuid.UUID
    task_id: uuid.UUID | None
    building_code: str
    building: str
    unit: str
    room: str
    for_whom: str
    kind: str
    priority: bool
    priority_tags: list
    lines: list[str] = field(default_factory=list)


@dataclass
class BuildingList:
    code: str
    name: str
    stops: list[Stop]

    @property
    def priority_count(self) -> int:
        return sum(1 for stop in self.stops if stop.priority)


def delivery_stops(batches, *, within: list[str] | None = None):
    """The batches' deliveries building by building (in path order), priority households
    first in each, then by unit and room; in chunks, so a city's lists stream. `within`: only
    under these paths (None: all)."""
    entries = BatchEntry.objects.filter(batch__in=batches)
    if within is not None:
        condition = Q(pk__in=[])
        for path in within:
            condition |= under("region_path", path)
        entries = entries.filter(condition)
    rows = list(
        entries.order_by("region_path", "-priority", "request_id").values_list(
            "request_id", "region_path"
        )
    )
    for start in range(0, len(rows), CHUNK):
        chunk = [pk for pk, _path in rows[start : start + CHUNK]]
        # The chunk's range of paths (entries keep their request's) leads the planner to the
        # path index, where the ids alone had it scan the day's requests.
        paths = (rows[start][1], rows[start + len(chunk) - 1][1])
        requests = {
            row["id"]: row
            for row in Request.objects.filter(region_path__range=paths, pk__in=chunk).values(
                "id",
                "kind",
                "priority",
                "priority_tags",
                "person__name",
                "household__unit",
                "household__room",
                "household__building__code",
                "household__building__name",
            )
        }
        tasks = dict(
            Task.objects.filter(
                kind=TaskKind.DELIVERY, source=TASK_SOURCE, source_ref__in=[str(pk) for pk in chunk]
            ).values_list("source_ref", "id")
        )
        lines = _lines(chunk)
        stops = []
        for pk in chunk:
            row = requests[pk]
            stops.append(
                Stop(
                    request_id=pk,
                    task_id=tasks.get(str(pk)),
                    building_code=row["household__building__code"],
                    building=row["household__building__name"],
                    unit=row["household__unit"],
                    room=row["household__room"],
                    for_whom=mask_name(row["person__name"]) if row["person__name"] else "",
                    kind=row["kind"],
                    priority=row["priority"],
                    priority_tags=[
                        str(PRIORITY_LABELS.get(tag, tag)) for tag in row["priority_tags"] or []
                    ],
                    lines=lines.get(pk, []),
                )
            )
        stops.sort(key=lambda s: (s.building_code, not s.priority, s.unit, s.room))
        yield from stops


def delivery_lists(batch: Batch, *, within: list[str] | None = None) -> list[BuildingList]:
    """One batch's lists, a building each."""
    buildings: dict[str, BuildingList] = {}
    for stop in delivery_stops([batch], within=within):
        building = buildings.setdefault(
            stop.building_code, BuildingList(stop.building_code, stop.building, [])
        )
        building.stops.append(stop)
    return list(buildings.values())


# Delivering


def request_of(task: Task) -> Request | None:
    if task.kind != TaskKind.DELIVERY or task.source != TASK_SOURCE:
        return None
    try:
        return Request.objects.get(pk=uuid.UUID(task.source_ref))
    except (ValueError, Request.DoesNotExist):
        return None


def deliver(*, actor, task: Task, delivery: supplies.Delivery) -> Request:
    """The volunteer at the door: the request is marked delivered with how it was confirmed
    (through the supplies services), and the delivery task completed, together."""
    if not fieldwork.may_work(actor, task):
        raise PermissionDenied(_("只有任务承办人或网格长可以办理该任务。"))
    request = request_of(task)
    if request is None:
        raise ValidationError({"task": _("该任务不是配送批次的配送任务。")})
    with transaction.atomic():
        if request.state in BATCHED_STATES:
            request = supplies.transition(
                actor=actor,
                request=request,
                to_state=RequestState.OUT_FOR_DELIVERY,
                authorised=True,
            )
        request = supplies.transition(
            actor=actor,
            request=request,
            to_state=RequestState.DELIVERED,
            delivery=delivery,
            authorised=True,
        )
        fieldwork.complete(
            actor=actor,
            authorised=True,
            task=task,
            note=request.confirmation_note,
            result={"request": str(request.pk), "confirmation": request.confirmation},
        )
    return request

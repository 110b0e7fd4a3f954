"""Transfer batches (转运): the only code that changes them. Check permission, validate, write,
audit, as every area's services do.

An officer (TRANSFER add and change) makes a batch from orders waiting to be placed, picked by
building, and names a vehicle, a driver and a destination (a site, or a hospital). The driver
works the batch on a phone: departs (the orders go into transfer), picks each person up or
marks them not found (their order waits to be placed again), and arrives (at a site each
person picked up is checked in to a room, a household together; at a hospital the order ends).
A driver holds TRANSFER view and change over a region but works only the batches they drive.

The order changes go through the isolation services with `authorised=True`: the right this
module checks (the batch's driver, or a manager of transfers) stands for the officer's, who
put the orders in the batch.
"""

import datetime
import functools
import operator

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, DateTimeField, OuterRef, Q, QuerySet, Subquery, UUIDField
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import (
    ADD,
    CHANGE,
    EVERYWHERE,
    MATRIX,
    VIEW,
    assignments_of,
    can,
    minimal_paths,
    require,
    scope_paths,
)
from fangyi.investigations import services as investigations
from fangyi.investigations.models import Investigation
from fangyi.regions.models import Region

from .. import services as orders_services
from ..area import DRIVER, SITE, TRANSFER
from ..models import (
    Order,
    OrderState,
    Passenger,
    PassengerState,
    Room,
    Site,
    TransferBatch,
    TransferState,
)

# A coach's seats: a longer list is more than one run.
MAX_PASSENGERS = 60
MAX_VEHICLE = 20
MAX_HOSPITAL = 100
MAX_NOTE = 200
BATCH_FIELDS = [
    "state",
    "vehicle",
    "driver",
    "site",
    "hospital",
    "planned_at",
    "departed_at",
    "finished_at",
]
OPEN_BATCH = (TransferState.PLANNED, TransferState.UNDER_WAY)
# The passengers still in a batch's care: an order is in at most one open batch as one of them.
ABOARD = (PassengerState.WAITING, PassengerState.PICKED_UP)
HOUR = datetime.timedelta(hours=1)
# The waiting list's order (on the annotation `waiting` adds): longest since being found first.
LONGEST_FIRST = ("found", "id")


# Who sees and works which batch


def _paths(user, action: str, *, driving: bool) -> list[str]:
    return minimal_paths(
        path
        for role, path in assignments_of(user)
        if (role == DRIVER) == driving and action in MATRIX.get(role, {}).get(TRANSFER, ())
    )


def _under(paths: list[str]) -> Q:
    return functools.reduce(
        operator.or_, (Q(region_path__startswith=path) for path in paths), Q(pk__in=[])
    )


def batches_for(user, action: str = VIEW) -> QuerySet[TransferBatch]:
    """Batches `user` may see (VIEW) or work (CHANGE): by region, and a driver's only the
    batches they drive."""
    batches = TransferBatch.objects.select_related("region", "site", "driver")
    if scope_paths(user, TRANSFER, action) is EVERYWHERE:
        return batches
    wide = _under(_paths(user, action, driving=False))
    driving = _paths(user, action, driving=True)
    if driving:
        wide |= Q(driver=user) & _under(driving)
    return batches.filter(wide)


def manages(user, path: str) -> bool:
    """Officers and up: they make, fill and call off batches."""
    return can(user, TRANSFER, ADD, path) and can(user, TRANSFER, CHANGE, path)


def works(user, batch: TransferBatch) -> bool:
    """Whether `user` may work `batch` on the road: its driver, or a manager of transfers."""
    if manages(user, batch.region_path):
        return True
    if not can(user, TRANSFER, CHANGE, batch.region_path):
        return False
    driving = _paths(user, CHANGE, driving=True)
    return batch.driver_id == getattr(user, "pk", None) and any(
        batch.region_path.startswith(path) for path in driving
    )


def _require_manage(actor, batch: TransferBatch) -> None:
    if not manages(actor, batch.region_path):
        raise PermissionDenied(_("只有街道或社区干部可以安排转运批次。"))


def _require_work(actor, batch: TransferBatch) -> None:
    if not works(actor, batch):
        raise PermissionDenied(_("这不是您负责的转运批次。"))


# Waiting


def found_at(order: Order) -> datetime.datetime:
    """When the person was found: their reason fact recorded, or the order made by hand."""
    fact = order.reason_fact
    return fact.recorded_at if fact is not None else order.created_at


def found_of(order: Order) -> datetime.datetime:
    """The `found` that `waiting` annotates on each of its orders."""
    found: datetime.datetime = order.found  # type: ignore[attr-defined]  # annotated by waiting()
    return found


def hours(since: datetime.datetime, until: datetime.datetime) -> float:
    return round((until - since) / HOUR, 1)


def waiting(user, *, found_before: datetime.datetime | None = None) -> QuerySet[Order]:
    """Orders waiting to be placed in the user's scope (found before `found_before`, if
    given), with `found` (when the person was found) for LONGEST_FIRST, and the vehicle of
    the planned batch that will fetch them (`batch_vehicle`, `batch_id`), if one will."""
    planned = Passenger.objects.filter(
        order=OuterRef("pk"), batch__state=TransferState.PLANNED
    ).order_by("batch__planned_at")
    orders = (
        Order.objects.restrict(user, VIEW)
        .filter(state=OrderState.TO_PLACE)
        .select_related("person", "household__building")
        .annotate(
            found=Coalesce("reason_fact__recorded_at", "created_at", output_field=DateTimeField()),
            batch_id=Subquery(planned.values("batch_id")[:1], output_field=UUIDField()),
            batch_vehicle=Subquery(planned.values("batch__vehicle")[:1], output_field=CharField()),
        )
    )
    if found_before is not None:
        orders = orders.filter(found__lt=found_before)
    return orders


# Validation


def _text(value: str, field: str, limit: int, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > limit:
        raise ValidationError({field: _("最多 %(max)d 个字。") % {"max": limit}})
    return value


def _check_orders(actor, region: Region, orders, *, batch: TransferBatch | None = None) -> list:
    """Orders to place, within the batch's region, the actor's to decide, in no open batch."""
    orders = list(orders)
    if not orders:
        raise ValidationError({"orders": _("请先选择要转运的人员。")})
    if len({order.pk for order in orders}) != len(orders):
        raise ValidationError({"orders": _("同一隔离令选了两次。")})
    aboard = batch.passengers.filter(state__in=ABOARD).count() if batch else 0
    if aboard + len(orders) > MAX_PASSENGERS:
        raise ValidationError({"orders": _("一个批次最多 %(max)d 人。") % {"max": MAX_PASSENGERS}})
    if any(order.state != OrderState.TO_PLACE for order in orders):
        raise ValidationError({"orders": _("只有待安置的人员可以转运。")})
    if any(not order.region_path.startswith(region.path) for order in orders):
        raise ValidationError({"orders": _("有人员不在本批次的接人区域内。")})
    for path in {order.region_path for order in orders}:
        if not orders_services.leads(actor, path):
            raise PermissionDenied(_("只有街道或社区干部可以决定隔离令。"))
    taken = Passenger.objects.filter(
        order__in=orders, state__in=ABOARD, batch__state__in=OPEN_BATCH
    )
    if taken.exists():
        raise ValidationError({"orders": _("有人员已在其他转运批次中。")})
    return orders


def _destination(actor, site: Site | None, hospital: str) -> tuple[Site | None, str]:
    hospital = _text(hospital, "hospital", MAX_HOSPITAL, required=False)
    if (site is None) == (not hospital):
        raise ValidationError({"site": _("请选择目的隔离点，或填写目的医院（二选一）。")})
    if site is not None:
        if not can(actor, SITE, VIEW, site.region_path):
            raise ValidationError({"site": _("没有这个隔离点，或其不在您的辖区内。")})
        if not site.active:
            raise ValidationError({"site": _("该隔离点已停用。")})
    return site, hospital


def _snapshot(batch: TransferBatch) -> dict:
    return audit.snapshot(batch, BATCH_FIELDS)


def _audit(actor, batch: TransferBatch, before: dict, **extra) -> None:
    audit.record_updated(actor=actor, obj=batch, before=before, after=_snapshot(batch) | extra)


def _locked(batch: TransferBatch, states) -> TransferBatch:
    """The batch's row locked for the change; ValidationError when another's change moved it
    out of `states` meanwhile."""
    state = (
        TransferBatch.objects.select_for_update()
        .filter(pk=batch.pk)
        .values_list("state", flat=True)
        .first()
    )
    if state not in states:
        raise ValidationError({"state": _("该批次的状态已变更，请刷新后再看。")})
    return batch


# Making a batch


def create_batch(
    *,
    actor,
    region: Region,
    vehicle: str,
    driver,
    orders,
    planned_at: datetime.datetime,
    site: Site | None = None,
    hospital: str = "",
) -> TransferBatch:
    """A batch of the people of `orders` (waiting to be placed, in `region`), driven by
    `driver` in `vehicle` at `planned_at` to `site` or `hospital`."""
    require(actor, TRANSFER, ADD, region.path, message=_("您不能在该区域安排转运。"))
    vehicle = _text(vehicle, "vehicle", MAX_VEHICLE, required=True)
    site, hospital = _destination(actor, site, hospital)
    if driver is None or not driver.is_active or not can(driver, TRANSFER, CHANGE, region.path):
        raise ValidationError({"driver": _("该人员不能在这个区域驾驶转运车辆。")})
    if planned_at is None or timezone.is_naive(planned_at):
        raise ValidationError({"planned_at": _("请填写带时区的出发时间。")})
    orders = _check_orders(actor, region, orders)
    batch = TransferBatch(
        region=region,
        region_path=region.path,
        vehicle=vehicle,
        driver=driver,
        site=site,
        hospital=hospital,
        planned_at=planned_at,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    with transaction.atomic():
        batch.save(force_insert=True)
        Passenger.objects.bulk_create([Passenger(batch=batch, order=order) for order in orders])
        audit.record_change(
            actor=actor,
            action=ObjectChange.CREATE,
            obj=batch,
            before=None,
            after=_snapshot(batch) | {"orders": [str(order.pk) for order in orders]},
            region_path=batch.region_path,
        )
    return batch


def add_passengers(*, actor, batch: TransferBatch, orders) -> list[Passenger]:
    """More people for a batch that has not left."""
    _require_manage(actor, batch)
    if batch.state != TransferState.PLANNED:
        raise ValidationError({"state": _("批次出发后不能再加人。")})
    with transaction.atomic():
        _locked(batch, (TransferState.PLANNED,))
        orders = _check_orders(actor, batch.region, orders, batch=batch)
        already = set(batch.passengers.filter(order__in=orders).values_list("order_id", flat=True))
        if already:
            raise ValidationError({"orders": _("有人员已在本批次中。")})
        added = Passenger.objects.bulk_create(
            [Passenger(batch=batch, order=order) for order in orders]
        )
        # The batch's own fields stay: the row says who was added.
        _audit(actor, batch, _snapshot(batch), added=[str(order.pk) for order in orders])
    return added


def remove_passenger(*, actor, batch: TransferBatch, passenger: Passenger) -> None:
    """Takes a person off a batch that has not left: their order keeps waiting to be placed."""
    _require_manage(actor, batch)
    if passenger.batch_id != batch.pk:
        raise ValidationError({"passenger": _("该人员不在本批次中。")})
    if batch.state != TransferState.PLANNED:
        raise ValidationError({"state": _("批次出发后不能再减人。")})
    with transaction.atomic():
        _locked(batch, (TransferState.PLANNED,))
        before = _snapshot(batch)
        order_id = passenger.order_id
        passenger.delete()
        _audit(actor, batch, before, removed=str(order_id))


def cancel(*, actor, batch: TransferBatch, reason: str) -> TransferBatch:
    """Calls off a batch, with why. The people it carried and did not deliver wait to be
    placed again."""
    _require_manage(actor, batch)
    reason = _text(reason, "reason", orders_services.MAX_REASON, required=True)
    if batch.state not in OPEN_BATCH:
        raise ValidationError({"state": _("该批次已结束。")})
    with transaction.atomic():
        _locked(batch, OPEN_BATCH)
        before = _snapshot(batch)
        aboard = list(batch.passengers.filter(state__in=ABOARD).select_related("order__person"))
        in_transfer = [
            passenger.order
            for passenger in aboard
            if passenger.order.state == OrderState.IN_TRANSFER
        ]
        if in_transfer:
            orders_services.return_to_place(
                actor=actor, orders=in_transfer, reason=reason, authorised=True
            )
        batch.state = TransferState.CANCELLED
        batch.finished_at = timezone.now()
        batch.save(update_fields=["state", "finished_at"])
        _audit(actor, batch, before, reason=reason)
    return batch


# On the road


def depart(*, actor, batch: TransferBatch) -> TransferBatch:
    """The vehicle leaves: the batch is under way and every passenger's order in transfer."""
    _require_work(actor, batch)
    if batch.state != TransferState.PLANNED:
        raise ValidationError({"state": _("只有待出发的批次可以出发。")})
    with transaction.atomic():
        _locked(batch, (TransferState.PLANNED,))
        orders = [
            passenger.order
            for passenger in batch.passengers.select_related("order__person").order_by("pk")
        ]
        if not orders:
            raise ValidationError({"orders": _("该批次还没有人员。")})
        before = _snapshot(batch)
        orders_services.start_transfer(
            actor=actor,
            orders=orders,
            reason=_("转运车辆 %(vehicle)s 出发") % {"vehicle": batch.vehicle},
            authorised=True,
        )
        batch.state = TransferState.UNDER_WAY
        batch.departed_at = timezone.now()
        batch.save(update_fields=["state", "departed_at"])
        _audit(actor, batch, before)
    return batch


def _waiting_passenger(batch: TransferBatch, passenger: Passenger) -> None:
    if passenger.batch_id != batch.pk:
        raise ValidationError({"passenger": _("该人员不在本批次中。")})
    if batch.state != TransferState.UNDER_WAY:
        raise ValidationError({"state": _("批次出发后才能接人。")})
    if passenger.state != PassengerState.WAITING:
        raise ValidationError({"passenger": _("该人员已处理。")})


def _passenger_changed(actor, batch: TransferBatch, passenger: Passenger, **extra) -> None:
    before = _snapshot(batch)
    _audit(
        actor,
        batch,
        before,
        passenger=str(passenger.order_id),
        passenger_state=passenger.state,
        **extra,
    )


def pick_up(*, actor, batch: TransferBatch, passenger: Passenger) -> Passenger:
    """The driver has the person aboard (接到)."""
    _require_work(actor, batch)
    _waiting_passenger(batch, passenger)
    with transaction.atomic():
        _locked(batch, (TransferState.UNDER_WAY,))
        updated = Passenger.objects.filter(pk=passenger.pk, state=PassengerState.WAITING).update(
            state=PassengerState.PICKED_UP, picked_up_at=timezone.now()
        )
        if not updated:
            raise ValidationError({"passenger": _("该人员已处理。")})
        passenger.refresh_from_db()
        _passenger_changed(actor, batch, passenger)
    return passenger


def not_found(*, actor, batch: TransferBatch, passenger: Passenger, reason: str) -> Passenger:
    """The person was not at the pickup (not home, refused, moved): with why; their order
    waits to be placed again."""
    _require_work(actor, batch)
    reason = _text(reason, "reason", MAX_NOTE, required=True)
    _waiting_passenger(batch, passenger)
    with transaction.atomic():
        _locked(batch, (TransferState.UNDER_WAY,))
        updated = Passenger.objects.filter(pk=passenger.pk, state=PassengerState.WAITING).update(
            state=PassengerState.NOT_FOUND, note=reason
        )
        if not updated:
            raise ValidationError({"passenger": _("该人员已处理。")})
        passenger.refresh_from_db()
        order = Order.objects.select_related("person").get(pk=passenger.order_id)
        if order.state == OrderState.IN_TRANSFER:
            orders_services.return_to_place(
                actor=actor,
                orders=[order],
                reason=_("转运未接到：%(reason)s") % {"reason": reason},
                authorised=True,
            )
        _passenger_changed(actor, batch, passenger, reason=reason)
    return passenger


def arrive(*, actor, batch: TransferBatch) -> TransferBatch:
    """The vehicle is at its destination; the batch is done. At a site each person picked up
    is checked in (a household together, as placing does) and their order starts; at a
    hospital their order ends. A case's investigation has its "transfer arrived" clock
    stopped."""
    _require_work(actor, batch)
    if batch.state != TransferState.UNDER_WAY:
        raise ValidationError({"state": _("只有转运中的批次可以登记到达。")})
    now = timezone.now()
    with transaction.atomic():
        _locked(batch, (TransferState.UNDER_WAY,))
        if batch.passengers.filter(state=PassengerState.WAITING).exists():
            raise ValidationError({"passengers": _("还有人员未接到：请逐一登记接到或未找到。")})
        before = _snapshot(batch)
        aboard = list(
            batch.passengers.filter(state=PassengerState.PICKED_UP)
            .select_related("order__person")
            .order_by("pk")
        )
        orders = [passenger.order for passenger in aboard]
        if batch.site is not None:
            if orders:
                _check_in(actor, batch.site, orders)
        else:
            for order in orders:
                orders_services.move_to_hospital(
                    actor=actor,
                    order=order,
                    reason=_("转运至医院：%(hospital)s") % {"hospital": batch.hospital},
                    authorised=True,
                )
        Passenger.objects.filter(pk__in=[passenger.pk for passenger in aboard]).update(
            state=PassengerState.ARRIVED, arrived_at=now
        )
        _stop_clocks(actor, [order.person_id for order in orders], now)
        batch.state = TransferState.DONE
        batch.finished_at = now
        batch.save(update_fields=["state", "finished_at"])
        _audit(actor, batch, before, arrived=[str(order.pk) for order in orders])
    return batch


def _check_in(actor, site: Site, orders: list[Order]) -> None:
    """Rooms chosen as placing chooses them, then each person checked in."""
    rooms = Room.objects.filter(site=site, active=True)
    list(rooms.select_for_update().values_list("pk", flat=True))
    numbers = {
        pk: index for index, pk in enumerate(rooms.order_by("number").values_list("pk", flat=True))
    }
    placed = orders_services.allocate(orders, orders_services.empty_rooms(rooms), numbers)
    by_pk = {room.pk: room for room in rooms.select_related("site")}
    for order in orders:
        orders_services.arrive(
            actor=actor, order=order, room=by_pk[placed[order.pk]], authorised=True
        )


def _stop_clocks(actor, person_ids: list, now: datetime.datetime) -> None:
    cases = Investigation.objects.filter(
        person_id__in=person_ids,
        report_confirmed_at__isnull=False,
        transfer_arrived_at__isnull=True,
    )
    for investigation in cases:
        investigations.record_transfer_arrived(
            actor=actor, investigation=investigation, at=now, authorised=True
        )


def pickup_list(batch: TransferBatch) -> list[tuple[str, list[Passenger]]]:
    """The batch's people by building (name), in the order a driver goes round them."""
    passengers = batch.passengers.select_related(
        "order__person", "order__household__building", "order__reason_fact"
    ).order_by("order__household__building__name", "order__household__room", "pk")
    groups: dict[str, list[Passenger]] = {}
    for passenger in passengers:
        household = passenger.order.household
        name = household.building.name if household else _("无住址")
        groups.setdefault(name, []).append(passenger)
    return list(groups.items())


def waited_hours(passenger: Passenger) -> float | None:
    """From being found to arriving, for a person delivered."""
    if passenger.arrived_at is None:
        return None
    return hours(found_at(passenger.order), passenger.arrived_at)

"""The only code that changes isolation orders: check permission, validate, write, audit.

Keyword-only functions, as in every area. Each change of state is an OrderEvent (who, when,
why) and an audit row; bulk actions are all or none. Officers (ORDER add and change) decide:
placing, starting at home, releasing, extending, re-planning, moving to hospital, cancelling,
sending to transfer. Site staff and grid teams (ORDER change) receive people at a site and
move them between rooms (SITE change over the room's site).

Starting an order records a `quarantine_start` fact and ending it a `quarantine_end` fact
through the health services, so that the colour follows by the existing rules; the order
never colours anyone itself.
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import ADD, CHANGE, can, require
from fangyi.health import services as health
from fangyi.health.models import FactKind, Policy

from . import readiness, rules
from .area import ORDER, SITE
from .models import (
    OPEN_STATES,
    RUNNING_STATES,
    Order,
    OrderEvent,
    OrderState,
    Room,
    Site,
)

MAX_REASON = 500
MAX_BATCH = 2000
ORDER_FIELDS = ["state", "kind", "site", "room", "started_at", "planned_end_at", "ended_at"]
# The states whose people occupy a bed: counted against a room's capacity.
OCCUPYING = (OrderState.IN_TRANSFER, *RUNNING_STATES)
SOURCE = "isolation"


def leads(user, path: str) -> bool:
    """Whether the user may decide about orders at `path` (officers and up)."""
    return can(user, ORDER, ADD, path) and can(user, ORDER, CHANGE, path)


def _require_lead(actor, orders) -> None:
    for path in {order.region_path for order in orders}:
        if not leads(actor, path):
            raise PermissionDenied(_("只有街道或社区干部可以决定隔离令。"))


def _reason(reason: str, *, required: bool, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({field: _("请写明原因。")})
    if len(reason) > MAX_REASON:
        raise ValidationError({field: _("原因最多 %(max)d 个字。") % {"max": MAX_REASON}})
    return reason


def _batch(orders) -> list[Order]:
    orders = list(orders)
    if not orders:
        raise ValidationError({"orders": _("请先选择隔离令。")})
    if len(orders) > MAX_BATCH:
        raise ValidationError({"orders": _("一次最多 %(max)d 条。") % {"max": MAX_BATCH}})
    if len({order.pk for order in orders}) != len(orders):
        raise ValidationError({"orders": _("同一隔离令选了两次。")})
    return orders


def _in_states(orders, states, message: str) -> None:
    wrong = [order for order in orders if order.state not in states]
    if wrong:
        raise ValidationError({"state": message})


def _started(
    *, actor, orders: list[Order], before: dict, now, reason: str = "", allowed=None
) -> None:
    """Orders just started (placed, at home, arrived): their quarantine_start facts, then
    their writes with events and audit rows. Inside the caller's transaction."""
    _record_quarantine(actor, orders, FactKind.QUARANTINE_START, now)
    _commit(
        actor=actor,
        orders=orders,
        before=before,
        allowed=allowed or (OrderState.TO_PLACE,),
        fields=[*ORDER_FIELDS, "start_fact"],
        reason=reason,
        now=now,
    )


def _commit(
    *,
    actor,
    orders: list[Order],
    before: dict,
    allowed,
    fields: list[str],
    reason: str = "",
    details: Callable[[Order], dict] | None = None,
    now: datetime.datetime,
) -> None:
    """Writes the orders' changed `fields` if none of them left `allowed` meanwhile, with one
    event and one audit row each. Inside the caller's transaction."""
    ids = [order.pk for order in orders]
    locked = dict(Order.objects.select_for_update().filter(pk__in=ids).values_list("pk", "state"))
    if any(locked.get(order.pk) not in allowed for order in orders):
        raise ValidationError({"state": _("有隔离令已被他人处理，请刷新后再看。")})
    for order in orders:
        if order.state != before[order.pk]["state"]:
            order.state_changed_at = now
    Order.objects.bulk_update(orders, [*fields, "state_changed_at", "updated_at"], batch_size=500)
    who = audit.actor_fields(actor)
    OrderEvent.objects.bulk_create(
        [
            OrderEvent(
                order=order,
                from_state=before[order.pk]["state"],
                to_state=order.state,
                at=now,
                actor=who["actor"],
                actor_name=who["actor_name"],
                reason=reason,
                details={
                    **(details(order) if details else {}),
                    **_event_details(order, before[order.pk], fields),
                },
            )
            for order in orders
        ],
        batch_size=500,
    )
    changes = audit.BulkChanges(actor=actor, time=now)
    for order in orders:
        after = audit.snapshot(order, fields)
        changes.add(
            object_type=Order._meta.label_lower,
            object_id=order.pk,
            object_repr=str(order),
            region_path=order.region_path,
            action=ObjectChange.UPDATE,
            before=before[order.pk],
            after=after | ({"reason": reason} if reason else {}),
        )
    changes.flush()


def _event_details(order: Order, before: dict, fields: list[str]) -> dict:
    after = audit.snapshot(order, fields)
    return {
        name: after[name] for name in fields if name != "state" and after[name] != before.get(name)
    }


def _snapshots(orders, fields) -> dict:
    return {order.pk: audit.snapshot(order, fields) for order in orders}


def _record_quarantine(actor, orders: list[Order], kind: str, now: datetime.datetime) -> None:
    """The `quarantine_start` / `quarantine_end` facts of `orders`, through the health services,
    and the persons' colours brought up to date. The caller has checked the actor's right over
    the orders, which is what causes these facts."""
    rows = []
    for order in orders:
        fact_id = uuid.uuid4()
        if kind == FactKind.QUARANTINE_START:
            order.start_fact_id = fact_id
        else:
            order.end_fact_id = fact_id
        rows.append(
            (fact_id, order.person_id, order.region_path, kind, now, now, "", order.kind,
             str(order.pk), {"order": str(order.pk)})
        )  # fmt: skip
    health.record_facts_in_bulk(actor=actor, source=SOURCE, rows=rows, authorised=True)
    transaction.on_commit(
        lambda: health.schedule_for_persons({order.person_id for order in orders})
    )


def _start(order: Order, term_days: int, now: datetime.datetime) -> None:
    order.started_at = now
    order.planned_end_at = rules.planned_end(now, term_days)


# Placing and starting


def free_beds(rooms) -> dict[uuid.UUID, int]:
    """Free beds of each room of `rooms` (capacity less the people in it), in one query."""
    rooms = rooms.annotate(
        occupied=Count("orders", filter=Q(orders__state__in=OCCUPYING))
    ).values_list("pk", "capacity", "occupied")
    return {pk: max(capacity - occupied, 0) for pk, capacity, occupied in rooms}


def empty_rooms(rooms) -> dict[uuid.UUID, int]:
    """The beds of each room of `rooms` that nobody occupies, in one query."""
    return {
        pk: capacity
        for pk, capacity, occupied in rooms.annotate(
            occupied=Count("orders", filter=Q(orders__state__in=OCCUPYING))
        ).values_list("pk", "capacity", "occupied")
        if not occupied
    }


def allocate(orders: list[Order], empty: dict, numbers: dict) -> dict[uuid.UUID, uuid.UUID]:
    """Rooms for the orders, one household to a room: strangers never share a room in
    centralised quarantine, where one of them may be infected. Each household goes to the
    empty room that fits it most tightly; a household larger than every room is split over
    the roomiest. `empty` maps the empty rooms to their beds; ValidationError when they are
    short. `numbers` orders rooms by their number, for stable choices."""
    rooms = dict(empty)
    households: dict[object, list[Order]] = defaultdict(list)
    for order in orders:
        households[order.household_id or order.pk].append(order)
    placed: dict[uuid.UUID, uuid.UUID] = {}
    groups = sorted(households.values(), key=lambda group: (-len(group), str(group[0].pk)))
    for position, group in enumerate(groups):
        members = list(group)
        while members:
            if not rooms:
                left = len(members) + sum(len(rest) for rest in groups[position + 1 :])
                raise ValidationError(
                    {
                        "site": _(
                            "空房间不足：还有 %(people)d 人（%(households)d 户）无法安置，"
                            "每间只住一户，共有 %(rooms)d 间空房。"
                        )
                        % {
                            "people": left,
                            "households": len(groups) - position,
                            "rooms": len(empty),
                        }
                    }
                )
            fitting = [room for room, beds in rooms.items() if beds >= len(members)]
            if fitting:
                room = min(fitting, key=lambda pk: (rooms[pk], numbers[pk]))
            else:
                room = max(rooms, key=lambda pk: (rooms[pk], -numbers[pk]))
            take, members = members[: rooms[room]], members[rooms[room] :]
            for order in take:
                placed[order.pk] = room
            del rooms[room]
    return placed


def place(*, actor, orders, site: Site, reason: str = "") -> list[Order]:
    """Orders waiting to be placed go to `site`, a household together in one room up to its
    capacity, and start now as centralised quarantine: all or none."""
    orders = _batch(orders)
    _require_lead(actor, orders)
    require(actor, SITE, CHANGE, site.region_path, message=_("您不能向该隔离点安置人员。"))
    _in_states(orders, (OrderState.TO_PLACE,), _("只有待安置的隔离令可以安置。"))
    if not site.active:
        raise ValidationError({"site": _("该隔离点已停用。")})
    reason = _reason(reason, required=False)
    now = timezone.now()
    with transaction.atomic():
        # Locked first: two officers placing at one site must not both take the last beds.
        # (PostgreSQL locks no rows of a grouped query, hence two statements.)
        rooms = Room.objects.filter(site=site, active=True)
        list(rooms.select_for_update().values_list("pk", flat=True))
        numbers = {
            pk: index
            for index, pk in enumerate(rooms.order_by("number").values_list("pk", flat=True))
        }
        placed = allocate(orders, empty_rooms(rooms), numbers)
        before = _snapshots(orders, ORDER_FIELDS)
        for order in orders:
            order.site = site
            order.room_id = placed[order.pk]
            order.kind = rules.CENTRALISED
            order.state = OrderState.ACTIVE
            _start(order, order.term_days, now)
        _started(actor=actor, orders=orders, before=before, reason=reason, now=now)
    return orders


def start_at_home(*, actor, orders, kind: str = "", reason: str = "") -> list[Order]:
    """Orders waiting to be placed start at the person's home: home quarantine or home
    monitoring (`kind`; by default the order's own when it is one of these, else home)."""
    orders = _batch(orders)
    _require_lead(actor, orders)
    if kind and kind not in (rules.HOME, rules.HOME_MONITORING):
        raise ValidationError(
            {"kind": _("居家方式应为 home（居家隔离）或 home_monitoring（居家健康监测）。")}
        )
    _in_states(orders, (OrderState.TO_PLACE,), _("只有待安置的隔离令可以开始居家隔离。"))
    reason = _reason(reason, required=False)
    now = timezone.now()
    with transaction.atomic():
        before = _snapshots(orders, ORDER_FIELDS)
        for order in orders:
            order.kind = kind or (order.kind if order.kind != rules.CENTRALISED else rules.HOME)
            order.state = OrderState.ACTIVE
            order.site = None
            order.room = None
            _start(order, order.term_days, now)
        _started(actor=actor, orders=orders, before=before, reason=reason, now=now)
    return orders


def start_transfer(*, actor, orders, reason: str = "", authorised: bool = False) -> list[Order]:
    """Orders waiting to be placed are on their way to a site (the transfer part calls this
    when a batch leaves); they start on arrival (`arrive`). `authorised`: the transfer work
    has checked that the actor drives or manages the batch an officer put the orders in."""
    orders = _batch(orders)
    if not authorised:
        _require_lead(actor, orders)
    _in_states(orders, (OrderState.TO_PLACE,), _("只有待安置的隔离令可以转运。"))
    now = timezone.now()
    with transaction.atomic():
        before = _snapshots(orders, ORDER_FIELDS)
        for order in orders:
            order.state = OrderState.IN_TRANSFER
        _commit(
            actor=actor,
            orders=orders,
            before=before,
            allowed=(OrderState.TO_PLACE,),
            fields=ORDER_FIELDS,
            reason=_reason(reason, required=False),
            now=now,
        )
    return orders


def return_to_place(*, actor, orders, reason: str, authorised: bool = False) -> list[Order]:
    """Orders in transfer whose person was not found (or whose batch was called off) wait to
    be placed again, with why. `authorised` as for `start_transfer`."""
    orders = _batch(orders)
    if not authorised:
        _require_lead(actor, orders)
    _in_states(orders, (OrderState.IN_TRANSFER,), _("只有转运中的隔离令可以退回待安置。"))
    reason = _reason(reason, required=True)
    now = timezone.now()
    with transaction.atomic():
        before = _snapshots(orders, ORDER_FIELDS)
        for order in orders:
            order.state = OrderState.TO_PLACE
        _commit(
            actor=actor,
            orders=orders,
            before=before,
            allowed=(OrderState.IN_TRANSFER,),
            fields=ORDER_FIELDS,
            reason=reason,
            now=now,
        )
    return orders


def _require_room_work(actor, order: Order, room: Room) -> None:
    """Rooms are the site's business (its staff, officers): the order must be theirs to
    change, and the room's site too."""
    require(actor, ORDER, CHANGE, order.region_path)
    require(actor, SITE, CHANGE, room.site.region_path, message=_("您不能为该隔离点办理入住。"))


def _check_room(room: Room, order: Order) -> None:
    if not room.active or not room.site.active:
        raise ValidationError({"room": _("该房间不可用。")})
    list(Room.objects.select_for_update().filter(pk=room.pk).values_list("pk", flat=True))
    if free_beds(Room.objects.filter(pk=room.pk)).get(room.pk, 0) < 1:
        raise ValidationError({"room": _("该房间已满。")})
    occupants = Order.objects.filter(room=room, state__in=OCCUPYING).exclude(pk=order.pk)
    if order.household_id is not None:
        occupants = occupants.exclude(household_id=order.household_id)
    if occupants.exists():
        raise ValidationError({"room": _("该房间已住有其他户的人员：每间只住一户。")})


def arrive(*, actor, order: Order, room: Room, authorised: bool = False) -> Order:
    """A person in transfer arrives at a site: checked in to `room`, the order starts.
    `authorised`: the transfer work has checked the actor's right over the batch (its driver
    hands the person over at the site's door)."""
    if not authorised:
        _require_room_work(actor, order, room)
    if order.state != OrderState.IN_TRANSFER:
        raise ValidationError({"state": _("只有转运中的隔离令可以办理到达。")})
    now = timezone.now()
    with transaction.atomic():
        _check_room(room, order)
        before = _snapshots([order], ORDER_FIELDS)
        order.site = room.site
        order.room = room
        order.kind = rules.CENTRALISED
        order.state = OrderState.ACTIVE
        _start(order, order.term_days, now)
        _started(
            actor=actor,
            orders=[order],
            before=before,
            now=now,
            allowed=(OrderState.IN_TRANSFER,),
        )
    return order


def move(*, actor, order: Order, room: Room, reason: str = "") -> Order:
    """Checks a person out of their room and into another (of the same site or another)."""
    _require_room_work(actor, order, room)
    if order.state not in RUNNING_STATES or order.room_id is None:
        raise ValidationError({"state": _("只有正在集中隔离的人员可以换房。")})
    if room.pk == order.room_id:
        raise ValidationError({"room": _("已在该房间。")})
    now = timezone.now()
    with transaction.atomic():
        _check_room(room, order)
        before = _snapshots([order], ORDER_FIELDS)
        order.site = room.site
        order.room = room
        _commit(
            actor=actor,
            orders=[order],
            before=before,
            allowed=RUNNING_STATES,
            fields=ORDER_FIELDS,
            reason=_reason(reason, required=False),
            details=lambda order: {"move": True},
            now=now,
        )
    return order


# Ending


def _end(
    *,
    actor,
    orders,
    to_state: str,
    allowed,
    reason: str,
    details: Callable[[Order], dict] | None = None,
) -> list[Order]:
    now = timezone.now()
    with transaction.atomic():
        before = _snapshots(orders, ORDER_FIELDS)
        started = [order for order in orders if order.started_at is not None]
        for order in orders:
            order.state = to_state
            order.ended_at = now
        if started:
            _record_quarantine(actor, started, FactKind.QUARANTINE_END, now)
        _commit(
            actor=actor,
            orders=orders,
            before=before,
            allowed=allowed,
            fields=[*ORDER_FIELDS, "end_fact"],
            reason=reason,
            details=details,
            now=now,
        )
    return orders


def release(*, actor, orders, override: str = "") -> list[Order]:
    """Releases running orders that are ready (readiness.assess), all or none; an order that
    is not ready is released only with the officer's stated `override` reason. The next stage
    the plan prescribes starts at once."""
    orders = _batch(orders)
    _require_lead(actor, orders)
    _in_states(orders, RUNNING_STATES, _("只有隔离中的隔离令可以解除。"))
    override = _reason(override, required=False, field="override")
    verdicts = readiness.assess(Order.objects.filter(pk__in=[order.pk for order in orders]))
    not_ready = [order for order in orders if not verdicts[order.pk].ready]
    if not_ready and not override:
        names = "、".join(order.person.masked_name for order in not_ready[:5])
        raise ValidationError(
            {
                "override": _("%(count)d 人尚不满足解除条件（%(names)s）；如确需解除，请写明理由。")
                % {"count": len(not_ready), "names": names}
            }
        )
    problems = {
        order.pk: [readiness.describe(problem) for problem in verdicts[order.pk].problems]
        for order in not_ready
    }
    ready = [order for order in orders if order.pk not in problems]
    with transaction.atomic():
        if ready:
            _end(
                actor=actor,
                orders=ready,
                to_state=OrderState.RELEASED,
                allowed=RUNNING_STATES,
                reason="",
            )
        if not_ready:
            # The officer's reason, and what the order lacked, stay on its timeline.
            _end(
                actor=actor,
                orders=not_ready,
                to_state=OrderState.RELEASED,
                allowed=RUNNING_STATES,
                reason=override,
                details=lambda order: {"override": problems[order.pk]},
            )
        start_next_stages(actor=actor, orders=orders)
    return orders


def start_next_stages(*, actor, orders) -> list[Order]:
    """The next stage of each released order whose plan prescribes one and that has none yet:
    home monitoring from the release, as a new running order. Called by `release` and by the
    nightly sweep for releases whose next stage is missing."""
    released = [order for order in orders if order.state == OrderState.RELEASED]
    created: list[Order] = []
    # In slices: a sweep after an outage may find tens of thousands, and each slice's ids go
    # into IN lists.
    for start in range(0, len(released), MAX_BATCH):
        created += _start_next_stages(actor, released[start : start + MAX_BATCH])
    return created


def _start_next_stages(actor, released: list[Order]) -> list[Order]:
    has_next = set(
        Order.objects.filter(previous__in=released).values_list("previous_id", flat=True)
    )
    busy = set(
        Order.objects.open()
        .filter(person_id__in=[order.person_id for order in released])
        .values_list("person_id", flat=True)
    )
    policies = {
        policy.pk: policy
        for policy in Policy.objects.filter(pk__in={order.policy_id for order in released})
    }
    now = timezone.now()
    created = []
    for order in released:
        if order.pk in has_next or order.person_id in busy:
            continue
        term = rules.next_stage(policies[order.policy_id].parameters, order.reason, order.kind)
        if term is None:
            continue
        stage = Order(
            person_id=order.person_id,
            household_id=order.household_id,
            region_path=order.region_path,
            kind=term.kind,
            reason=order.reason,
            policy_id=order.policy_id,
            term_days=term.days,
            test_days=list(term.test_days),
            state=OrderState.ACTIVE,
            state_changed_at=now,
            previous=order,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=now,
        )
        stage.person = order.person
        _start(stage, term.days, now)
        created.append(stage)
    if not created:
        return []
    with transaction.atomic():
        _record_quarantine(actor, created, FactKind.QUARANTINE_START, now)
        Order.objects.bulk_create(created, batch_size=500)
        _created(actor, created, now, reason=_("上一阶段解除后自动开始"))
    return created


def _created(actor, orders: list[Order], now, *, reason: str) -> None:
    who = audit.actor_fields(actor)
    OrderEvent.objects.bulk_create(
        [
            OrderEvent(
                order=order,
                from_state="",
                to_state=order.state,
                at=now,
                actor=who["actor"],
                actor_name=who["actor_name"],
                reason=reason,
                details={"previous": str(order.previous_id)} if order.previous_id else {},
            )
            for order in orders
        ],
        batch_size=500,
    )
    changes = audit.BulkChanges(actor=actor, time=now)
    for order in orders:
        changes.add(
            object_type=Order._meta.label_lower,
            object_id=order.pk,
            object_repr=str(order),
            region_path=order.region_path,
            action=ObjectChange.CREATE,
            before=None,
            after=audit.snapshot(order, [*ORDER_FIELDS, "reason", "term_days", "test_days"]),
        )
    changes.flush()


def move_to_hospital(*, actor, order: Order, reason: str, authorised: bool = False) -> Order:
    """The person leaves isolation for hospital (a positive test, a fever): the order ends.
    `authorised` as for `start_transfer` (a transfer batch to a hospital arrives)."""
    if not authorised:
        _require_lead(actor, [order])
    _in_states([order], OPEN_STATES, _("该隔离令已结束。"))
    reason = _reason(reason, required=True)
    allowed = (order.state,)
    _end(actor=actor, orders=[order], to_state=OrderState.HOSPITAL, allowed=allowed, reason=reason)
    return order


def cancel(*, actor, order: Order, reason: str) -> Order:
    """An order made in error (a retracted contact, a wrong person) is cancelled, with why."""
    _require_lead(actor, [order])
    _in_states([order], OPEN_STATES, _("该隔离令已结束。"))
    reason = _reason(reason, required=True)
    allowed = (order.state,)
    _end(actor=actor, orders=[order], to_state=OrderState.CANCELLED, allowed=allowed, reason=reason)
    return order


# Changing the term


def extend(*, actor, order: Order, until: datetime.datetime, reason: str) -> Order:
    """A running order runs on to `until` (a missing test, a fever), with why."""
    _require_lead(actor, [order])
    _in_states([order], RUNNING_STATES, _("只有隔离中的隔离令可以延期。"))
    reason = _reason(reason, required=True)
    if until is None or timezone.is_naive(until):
        raise ValidationError({"until": _("请填写带时区的解除时间。")})
    if order.planned_end_at and until <= order.planned_end_at:
        raise ValidationError({"until": _("延期后的解除时间应晚于原计划解除时间。")})
    if until <= timezone.now():
        raise ValidationError({"until": _("延期后的解除时间应晚于现在。")})
    if order.started_at and until > order.started_at + datetime.timedelta(days=60):
        raise ValidationError({"until": _("隔离期最长 60 天。")})
    now = timezone.now()
    with transaction.atomic():
        allowed = (order.state,)
        before = _snapshots([order], ORDER_FIELDS)
        order.planned_end_at = until
        order.state = OrderState.EXTENDED
        _commit(
            actor=actor,
            orders=[order],
            before=before,
            allowed=allowed,
            fields=ORDER_FIELDS,
            reason=reason,
            now=now,
        )
    return order


def replan(*, actor, order: Order, reason: str = "") -> Order:
    """Applies the policy now in force to an open order: its term and test days (the planned
    end from its start); the kind and place stay, as the person is where they are."""
    _require_lead(actor, [order])
    _in_states([order], OPEN_STATES, _("该隔离令已结束。"))
    reason = _reason(reason, required=False)
    policy = Policy.objects.in_force()
    term = rules.term_for(policy.parameters, order.reason)
    if term is None:
        raise ValidationError({"policy": _("现行防控方案对此类人员不作隔离要求，请取消该隔离令。")})
    now = timezone.now()
    fields = [*ORDER_FIELDS, "policy", "term_days", "test_days"]
    with transaction.atomic():
        before = _snapshots([order], fields)
        order.policy = policy
        order.term_days = term.days
        order.test_days = list(term.test_days)
        if order.started_at is not None:
            order.planned_end_at = rules.planned_end(order.started_at, term.days)
        _commit(
            actor=actor,
            orders=[order],
            before=before,
            allowed=(order.state,),
            fields=fields,
            reason=reason,
            details=lambda order: {"replanned": policy.label},
            now=now,
        )
    return order

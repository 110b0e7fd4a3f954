"""Daily follow-up of the people under running orders: the only code that writes check-ins.

Twice a day (FANGYI_CHECK_IN_SLOTS) each person under a running order reports temperature
and symptoms: on the portal for themselves or someone they look after, or through staff in
one batch (site staff for a site's people, grid teams for the home-isolated of their grids).
One check-in per order, day and slot: reporting a slot again corrects it, audited as a change.
A fever (37.3 °C or more, or any listed symptom) is an open alert for the officers of the
place and a fever-clinic referral task (one per check-in). After FANGYI_CHECK_IN_MISSED_HOUR
a person with a slot of the day unreported becomes a follow-up task for their grid team (one
per person and day), and on an order's test days the home-isolated get a home-sampling task.
"""

import datetime
import decimal
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.bulk import TableWriter
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import ADD, CHANGE, EVERYWHERE, VIEW, require, scope_paths
from fangyi.fieldwork.models import TaskKind
from fangyi.fieldwork.services import TaskInput, create_tasks
from fangyi.health.models import Fact, FactKind
from fangyi.people.models import Person
from fangyi.portal.services import RESIDENT_ACTOR, SYMPTOMS, as_resident

from ..area import ORDER, SITE
from ..models import RUNNING_STATES, CheckIn, CheckInChannel, CheckInSlot, Order, Site

# Where the tasks this part creates come from (fieldwork's source), so that re-runs skip them.
SOURCE = "isolation:follow-up"
TEMPERATURE_MIN = decimal.Decimal("34.0")
TEMPERATURE_MAX = decimal.Decimal("43.0")
FEVER_FROM = decimal.Decimal("37.3")
MAX_BATCH = 5000
CHUNK = 2000
AUDIT_FIELDS = ["order", "person", "day", "slot", "temperature", "symptoms", "fever", "channel"]
# A referral is to be acted on within the hour; a missed check-in by the end of the evening.
REFERRAL_WITHIN = datetime.timedelta(hours=1)
VISIT_WITHIN = datetime.timedelta(hours=3)
TEST_BY_HOUR = 12


# Time: days and slots in the server's zone


def slot_opens(day: datetime.date, slot: int) -> datetime.datetime:
    hour = settings.FANGYI_CHECK_IN_SLOTS[slot - 1]
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def missed_after(day: datetime.date) -> datetime.datetime:
    """When the day's unreported slots count as missed."""
    hour = settings.FANGYI_CHECK_IN_MISSED_HOUR
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def current_slot(now: datetime.datetime | None = None) -> tuple[datetime.date, int]:
    """(today, the slot being reported now): the morning until the afternoon slot opens."""
    local = timezone.localtime(now or timezone.now())
    slot = CheckInSlot.AFTERNOON if local.hour >= settings.FANGYI_CHECK_IN_SLOTS[1] else 1
    return local.date(), int(slot)


def day_of_order(started_at: datetime.datetime, day: datetime.date) -> int:
    """The day of the term `day` is, day 1 being the day the order started."""
    return (day - timezone.localtime(started_at).date()).days + 1


def is_test_day(order: Order, day: datetime.date) -> bool:
    return order.started_at is not None and day_of_order(order.started_at, day) in (
        order.test_days or []
    )


# Checking what is reported


@dataclass(frozen=True)
class CheckInInput:
    """One report: None for the temperature means "normal" tapped without a number."""

    order_id: uuid.UUID | None = None
    temperature: decimal.Decimal | None = None
    symptoms: Sequence[str] = field(default_factory=tuple)


def is_fever(temperature: decimal.Decimal | None, symptoms: Iterable[str]) -> bool:
    return (temperature is not None and temperature >= FEVER_FROM) or bool(list(symptoms))


def _check_values(item: CheckInInput, prefix: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if item.temperature is not None:
        if not isinstance(item.temperature, decimal.Decimal) or not item.temperature.is_finite():
            errors[f"{prefix}temperature"] = [_("请填写体温数值。")]
        elif not TEMPERATURE_MIN <= item.temperature <= TEMPERATURE_MAX:
            errors[f"{prefix}temperature"] = [_("体温应在 34.0 至 43.0 ℃ 之间。")]
    unknown = [code for code in item.symptoms if code not in SYMPTOMS]
    if unknown or len(set(item.symptoms)) != len(item.symptoms):
        errors[f"{prefix}symptoms"] = [_("症状须从列表中选择，且不重复。")]
    return errors


# Whose check-ins a staff member takes


@dataclass(frozen=True)
class OrderRow:
    id: uuid.UUID
    person_id: uuid.UUID
    region_path: str
    site_id: uuid.UUID | None
    site_path: str | None

    @property
    def check_in_path(self) -> str:
        """A check-in lives where the person is isolated: the site's region, or their home."""
        return self.site_path if self.site_id and self.site_path else self.region_path


def _within(paths, path: str) -> bool:
    return paths is EVERYWHERE or any(path.startswith(prefix) for prefix in paths)


def sites_for(user) -> QuerySet[Site]:
    """The active sites whose people the user takes check-ins of (site staff, officers)."""
    return Site.objects.restrict(user, CHANGE).filter(active=True).order_by("name", "id")


def home_orders_for(user) -> QuerySet[Order]:
    """Running home orders of the user's regions: the grid team's phone sheet."""
    return Order.objects.restrict(user, CHANGE).running().filter(site__isnull=True)


def site_orders(site: Site) -> QuerySet[Order]:
    return Order.objects.running().filter(site=site)


def followed_orders(user, action: str = VIEW) -> QuerySet[Order]:
    """Orders whose follow-up the user sees: of their regions, and of the sites they work in
    (a site's people keep their home's region on the order)."""
    sites = Site.objects.restrict(user, action).values("pk")
    return Order.objects.restrict(user, action) | Order.objects.filter(site__in=sites)


def _order_rows(actor, ids: list[uuid.UUID]) -> dict[uuid.UUID, OrderRow]:
    """The running orders among `ids` whose check-ins the actor may record."""
    site_paths = scope_paths(actor, SITE, CHANGE)
    order_paths = scope_paths(actor, ORDER, CHANGE)
    found: dict[uuid.UUID, OrderRow] = {}
    for start in range(0, len(ids), CHUNK):
        rows = Order.objects.running().filter(pk__in=ids[start : start + CHUNK])
        for values in rows.values_list(
            "id", "person_id", "region_path", "site_id", "site__region_path"
        ):
            row = OrderRow(*values)
            allowed = (
                _within(site_paths, row.check_in_path)
                if row.site_id
                else _within(order_paths, row.region_path)
            )
            if allowed:
                found[row.id] = row
    return found


# Recording


@dataclass
class Recorded:
    created: int = 0
    corrected: int = 0
    fevers: list[CheckIn] = field(default_factory=list)
    check_ins: list[CheckIn] = field(default_factory=list)


def record(
    *,
    actor,
    items: Sequence[CheckInInput],
    slot: int | None = None,
    channel: str = CheckInChannel.STAFF,
    now: datetime.datetime | None = None,
) -> Recorded:
    """Staff report a slot of today for many people at once; one bad item refuses them all,
    naming it ("items.3.temperature"). An order the actor may not record for (another site's,
    another grid's) or that is not running is refused as unknown."""
    require(actor, ORDER, CHANGE)
    now = now or timezone.now()
    day, current = current_slot(now)
    if slot is None:
        slot = current
    if slot not in CheckInSlot.values:
        raise ValidationError({"slot": [_("请选择上午或下午时段。")]})
    if not items:
        raise ValidationError({"items": [_("请至少填写一人。")]})
    if len(items) > MAX_BATCH:
        raise ValidationError({"items": [_("一次最多提交 %(n)d 人。") % {"n": MAX_BATCH}]})
    if channel not in (CheckInChannel.STAFF, CheckInChannel.API):
        raise ValidationError({"channel": [_("上报方式无效。")]})
    errors: dict[str, list[str]] = {}
    seen: set[uuid.UUID] = set()
    for index, item in enumerate(items):
        errors |= _check_values(item, f"items.{index}.")
        if item.order_id in seen:
            errors[f"items.{index}.order"] = [_("同一人只能填写一次。")]
        if item.order_id is not None:
            seen.add(item.order_id)
    orders = _order_rows(actor, list(seen))
    for index, item in enumerate(items):
        if item.order_id not in orders and f"items.{index}.order" not in errors:
            errors[f"items.{index}.order"] = [_("没有这个正在执行的隔离令，或不在您的范围内。")]
    if errors:
        raise ValidationError(errors)
    return _write_retrying(
        actor=actor,
        # Every item names a known order by now; the condition is for the type checker.
        reports=[(orders[item.order_id], item) for item in items if item.order_id is not None],
        day=day,
        slot=slot,
        channel=channel,
        reporter=actor.get_username(),
        now=now,
    )


def report(
    *,
    person: Person,
    holder: Person | None = None,
    temperature: decimal.Decimal | None,
    symptoms: Sequence[str],
    now: datetime.datetime | None = None,
) -> CheckIn:
    """A resident reports the current slot for themselves, or (`holder`) for someone they look
    after; the portal has checked that the guardianship is confirmed."""
    item = CheckInInput(temperature=temperature, symptoms=tuple(symptoms))
    errors = _check_values(item, "")
    if errors:
        raise ValidationError(errors)
    order = (
        Order.objects.running()
        .filter(person=person)
        .values_list("id", "person_id", "region_path", "site_id", "site__region_path")
        .first()
    )
    if order is None:
        raise ValidationError({"person": [_("该居民目前没有正在执行的隔离，无需健康打卡。")]})
    now = now or timezone.now()
    day, slot = current_slot(now)
    reporter = (
        RESIDENT_ACTOR if holder is None else _("照护人 %(name)s") % {"name": holder.masked_name}
    )
    with as_resident():
        recorded = _write_retrying(
            actor=None,
            reports=[(OrderRow(*order), item)],
            day=day,
            slot=slot,
            channel=CheckInChannel.PORTAL,
            reporter=reporter,
            now=now,
        )
    return recorded.check_ins[0]


def _write_retrying(**kwargs) -> Recorded:
    try:
        return _write(**kwargs)
    # COPY reports the driver's own error, which Django's cursor wrapper does not translate.
    except (IntegrityError, connection.Database.IntegrityError):  # type: ignore[attr-defined]
        # Another phone inserted some of the same slots since we looked: written again, they
        # are corrections of those (the transaction of the first try left nothing behind).
        return _write(**kwargs)


# The columns of a new check-in that differ from row to row; the rest are the batch's.
NEW_COLUMNS = ["id", "order_id", "person_id", "region_path", "temperature", "symptoms", "fever"]


def _write(
    *,
    actor,
    reports: list[tuple[OrderRow, CheckInInput]],
    day: datetime.date,
    slot: int,
    channel: str,
    reporter: str,
    now: datetime.datetime,
) -> Recorded:
    """Appends the new check-ins through core.bulk and corrects the ones already there: a
    fixed number of statements however many people the batch holds."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    ids = [row.id for row, _item in reports]
    existing: dict[uuid.UUID, CheckIn] = {}
    for start in range(0, len(ids), CHUNK):
        for check_in in CheckIn.objects.filter(
            order_id__in=ids[start : start + CHUNK], day=day, slot=slot
        ):
            existing[check_in.order_id] = check_in
    shared = {
        "day": day,
        "slot": slot,
        "channel": channel,
        "reported_at": now,
        "reported_by_id": user.pk if user is not None else None,
        "reported_by_name": reporter[:150],
    }
    label = CheckIn._meta.label_lower
    # Persons are named masked in audit rows; a check-in's own text would need its person.
    repr_ = f"{day} {CheckInSlot(slot).label}"
    changes = audit.BulkChanges(actor=actor, time=now)
    result = Recorded()
    fresh: list[tuple[object, ...]] = []
    corrected: list[CheckIn] = []
    for row, item in reports:
        fever = is_fever(item.temperature, item.symptoms)
        symptoms = list(item.symptoms)
        after = {
            "order": str(row.id),
            "person": str(row.person_id),
            "day": day.isoformat(),
            "slot": slot,
            "temperature": None if item.temperature is None else str(item.temperature),
            "symptoms": symptoms,
            "fever": fever,
            "channel": channel,
        }
        known = existing.get(row.id)
        if known is None:
            check_in = CheckIn(
                id=uuid.uuid4(),
                order_id=row.id,
                person_id=row.person_id,
                region_path=row.check_in_path,
                temperature=item.temperature,
                symptoms=symptoms,
                fever=fever,
                **shared,
            )
            fresh.append(tuple(getattr(check_in, name) for name in NEW_COLUMNS))
            before = None
        else:
            check_in = known
            before = audit.snapshot(check_in, AUDIT_FIELDS)
            was_fever = check_in.fever
            check_in.temperature, check_in.symptoms, check_in.fever = (
                item.temperature,
                symptoms,
                fever,
            )
            for name, value in shared.items():
                setattr(check_in, name, value)
            # A new fever is a new alert, even if an earlier one of this slot was handled.
            if fever and not was_fever:
                check_in.alert_handled_at = None
                check_in.alert_handled_by = None
            corrected.append(check_in)
        changes.add(
            object_type=label,
            object_id=check_in.pk,
            object_repr=repr_,
            region_path=check_in.region_path,
            action=ObjectChange.CREATE if before is None else ObjectChange.UPDATE,
            before=before,
            after=after,
        )
        result.check_ins.append(check_in)
        if fever:
            result.fevers.append(check_in)
    with transaction.atomic():
        writer = TableWriter(
            CheckIn, NEW_COLUMNS, shared | {"alert_handled_at": None, "alert_handled_by_id": None}
        )
        for start in range(0, len(fresh), CHUNK):
            writer.write(fresh[start : start + CHUNK])
        if corrected:
            CheckIn.objects.bulk_update(
                corrected,
                [
                    "temperature",
                    "symptoms",
                    "fever",
                    *(name.removesuffix("_id") for name in shared),
                    "alert_handled_at",
                    "alert_handled_by",
                ],
                batch_size=CHUNK,
            )
        changes.flush()
        _refer(actor=user, fevers=result.fevers, now=now)
    result.created, result.corrected = len(fresh), len(corrected)
    return result


def _persons(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Person]:
    wanted = list(set(ids))
    found: dict[uuid.UUID, Person] = {}
    for start in range(0, len(wanted), CHUNK):
        for person in Person.objects.filter(pk__in=wanted[start : start + CHUNK]).only(
            "id", "name", "region_path", "household_id"
        ):
            found[person.pk] = person
    return found


def _refer(*, actor, fevers: list[CheckIn], now: datetime.datetime) -> int:
    """A fever-clinic referral per feverish check-in, however often the slot is corrected."""
    if not fevers:
        return 0
    persons = _persons(check_in.person_id for check_in in fevers)
    items = [
        TaskInput(
            kind=TaskKind.FEVER_REFERRAL,
            due_at=now + REFERRAL_WITHIN,
            person=persons[check_in.person_id],
            title=_("隔离人员发热或有症状，请转诊发热门诊"),
            source_ref=f"fever:{check_in.pk.hex}",
        )
        for check_in in fevers
    ]
    return create_tasks(actor=actor, source=SOURCE, items=items, authorised=True)


# Fever alerts


def open_alerts(user) -> QuerySet[CheckIn]:
    return CheckIn.objects.restrict(user).filter(fever=True, alert_handled_at__isnull=True)


def handle_alert(*, actor, check_in: CheckIn, now: datetime.datetime | None = None) -> CheckIn:
    """An officer of the place has acted on a fever (called, referred, transferred)."""
    require(
        actor,
        ORDER,
        ADD,
        check_in.region_path,
        message=_("只有管辖该隔离人员的干部可以处理发热预警。"),
    )
    if not check_in.fever or check_in.alert_handled_at is not None:
        raise ValidationError({"check_in": [_("该预警已处理，或不是发热预警。")]})
    now = now or timezone.now()
    before = {"alert_handled_at": None, "alert_handled_by": None}
    with transaction.atomic():
        changed = CheckIn.objects.filter(
            pk=check_in.pk, fever=True, alert_handled_at__isnull=True
        ).update(alert_handled_at=now, alert_handled_by=actor)
        if not changed:
            raise ValidationError({"check_in": [_("该预警已处理，或不是发热预警。")]})
        check_in.alert_handled_at, check_in.alert_handled_by = now, actor
        audit.record_updated(
            actor=actor,
            obj=check_in,
            before=before,
            after=audit.snapshot(check_in, ["alert_handled_at", "alert_handled_by"]),
        )
    return check_in


# Who is due, who missed


def _slot_reported(day: datetime.date, slot: int) -> Exists:
    return Exists(CheckIn.objects.filter(order=OuterRef("pk"), day=day, slot=slot))


def due(orders: QuerySet[Order], day: datetime.date, slot: int) -> QuerySet[Order]:
    """The orders among `orders` with no check-in for the slot yet."""
    return orders.exclude(_slot_reported(day, slot))


def missed(
    orders: QuerySet[Order], day: datetime.date, now: datetime.datetime | None = None
) -> QuerySet[Order]:
    """Running orders with a slot of `day` unreported, once the day's missed hour has passed:
    each slot counts for orders started before it opened."""
    cutoff = missed_after(day)
    if (now or timezone.now()) < cutoff:
        return orders.none()
    condition = Q()
    for slot in CheckInSlot.values:
        condition |= Q(~_slot_reported(day, slot), started_at__lt=slot_opens(day, slot))
    return orders.filter(state__in=RUNNING_STATES, started_at__lt=cutoff).filter(condition)


def create_missed_tasks(
    *, day: datetime.date | None = None, now: datetime.datetime | None = None
) -> int:
    """Follow-up visits for the people who missed a check-in of `day` (today by default); a
    person gets one task a day however often this runs. Answers how many are new."""
    now = now or timezone.now()
    day = day or timezone.localtime(now).date()
    person_ids = list(missed(Order.objects.all(), day, now).values_list("person_id", flat=True))
    persons = _persons(person_ids)
    due_at = max(missed_after(day), now) + VISIT_WITHIN
    items = [
        TaskInput(
            kind=TaskKind.FOLLOW_UP_VISIT,
            due_at=due_at,
            person=persons[person_id],
            title=_("隔离人员未按时健康打卡，请上门或电话随访"),
            source_ref=f"missed:{person_id.hex}:{day.isoformat()}",
        )
        for person_id in person_ids
    ]
    created = 0
    for start in range(0, len(items), CHUNK):
        created += create_tasks(
            actor=None, source=SOURCE, items=items[start : start + CHUNK], authorised=True
        )
    return created


# Tests on the order's days


def due_a_test(orders: QuerySet[Order], day: datetime.date) -> list[Order]:
    """The orders among `orders` whose test day `day` is, read in one pass."""
    candidates = (
        orders.filter(state__in=RUNNING_STATES)
        .exclude(test_days=[])
        .select_related("person", "room")
    )
    return [order for order in candidates.order_by("room__number", "id") if is_test_day(order, day)]


def results_in(person_ids: Iterable[uuid.UUID], day: datetime.date) -> set[uuid.UUID]:
    """Whose test result of `day` has arrived through the screening and health results."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    wanted = list(person_ids)
    found: set[uuid.UUID] = set()
    for index in range(0, len(wanted), CHUNK):
        found.update(
            Fact.objects.filter(
                person_id__in=wanted[index : index + CHUNK],
                kind=FactKind.TEST_RESULT,
                occurred_at__gte=start,
                occurred_at__lt=start + datetime.timedelta(days=1),
            ).values_list("person_id", flat=True)
        )
    return found


def create_test_tasks(*, day: datetime.date | None = None) -> int:
    """Home-sampling tasks for the home-isolated whose test day `day` is (today by default);
    one per order and day however often this runs."""
    day = day or timezone.localdate()
    orders = due_a_test(Order.objects.filter(site__isnull=True), day)
    due_at = max(
        timezone.make_aware(datetime.datetime.combine(day, datetime.time(TEST_BY_HOUR))),
        timezone.now() + REFERRAL_WITHIN,
    )
    items = [
        TaskInput(
            kind=TaskKind.HOME_SAMPLING,
            due_at=due_at,
            person=order.person,
            title=_("隔离期核酸检测（第 %(n)d 天）") % {"n": day_of_order(order.started_at, day)},
            source_ref=f"test:{order.pk.hex}:{day.isoformat()}",
        )
        for order in orders
        if order.started_at is not None
    ]
    created = 0
    for start in range(0, len(items), CHUNK):
        created += create_tasks(
            actor=None, source=SOURCE, items=items[start : start + CHUNK], authorised=True
        )
    return created


def daily_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """What the periodic job does: today's test tasks, and the missed check-ins of yesterday
    (should the job not have run after its missed hour) and today."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    return {
        "tests": create_test_tasks(day=today),
        "missed": create_missed_tasks(day=today - datetime.timedelta(days=1), now=now)
        + create_missed_tasks(day=today, now=now),
    }

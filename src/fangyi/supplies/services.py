"""The only code that changes supplies: check permission, validate, write, audit.

Keyword-only functions, as in every area. Staff (SUPPLY_REQUEST add) make requests on a
household's behalf; residents make them on the portal for themselves or someone in their
confirmed care (`submit_for_resident`, checked against the portal's guardianships). Every
change of state is a RequestEvent and an audit row, made under a row lock, so that two people
acting on the same request at once cannot both deliver it or deliver a cancelled one.
"""

import dataclasses
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.permissions import ADD, CHANGE, EVERYWHERE, VIEW, require, scope_paths
from fangyi.people.models import Household, Person
from fangyi.portal.services import as_resident, looks_after
from fangyi.regions.models import PATH_LENGTHS, Level, Region, ancestor_paths

from . import signals
from .area import CATALOGUE, SUPPLY_REQUEST
from .models import (
    DEFAULT_LIMIT_HOURS,
    HELP_KINDS,
    OPEN_STATES,
    CatalogueItem,
    Channel,
    Confirmation,
    ItemKind,
    KindLimit,
    Payment,
    Prescription,
    Request,
    RequestEvent,
    RequestItem,
    RequestKind,
    RequestState,
    Urgency,
)

# The special-needs tags that make a household a priority, with how they are named.
PRIORITY_TAGS = (
    ("on_dialysis", "dialysis"),
    ("is_pregnant", "pregnant"),
    ("is_infant", "infant"),
    ("is_bedridden", "bedridden"),
)
# Where a request may go from each state; delivered and cancelled are the ends.
TRANSITIONS: dict[str, frozenset[str]] = {
    RequestState.SUBMITTED: frozenset({RequestState.ACCEPTED, RequestState.CANCELLED}),
    # Goods in stock and help need no sourcing.
    RequestState.ACCEPTED: frozenset(
        {RequestState.SOURCING, RequestState.OUT_FOR_DELIVERY, RequestState.CANCELLED}
    ),
    RequestState.SOURCING: frozenset({RequestState.OUT_FOR_DELIVERY, RequestState.CANCELLED}),
    RequestState.OUT_FOR_DELIVERY: frozenset({RequestState.DELIVERED, RequestState.CANCELLED}),
    RequestState.DELIVERED: frozenset(),
    RequestState.CANCELLED: frozenset(),
}
# A free-text line above this asks for confirmation, as a catalogue item above its own maximum.
FREE_TEXT_USUAL_MAX = 10
MAX_QUANTITY = 9999
COMMUNITY_PATH = PATH_LENGTHS[Level.COMMUNITY]
CITY_PATH = PATH_LENGTHS[Level.CITY]
MAX_ITEMS = 30
MAX_NOTE = 200
MAX_NOTES = 1000
MAX_AMOUNT = Decimal("99999999.99")
PRESCRIPTION_MAX_BYTES = 5 * 1024 * 1024
# Image types by their first bytes: what the upload is, whatever it claims to be.
IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
REQUEST_FIELDS = [
    "kind",
    "household",
    "person",
    "urgency",
    "priority",
    "channel",
    "state",
    "due_at",
    "amount",
    "payment",
]
CATALOGUE_FIELDS = ["kind", "name", "unit", "price", "usual_max", "active"]


# Limits and priority


def limit_of(kind: str) -> datetime.timedelta:
    """The kind's time limit: an officer's setting, or the default."""
    minutes = KindLimit.objects.filter(kind=kind).values_list("minutes", flat=True).first()
    if minutes is None:
        return datetime.timedelta(hours=DEFAULT_LIMIT_HOURS[RequestKind(kind)])
    return datetime.timedelta(minutes=minutes)


def limits() -> dict[str, datetime.timedelta]:
    return {kind: limit_of(kind) for kind in RequestKind.values}


def set_limit(*, actor, kind: str, minutes: int) -> KindLimit:
    """Sets a kind's limit for requests made from now on (city-wide: officers of a city up)."""
    # The limits hold for every request of the deployment: set from a city's level up.
    paths = scope_paths(actor, CATALOGUE, CHANGE)
    if paths is not EVERYWHERE and not any(len(path) <= CITY_PATH for path in paths):
        raise PermissionDenied(_("只有市级及以上的管理人员可以设置办理时限。"))
    if kind not in RequestKind.values:
        raise ValidationError({"kind": _("没有这种需求类型。")})
    if not 1 <= minutes <= 7 * 24 * 60:
        raise ValidationError({"minutes": _("时限应在 1 分钟到 7 天之间。")})
    with transaction.atomic():
        row = KindLimit.objects.select_for_update().filter(kind=kind).first()
        before = {"minutes": row.minutes} if row else None
        if row is None:
            row = KindLimit.objects.create(kind=kind, minutes=minutes)
        else:
            row.minutes = minutes
            row.save(update_fields=["minutes", "updated_at"])
        audit.record_change(
            actor=actor,
            action="update" if before else "create",
            obj=row,
            before=before,
            after={"minutes": minutes},
            region_path="",
        )
    return row


def priority_tags(household: Household) -> list[str]:
    """The priority tags any member of the household carries, in a fixed order."""
    members = Person.objects.filter(household=household)
    found = []
    for field, slug in PRIORITY_TAGS:
        if members.filter(**{field: True}).exists():
            found.append(slug)
    return found


# The catalogue


def catalogue_for(path: str):
    """Active items offered to a household at `path`: those of its region and every region
    above it."""
    return CatalogueItem.objects.filter(region_path__in=ancestor_paths(path), active=True).order_by(
        "kind", "name", "id"
    )


def visible_catalogue(user):
    """Items the user may see: those entered in their regions, and those offered to them from
    the regions above (a grid team sees its community's and its city's items)."""
    paths = scope_paths(user, CATALOGUE, VIEW)
    if paths is EVERYWHERE:
        return CatalogueItem.objects.all()
    above = {ancestor for path in paths for ancestor in ancestor_paths(path)}
    return CatalogueItem.objects.filter(
        Q(pk__in=CatalogueItem.objects.restrict(user, VIEW).values("pk")) | Q(region_path__in=above)
    )


def _check_item_values(values: dict) -> None:
    errors = {}
    if values.get("kind") not in ItemKind.values:
        errors["kind"] = _("请选择套餐或商品。")
    name = (values.get("name") or "").strip()
    if not name or len(name) > 100:
        errors["name"] = _("请填写名称（最多 100 个字）。")
    unit = (values.get("unit") or "").strip()
    if not unit or len(unit) > 20:
        errors["unit"] = _("请填写单位（最多 20 个字）。")
    price = values.get("price")
    if not isinstance(price, Decimal) or not price.is_finite() or not 0 <= price <= MAX_AMOUNT:
        errors["price"] = _("单价应为不小于 0 的金额。")
    elif price != price.quantize(Decimal("0.01")):
        errors["price"] = _("单价最多两位小数。")
    usual_max = values.get("usual_max")
    if not isinstance(usual_max, int) or not 1 <= usual_max <= MAX_QUANTITY:
        errors["usual_max"] = _("常规最大数量应在 1 到 %(max)d 之间。") % {"max": MAX_QUANTITY}
    if errors:
        raise ValidationError(errors)
    values["name"], values["unit"] = name, unit


def add_item(
    *,
    actor,
    region: Region,
    kind: str,
    name: str,
    unit: str,
    price: Decimal,
    usual_max: int = 5,
    active: bool = True,
) -> CatalogueItem:
    require(actor, CATALOGUE, ADD, region.path)
    values = {"kind": kind, "name": name, "unit": unit, "price": price, "usual_max": usual_max}
    _check_item_values(values)
    if CatalogueItem.objects.filter(region=region, name=values["name"]).exists():
        raise ValidationError({"name": _("本区域的目录里已有同名物资。")})
    with transaction.atomic():
        item = CatalogueItem.objects.create(
            region=region, region_path=region.path, active=active, **values
        )
        audit.record_created(actor=actor, obj=item, fields=CATALOGUE_FIELDS)
    return item


def update_item(*, actor, item: CatalogueItem, **changes) -> CatalogueItem:
    require(actor, CATALOGUE, CHANGE, item.region_path)
    unknown = set(changes) - set(CATALOGUE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("不能修改此项。")})
    values = {field: getattr(item, field) for field in CATALOGUE_FIELDS} | changes
    _check_item_values(values)
    if (
        CatalogueItem.objects.filter(region_id=item.region_id, name=values["name"])
        .exclude(pk=item.pk)
        .exists()
    ):
        raise ValidationError({"name": _("本区域的目录里已有同名物资。")})
    with transaction.atomic():
        before = audit.snapshot(item, CATALOGUE_FIELDS)
        for field, value in values.items():
            setattr(item, field, value)
        item.active = bool(values["active"])
        item.save()
        audit.record_updated(
            actor=actor, obj=item, before=before, after=audit.snapshot(item, CATALOGUE_FIELDS)
        )
    return item


# Making a request


@dataclass(frozen=True)
class ItemInput:
    """A line as asked: a catalogue item, or a name typed (a drug, a good not listed)."""

    quantity: int
    catalogue_item: CatalogueItem | None = None
    name: str = ""
    unit: str = ""
    dose: str = ""


@dataclass(frozen=True)
class Photo:
    data: bytes


def _image_type(data: bytes) -> str | None:
    for signature, content_type in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _check_photo(photo: Photo | None, kind: str) -> str | None:
    if photo is None:
        return None
    if kind != RequestKind.MEDICINE:
        raise ValidationError({"prescription": _("只有药品需求可以上传处方。")})
    if len(photo.data) > PRESCRIPTION_MAX_BYTES:
        raise ValidationError({"prescription": _("处方照片不能超过 5 MB。")})
    content_type = _image_type(photo.data)
    if content_type is None:
        raise ValidationError({"prescription": _("处方照片应为 JPEG、PNG 或 WebP 图片。")})
    return content_type


def _check_lines(
    items: Sequence[ItemInput], *, kind: str, path: str, confirmed: bool
) -> list[RequestItem]:
    if kind in HELP_KINDS:
        if items:
            raise ValidationError({"items": _("生活帮助类需求不需要填写物资，请在备注里说明。")})
        return []
    if not items:
        raise ValidationError({"items": _("请至少填写一项物资。")})
    if len(items) > MAX_ITEMS:
        raise ValidationError({"items": _("一次最多 %(max)d 项。") % {"max": MAX_ITEMS}})
    offered = None
    lines = []
    above = []
    for index, item in enumerate(items):
        field = f"items.{index}"
        if not isinstance(item.quantity, int) or not 1 <= item.quantity <= MAX_QUANTITY:
            raise ValidationError(
                {f"{field}.quantity": _("数量应在 1 到 %(max)d 之间。") % {"max": MAX_QUANTITY}}
            )
        dose = (item.dose or "").strip()
        if len(dose) > 100:
            raise ValidationError({f"{field}.dose": _("用法用量最多 100 个字。")})
        if item.catalogue_item is not None:
            if kind == RequestKind.MEDICINE:
                raise ValidationError({f"{field}.name": _("药品请填写药名，不从物资目录选择。")})
            if offered is None:
                offered = set(catalogue_for(path).values_list("pk", flat=True))
            listed = item.catalogue_item
            if listed.pk not in offered:
                raise ValidationError({f"{field}.catalogue_item": _("该物资目前不供应本户。")})
            line = RequestItem(
                catalogue_item=listed,
                name=listed.name,
                unit=listed.unit,
                quantity=item.quantity,
                unit_price=listed.price,
            )
        else:
            name = (item.name or "").strip()
            if not name or len(name) > 100:
                raise ValidationError({f"{field}.name": _("请填写名称（最多 100 个字）。")})
            unit = (item.unit or "").strip()
            if len(unit) > 20:
                raise ValidationError({f"{field}.unit": _("单位最多 20 个字。")})
            if kind == RequestKind.MEDICINE and not dose:
                raise ValidationError({f"{field}.dose": _("请填写用法用量。")})
            line = RequestItem(name=name, unit=unit, quantity=item.quantity, dose=dose)
        if _above_usual(line):
            above.append(f"{line.name} × {item.quantity}")
        lines.append(line)
    if above and not confirmed:
        raise ValidationError(
            {
                "confirmed": _("数量远超常规，请确认后再提交：%(items)s。")
                % {"items": "、".join(above)}
            }
        )
    return lines


def _above_usual(line: RequestItem) -> bool:
    usual = line.catalogue_item.usual_max if line.catalogue_item else FREE_TEXT_USUAL_MAX
    return line.quantity > usual


def _amount(lines: list[RequestItem], entered: Decimal | None) -> Decimal:
    if entered is not None:
        if not isinstance(entered, Decimal) or not entered.is_finite():
            raise ValidationError({"amount": _("金额无效。")})
        if not 0 <= entered <= MAX_AMOUNT or entered != entered.quantize(Decimal("0.01")):
            raise ValidationError({"amount": _("金额应为不小于 0、最多两位小数的数。")})
        return entered
    return sum((line.line_amount or Decimal("0") for line in lines), Decimal("0.00"))


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError({field: _("最多 %(max)d 个字。") % {"max": limit}})
    return value


@dataclass(frozen=True)
class Draft:
    """What a request asks for, before it is checked."""

    kind: str
    items: Sequence[ItemInput] = ()
    person: Person | None = None
    urgency: str = Urgency.NORMAL
    notes: str = ""
    chronic_condition: str = ""
    confirmed: bool = False
    prescription: Photo | None = None
    amount: Decimal | None = None
    payment: str = Payment.TO_PAY


def _create(
    *,
    actor,
    household: Household,
    draft: Draft,
    channel: str,
    made_by_person: Person | None,
    hotline_ticket: str,
    now: datetime.datetime,
) -> Request:
    if draft.kind not in RequestKind.values:
        raise ValidationError({"kind": _("请选择需求类型。")})
    if draft.urgency not in Urgency.values:
        raise ValidationError({"urgency": _("请选择紧急程度。")})
    if draft.payment not in Payment.values:
        raise ValidationError({"payment": _("请选择支付状态。")})
    if draft.person is not None and draft.person.household_id != household.pk:
        raise ValidationError({"person": _("需求人不是本户成员。")})
    notes = _text(draft.notes, "notes", MAX_NOTES)
    if draft.kind in HELP_KINDS and not notes:
        raise ValidationError({"notes": _("请在备注里说明需要什么帮助。")})
    condition = _text(draft.chronic_condition, "chronic_condition", 100)
    if draft.kind == RequestKind.MEDICINE and not condition:
        raise ValidationError({"chronic_condition": _("请填写所患慢性病。")})
    if draft.kind != RequestKind.MEDICINE and condition:
        raise ValidationError({"chronic_condition": _("只有药品需求填写慢性病。")})
    content_type = _check_photo(draft.prescription, draft.kind)
    lines = _check_lines(
        draft.items, kind=draft.kind, path=household.region_path, confirmed=draft.confirmed
    )
    amount = _amount(lines, draft.amount)
    tags = priority_tags(household)
    who = audit.actor_fields(actor)
    with transaction.atomic():
        request = Request.objects.create(
            household=household,
            person=draft.person,
            region_path=household.region_path,
            kind=draft.kind,
            urgency=draft.urgency,
            notes=notes,
            priority=bool(tags),
            priority_tags=tags,
            chronic_condition=condition,
            channel=channel,
            made_by_person=made_by_person,
            made_by=who["actor"],
            made_by_name=who["actor_name"] if made_by_person is None else "",
            hotline_ticket=hotline_ticket,
            quantity_confirmed=draft.confirmed and any(map(_above_usual, lines)),
            state=RequestState.SUBMITTED,
            state_changed_at=now,
            submitted_at=now,
            due_at=now + limit_of(draft.kind),
            amount=amount,
            amount_entered=draft.amount is not None,
            payment=draft.payment,
        )
        for line in lines:
            line.request = request
        RequestItem.objects.bulk_create(lines)
        if content_type is not None and draft.prescription is not None:
            Prescription.objects.create(
                request=request, content_type=content_type, data=draft.prescription.data
            )
        RequestEvent.objects.create(
            request=request,
            to_state=RequestState.SUBMITTED,
            at=now,
            actor=who["actor"],
            actor_name=who["actor_name"],
        )
        after = audit.snapshot(request, REQUEST_FIELDS)
        # Not "items": audit pages label a key by the model field of that name.
        after["lines"] = [str(line) for line in lines]
        audit.record_change(
            actor=actor,
            action="create",
            obj=request,
            before=None,
            after=after,
            region_path=request.region_path,
        )
    return request


def submit(
    *,
    actor,
    household: Household,
    draft: Draft,
    hotline_ticket: str = "",
    now: datetime.datetime | None = None,
) -> Request:
    """Staff make a request on a household's behalf: a grid worker's, or a hotline ticket's."""
    require(actor, SUPPLY_REQUEST, ADD, household.region_path)
    ticket = _text(hotline_ticket, "hotline_ticket", 40)
    channel = Channel.HOTLINE if ticket else Channel.GRID_WORKER
    return _create(
        actor=actor,
        household=household,
        draft=draft,
        channel=channel,
        made_by_person=None,
        hotline_ticket=ticket,
        now=now or timezone.now(),
    )


def submit_for_resident(
    *, holder: Person, draft: Draft, now: datetime.datetime | None = None
) -> Request:
    """A resident asks on the portal, for their own household or, naming them in
    `draft.person`, for someone in their confirmed care (whose household it is then)."""
    person = draft.person or holder
    if person.pk != holder.pk and not looks_after(holder.pk, person.pk):
        raise PermissionDenied(_("只能为本人或已确认的被照顾人提交需求。"))
    household = person.household
    with as_resident():
        return _create(
            actor=None,
            household=household,
            draft=dataclasses.replace(draft, person=person),
            channel=Channel.PORTAL,
            made_by_person=holder,
            hotline_ticket="",
            now=now or timezone.now(),
        )


# Changes of state


@dataclass(frozen=True)
class Delivery:
    """How a delivery was confirmed: the resident's code scanned at the door (`code`), a note,
    or left at the door without contact at a time (`left_at`)."""

    confirmation: str
    code: str = ""
    note: str = ""
    left_at: datetime.datetime | None = None


def _check_code(text: str, request: Request) -> str:
    from fangyi.codes.models import CodeSubject
    from fangyi.codes.services import verify_here

    verification = verify_here(text.strip())
    if not verification.valid or not verification.claims:
        raise ValidationError({"code": _("居民码无效或已过期，请让居民刷新后再扫。")})
    subject = verification.claims.get("sub")
    member = (
        CodeSubject.objects.filter(sub=subject, person__household_id=request.household_id)
        .values_list("person_id", flat=True)
        .first()
    )
    if member is None:
        raise ValidationError({"code": _("扫到的不是本户居民的码。")})
    return _("已扫本户居民码")


def _check_delivery(delivery: Delivery | None, request: Request, now) -> dict:
    if delivery is None or delivery.confirmation not in Confirmation.values:
        raise ValidationError({"confirmation": _("请选择送达确认方式。")})
    note = _text(delivery.note, "note", MAX_NOTE)
    fields: dict[str, object] = {"confirmation": delivery.confirmation, "left_at": None}
    if delivery.confirmation == Confirmation.CODE:
        if not delivery.code:
            raise ValidationError({"code": _("请扫描居民的码。")})
        scanned = _check_code(delivery.code, request)
        note = note or scanned
    elif delivery.confirmation == Confirmation.NOTE:
        if not note:
            raise ValidationError({"note": _("请写明签收情况。")})
    else:
        left_at = delivery.left_at
        if left_at is None:
            raise ValidationError({"left_at": _("请填写放置时间。")})
        if timezone.is_naive(left_at):
            left_at = timezone.make_aware(left_at)
        if left_at > now or left_at < request.submitted_at:
            raise ValidationError({"left_at": _("放置时间应在提交之后、现在之前。")})
        fields["left_at"] = left_at
    fields["confirmation_note"] = note
    return fields


def transition(
    *,
    actor,
    request: Request,
    to_state: str,
    reason: str = "",
    delivery: Delivery | None = None,
    now: datetime.datetime | None = None,
    authorised: bool = False,
) -> Request:
    """Moves a request one step on; the state is re-read under a lock, so of two people
    delivering (or cancelling) it at once, the second is refused.

    `authorised=True`: the calling area has checked its own caller (the daily cycle, for the
    volunteer who works the delivery task of the request)."""
    if not authorised:
        require(actor, SUPPLY_REQUEST, CHANGE, request.region_path)
    if to_state not in RequestState.values:
        raise ValidationError({"to_state": _("没有这个状态。")})
    now = now or timezone.now()
    reason = _text(reason, "reason", MAX_NOTE)
    if to_state == RequestState.CANCELLED and not reason:
        raise ValidationError({"reason": _("取消需求请写明原因。")})
    with transaction.atomic():
        locked = Request.objects.select_for_update().get(pk=request.pk)
        _check_move(locked, to_state)
        extra = {}
        if to_state == RequestState.DELIVERED:
            extra = _check_delivery(delivery, locked, now)
            extra["delivered_at"] = now
        if to_state == RequestState.CANCELLED:
            extra["cancel_reason"] = reason
        return _move(
            actor,
            locked,
            to_state,
            now,
            note=reason or extra.get("confirmation_note", ""),
            extra=extra,
        )


def _check_move(request: Request, to_state: str) -> None:
    if request.state == RequestState.DELIVERED and to_state == RequestState.DELIVERED:
        raise ValidationError({"to_state": _("该需求已送达，不能重复送达。")})
    if to_state not in TRANSITIONS[request.state]:
        raise ValidationError(
            {
                "to_state": _("需求当前为“%(state)s”，不能改为“%(to)s”。")
                % {
                    "state": request.get_state_display(),
                    "to": RequestState(to_state).label,
                }
            }
        )


def _move(actor, request: Request, to_state: str, now, *, note: str, extra: dict) -> Request:
    before = audit.snapshot(request, ["state", *extra])
    who = audit.actor_fields(actor)
    from_state = request.state
    request.state = to_state
    request.state_changed_at = now
    for field, value in extra.items():
        setattr(request, field, value)
    request.save(update_fields=["state", "state_changed_at", "updated_at", *extra])
    RequestEvent.objects.create(
        request=request,
        from_state=from_state,
        to_state=to_state,
        at=now,
        actor=who["actor"],
        actor_name=who["actor_name"],
        note=note,
    )
    audit.record_updated(
        actor=actor,
        obj=request,
        before=before,
        after=audit.snapshot(request, ["state", *extra]),
    )
    if to_state in (RequestState.DELIVERED, RequestState.CANCELLED):
        signals.announce_finished(
            request_id=request.pk,
            kind=request.kind,
            state=to_state,
            hotline_ticket=request.hotline_ticket,
            note=note,
        )
    return request


def cancel_own(
    *, holder: Person, request: Request, reason: str, now: datetime.datetime | None = None
) -> Request:
    """A resident withdraws a request they made, while nobody has taken it up yet."""
    if request.made_by_person_id != holder.pk:
        raise PermissionDenied(_("只能取消自己提交的需求。"))
    reason = _text(reason, "reason", MAX_NOTE)
    if not reason:
        raise ValidationError({"reason": _("取消需求请写明原因。")})
    now = now or timezone.now()
    with transaction.atomic(), as_resident():
        locked = Request.objects.select_for_update().get(pk=request.pk)
        if locked.state != RequestState.SUBMITTED:
            raise ValidationError({"to_state": _("需求已受理，请联系网格员取消。")})
        return _move(
            None, locked, RequestState.CANCELLED, now, note=reason, extra={"cancel_reason": reason}
        )


# Costs


def set_cost(*, actor, request: Request, payment: str, amount: Decimal | None = None) -> Request:
    """Records how a request is paid for, and an amount entered by hand (None keeps it)."""
    require(actor, SUPPLY_REQUEST, CHANGE, request.region_path)
    if payment not in Payment.values:
        raise ValidationError({"payment": _("请选择支付状态。")})
    if amount is not None:
        amount = _amount([], amount)
    with transaction.atomic():
        locked = Request.objects.select_for_update().get(pk=request.pk)
        if locked.state == RequestState.CANCELLED:
            raise ValidationError({"payment": _("已取消的需求不计费用。")})
        fields = ["payment", "amount", "amount_entered"]
        before = audit.snapshot(locked, fields)
        locked.payment = payment
        if amount is not None:
            locked.amount = amount
            locked.amount_entered = True
        locked.save(update_fields=[*fields, "updated_at"])
        audit.record_updated(
            actor=actor, obj=locked, before=before, after=audit.snapshot(locked, fields)
        )
    return locked


def open_requests(user, action: str = "view"):
    return Request.objects.restrict(user, action).filter(state__in=OPEN_STATES)


# Totals


@dataclass(frozen=True)
class DayTotal:
    community: str
    community_name: str
    day: datetime.date
    requests: int
    amount: Decimal
    paid: Decimal
    to_pay: Decimal
    subsidised: Decimal


MAX_TOTAL_DAYS = 366


def _cents(value) -> Decimal:
    # SQLite sums decimals without their scale.
    return Decimal(value).quantize(Decimal("0.01"))


def daily_totals(
    user, *, since: datetime.date, until: datetime.date, within: str = "", action: str = "view"
) -> list[DayTotal]:
    """The cost of the requests made each day in each community, by how they are paid, over
    the days `since`..`until` inclusive; cancelled requests cost nothing."""
    if until < since:
        raise ValidationError({"until": _("结束日期不能早于开始日期。")})
    if (until - since).days >= MAX_TOTAL_DAYS:
        raise ValidationError({"until": _("一次最多统计 %(max)d 天。") % {"max": MAX_TOTAL_DAYS}})
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, zone)

    def paid_as(payment: str):
        return Coalesce(Sum("amount", filter=Q(payment=payment)), Decimal("0.00"))

    rows = (
        Request.objects.restrict(user, action, within=within)
        .filter(submitted_at__gte=start, submitted_at__lt=end)
        .exclude(state=RequestState.CANCELLED)
        .annotate(community=Substr("region_path", 1, COMMUNITY_PATH), day=TruncDate("submitted_at"))
        .values("community", "day")
        .annotate(
            requests=Count("id"),
            total=Coalesce(Sum("amount"), Decimal("0.00")),
            paid=paid_as(Payment.PAID),
            to_pay=paid_as(Payment.TO_PAY),
            subsidised=paid_as(Payment.SUBSIDISED),
        )
        .order_by("day", "community")
    )
    found = list(rows)
    names = dict(
        Region.objects.filter(path__in={row["community"] for row in found}).values_list(
            "path", "name"
        )
    )
    return [
        DayTotal(
            community=row["community"],
            community_name=names.get(row["community"], row["community"]),
            day=row["day"],
            requests=row["requests"],
            amount=_cents(row["total"]),
            paid=_cents(row["paid"]),
            to_pay=_cents(row["to_pay"]),
            subsidised=_cents(row["subsidised"]),
        )
        for row in found
    ]


def has_prescription(request: Request) -> bool:
    return Prescription.objects.filter(request_id=request.pk).exists()


def prescription_of(request: Request) -> Prescription | None:
    """The photo, for someone the caller has already checked may see the request."""
    return Prescription.objects.filter(request_id=request.pk).first()


def resident_requests(holder_id):
    """Requests the resident made, or made by anyone for their household."""
    household = Person.objects.filter(pk=holder_id).values_list("household_id", flat=True)
    return Request.objects.filter(Q(made_by_person_id=holder_id) | Q(household_id__in=household))

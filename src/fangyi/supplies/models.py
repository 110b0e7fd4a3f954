"""Supplies: the catalogue an officer keeps, households' requests with their items, every change
of a request's state, the time limit of each kind of request, and prescription photos.

A request belongs to a household (and to one of its members when it is for a named person);
its scope is the household's building path, copied at creation. Its clock runs from
`submitted_at` to `due_at`, which is fixed when it is made from the kind's limit then in force.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core.querysets import RestrictedQuerySet

from .area import CATALOGUE, SUPPLY_REQUEST


class ItemKind(models.TextChoices):
    PACKAGE = "package", _("套餐")
    GOODS = "goods", _("商品")


class CatalogueItem(models.Model):
    """A package (蔬菜包) or a good that households may ask for, priced per unit.

    An item belongs to the region it was entered for (a city, a district, a community) and is
    offered to every household below it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    kind = models.CharField(_("类别"), max_length=8, choices=ItemKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    unit = models.CharField(_("单位"), max_length=20)
    price = models.DecimalField(
        _("单价"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    # A request for more than this asks its maker to confirm the quantity.
    usual_max = models.PositiveIntegerField(
        _("常规最大数量"), default=5, validators=[MinValueValidator(1)]
    )
    active = models.BooleanField(_("在售"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = CATALOGUE
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("物资目录")
        verbose_name_plural = _("物资目录")
        indexes = [models.Index(fields=["region_path", "kind", "name"], name="catalogue_region")]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="catalogue_unique_name"),
            models.CheckConstraint(condition=Q(price__gte=0), name="catalogue_price_positive"),
            models.CheckConstraint(condition=Q(usual_max__gte=1), name="catalogue_usual_max"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class RequestKind(models.TextChoices):
    PACKAGE = "package", _("食品/蔬菜包")
    GOODS = "goods", _("指定商品")
    MEDICINE = "medicine", _("药品")
    HOSPITAL_TRIP = "hospital_trip", _("就医出行")
    REPAIR = "repair", _("维修（如供暖）")
    ERRAND = "errand", _("其他生活帮助")


# Kinds that are help rather than goods: no items, the notes say what is needed.
HELP_KINDS = (RequestKind.HOSPITAL_TRIP, RequestKind.REPAIR, RequestKind.ERRAND)

# Hours from submission to delivery when no KindLimit row says otherwise.
DEFAULT_LIMIT_HOURS = {
    RequestKind.PACKAGE: 24,
    RequestKind.GOODS: 24,
    RequestKind.MEDICINE: 12,
    RequestKind.HOSPITAL_TRIP: 1,
    RequestKind.REPAIR: 12,
    RequestKind.ERRAND: 24,
}


class KindLimit(models.Model):
    """The time limit of a kind of request, as an officer set it (city-wide)."""

    kind = models.CharField(_("类型"), max_length=16, choices=RequestKind.choices, unique=True)
    minutes = models.PositiveIntegerField(_("时限（分钟）"), validators=[MinValueValidator(1)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=1), name="kind_limit_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.minutes}"


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    SOURCING = "sourcing", _("备货中")
    OUT_FOR_DELIVERY = "out_for_delivery", _("配送中")
    DELIVERED = "delivered", _("已送达")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATES = (
    RequestState.SUBMITTED,
    RequestState.ACCEPTED,
    RequestState.SOURCING,
    RequestState.OUT_FOR_DELIVERY,
)
ENDED_STATES = (RequestState.DELIVERED, RequestState.CANCELLED)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class Channel(models.TextChoices):
    PORTAL = "portal", _("居民自助")
    GRID_WORKER = "grid_worker", _("网格员代报")
    HOTLINE = "hotline", _("热线")
    STAFF = "staff", _("工作人员录入")


class Confirmation(models.TextChoices):
    CODE = "code", _("扫居民码确认")
    NOTE = "note", _("签收说明")
    DOOR = "door", _("无接触放门口")


class Payment(models.TextChoices):
    TO_PAY = "to_pay", _("待支付")
    PAID = "paid", _("已支付")
    SUBSIDISED = "subsidised", _("困难群众补助")


class RequestQuerySet(RestrictedQuerySet["Request"]):
    def open(self):
        return self.filter(state__in=OPEN_STATES)


class Request(models.Model):
    """A household's request for goods, medicine or help, from submission to its end."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(
        "people.Household",
        on_delete=models.PROTECT,
        related_name="supply_requests",
        verbose_name=_("户"),
    )
    # The member it is for, when it is for a named person (a medicine, a hospital trip).
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("需求人"),
    )
    region_path = models.CharField(max_length=18, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=RequestKind.choices)
    urgency = models.CharField(
        _("紧急程度"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    notes = models.TextField(_("备注"), blank=True)
    # A household with a dialysis patient, a pregnant woman, an infant or a bedridden member;
    # `priority_tags` names which, as of submission.
    priority = models.BooleanField(_("优先保障"), default=False)
    priority_tags = models.JSONField(_("优先原因"), default=list, blank=True)
    # Medicines: the chronic condition the drugs are for (each drug is an item with its dose).
    chronic_condition = models.CharField(_("慢性病"), max_length=100, blank=True)
    # Who made it and how: a resident on the portal (for themselves or someone in their care),
    # a staff member (a grid worker on someone's behalf), or a hotline ticket.
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    made_by_person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("提交居民"),
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("录入人"),
    )
    made_by_name = models.CharField(_("提交人"), max_length=150, blank=True)
    hotline_ticket = models.CharField(_("热线工单号"), max_length=40, blank=True)
    # Set when a quantity above an item's usual maximum was confirmed by whoever made it.
    quantity_confirmed = models.BooleanField(_("已确认大数量"), default=False)
    state = models.CharField(
        _("状态"), max_length=16, choices=RequestState.choices, default=RequestState.SUBMITTED
    )
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    due_at = models.DateTimeField(_("办理时限"))
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    # Sent to the grid's volunteers at once instead of waiting for the community's cut-off
    # (urgent medicine, a hospital trip): the batches leave it out.
    dispatched_at = models.DateTimeField(_("立即派送时间"), null=True, blank=True)
    confirmation = models.CharField(
        _("送达确认方式"), max_length=8, choices=Confirmation.choices, blank=True
    )
    confirmation_note = models.CharField(_("送达说明"), max_length=200, blank=True)
    # Contact-free delivery: when the goods were left at the door.
    left_at = models.DateTimeField(_("放置时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    # The cost: the items' sum at their prices, unless an amount was entered (a help kind, or
    # goods bought outside the catalogue).
    amount = models.DecimalField(
        _("金额"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    amount_entered = models.BooleanField(_("金额为手工录入"), default=False)
    payment = models.CharField(
        _("支付状态"), max_length=12, choices=Payment.choices, default=Payment.TO_PAY
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = RequestQuerySet.as_manager()
    permission_resource = SUPPLY_REQUEST
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("物资需求")
        verbose_name_plural = _("物资需求")
        indexes = [
            # Lists of a region's range of paths, newest first or by state.
            models.Index(fields=["region_path", "id"], name="supply_request_scope"),
            models.Index(fields=["state", "region_path", "id"], name="supply_request_state"),
            # The board and the overdue card: open requests by their limit.
            models.Index(
                fields=["due_at", "region_path"],
                condition=Q(state__in=[state.value for state in OPEN_STATES]),
                name="supply_request_open_due",
            ),
            models.Index(fields=["household", "submitted_at"], name="supply_request_household"),
            models.Index(fields=["made_by_person", "submitted_at"], name="supply_request_maker"),
            models.Index(fields=["submitted_at", "region_path"], name="supply_request_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="supply_request_amount"),
            # Nothing ends without its record: how a delivery was confirmed, why a cancel.
            models.CheckConstraint(
                condition=~Q(state=RequestState.DELIVERED)
                | (Q(delivered_at__isnull=False) & ~Q(confirmation="")),
                name="supply_request_delivered_confirmed",
            ),
            models.CheckConstraint(
                condition=~Q(state=RequestState.CANCELLED) | ~Q(cancel_reason=""),
                name="supply_request_cancel_reason",
            ),
        ]

    def __str__(self) -> str:
        # No names: this string lands in audit rows.
        return f"{self.get_kind_display()} {self.submitted_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class RequestItem(models.Model):
    """A line of a request: a catalogue item or free text, with its quantity and price."""

    id = models.BigAutoField(primary_key=True)
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="items", verbose_name=_("物资需求")
    )
    catalogue_item = models.ForeignKey(
        CatalogueItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("目录物资"),
    )
    # Copied from the catalogue item, or typed (a drug's name, a good outside the catalogue).
    name = models.CharField(_("名称"), max_length=100)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    # Medicines: the dose as prescribed (e.g. "每日两次，每次 10 单位").
    dose = models.CharField(_("用法用量"), max_length=100, blank=True)
    # The catalogue price when the request was made; none for free text.
    unit_price = models.DecimalField(
        _("单价"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("需求明细")
        verbose_name_plural = _("需求明细")
        ordering = ["request", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="request_item_quantity")
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"

    @property
    def line_amount(self) -> Decimal | None:
        return None if self.unit_price is None else self.unit_price * self.quantity


class RequestEvent(models.Model):
    """One change of a request's state: who, when, why. Written by the services only."""

    id = models.BigAutoField(primary_key=True)
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="events", verbose_name=_("物资需求")
    )
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=RequestState.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("需求变更")
        verbose_name_plural = _("需求变更")
        ordering = ["request", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '-'} → {self.to_state} {self.at:%Y-%m-%d %H:%M}"


class Prescription(models.Model):
    """The photo of a prescription sent with a medicine request, kept out of the request's row
    so that lists never read it, and served only through a checked view."""

    request = models.OneToOneField(
        Request,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="prescription",
        verbose_name=_("物资需求"),
    )
    content_type = models.CharField(max_length=20)
    data = models.BinaryField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("处方照片")
        verbose_name_plural = _("处方照片")

    def __str__(self) -> str:
        return f"{self.content_type} {len(self.data)}"


# The daily cycle's models (cut-offs, batches) are the app's too.
from .cycle.models import Batch, BatchEntry, CutOff  # noqa: E402, F401

"""Isolation: quarantine sites and their rooms, isolation orders with every change of state,
the twice-daily check-ins of the people under them, and transfer batches to sites.

An order is the work that follows a fact (a close contact, a secondary contact, an arrival from
a risk area, a recovered case): where the person is to be isolated, from when, until when, and
on which days they are tested. The order never colours anyone itself: starting and ending it
record `quarantine_start` / `quarantine_end` facts through the health services, and the colour
follows from the facts by the existing rules.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core.querysets import RestrictedQuerySet
from fangyi.health.models import QuarantineSetting

from .area import ORDER, SITE, TRANSFER


class OrderReason(models.TextChoices):
    """What put the person under an order; the policy keeps a term for each."""

    CLOSE_CONTACT = "close_contact", _("密切接触者")
    SECONDARY_CONTACT = "secondary_contact", _("次密切接触者")
    ARRIVAL = "arrival", _("来自风险地区")
    RECOVERED = "recovered", _("治愈出院")


class OrderState(models.TextChoices):
    TO_PLACE = "to_place", _("待安置")
    IN_TRANSFER = "in_transfer", _("转运中")
    ACTIVE = "active", _("隔离中")
    EXTENDED = "extended", _("已延期")
    RELEASED = "released", _("已解除")
    HOSPITAL = "hospital", _("已转医院")
    CANCELLED = "cancelled", _("已取消")


# A person has at most one order in these states (a constraint below): proposals are
# idempotent, and nobody is under two orders at once.
OPEN_STATES = (
    OrderState.TO_PLACE,
    OrderState.IN_TRANSFER,
    OrderState.ACTIVE,
    OrderState.EXTENDED,
)
# The person is isolated now: the term runs and check-ins are due.
RUNNING_STATES = (OrderState.ACTIVE, OrderState.EXTENDED)
ENDED_STATES = (OrderState.RELEASED, OrderState.HOSPITAL, OrderState.CANCELLED)


class Site(models.Model):
    """A centralised quarantine site (a hotel, a dormitory) with its rooms."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = SITE
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("隔离点")
        verbose_name_plural = _("隔离点")
        indexes = [models.Index(fields=["region_path", "name"], name="site_region")]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    """A room of a site. A household placed together shares one room up to its capacity."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("隔离点")
    )
    number = models.CharField(_("房间号"), max_length=20)
    capacity = models.PositiveSmallIntegerField(_("床位数"), default=1)
    active = models.BooleanField(_("可用"), default=True)

    class Meta:
        verbose_name = _("房间")
        verbose_name_plural = _("房间")
        ordering = ["site", "number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="room_unique_number"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.number}"


class OrderQuerySet(RestrictedQuerySet["Order"]):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def running(self):
        return self.filter(state__in=RUNNING_STATES)


class Order(models.Model):
    """One person's isolation: kind, reason, place, term, test days and state."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="isolation_orders",
        verbose_name=_("居民"),
    )
    # Where the person lived when the order was made: its scope, and how a household's
    # members are found together in the queue.
    household = models.ForeignKey(
        "people.Household",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("户"),
    )
    region_path = models.CharField(max_length=18, editable=False)
    kind = models.CharField(_("隔离方式"), max_length=16, choices=QuarantineSetting.choices)
    reason = models.CharField(_("原因"), max_length=20, choices=OrderReason.choices)
    # The fact that caused it; none for an order an officer opens by hand.
    reason_fact = models.ForeignKey(
        "health.Fact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("依据"),
        db_constraint=False,
    )
    # The plan whose terms the order keeps: a plan switch applies to new orders only.
    policy = models.ForeignKey(
        "health.Policy", on_delete=models.PROTECT, related_name="+", verbose_name=_("防控方案")
    )
    term_days = models.PositiveSmallIntegerField(_("隔离天数"))
    # Days of the term on which the person is tested, day 1 being the day the order starts.
    test_days = models.JSONField(_("检测日"), default=list, blank=True)
    site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("隔离点"),
    )
    room = models.ForeignKey(
        Room,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("房间"),
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=OrderState.choices, default=OrderState.TO_PLACE
    )
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    planned_end_at = models.DateTimeField(_("计划解除时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The order this one follows (e.g. home monitoring after centralised quarantine).
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_stages",
        verbose_name=_("上一阶段"),
    )
    start_fact = models.ForeignKey(
        "health.Fact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    end_fact = models.ForeignKey(
        "health.Fact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()
    permission_resource = ORDER
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("隔离令")
        verbose_name_plural = _("隔离令")
        indexes = [
            # The queues (to place, running, due for release) of a region's range of paths.
            models.Index(fields=["state", "region_path", "id"], name="order_state_region"),
            models.Index(fields=["state", "planned_end_at"], name="order_state_end"),
            models.Index(fields=["site", "state"], name="order_site"),
            models.Index(fields=["person", "state"], name="order_person"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state__in=[state.value for state in OPEN_STATES]),
                name="order_one_open_per_person",
            ),
            # A fact proposes one order, however often the proposals are made.
            models.UniqueConstraint(
                fields=["reason_fact"],
                condition=Q(reason_fact__isnull=False),
                name="order_unique_reason_fact",
            ),
        ]

    def __str__(self) -> str:
        # The person stays masked: this string lands in audit rows.
        return f"{self.get_kind_display()} {self.person}"


class OrderEvent(models.Model):
    """One change of an order's state: who, when, why. Written by the services only."""

    id = models.BigAutoField(primary_key=True)
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("隔离令")
    )
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=OrderState.choices)
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
    reason = models.TextField(_("原因"), blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("隔离令变更")
        verbose_name_plural = _("隔离令变更")
        ordering = ["order", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '-'} → {self.to_state} {self.at:%Y-%m-%d %H:%M}"


class CheckInSlot(models.IntegerChoices):
    MORNING = 1, _("上午")
    AFTERNOON = 2, _("下午")


class CheckInChannel(models.TextChoices):
    PORTAL = "portal", _("居民自报")
    STAFF = "staff", _("工作人员代报")
    API = "api", _("接口")


class CheckIn(models.Model):
    """A twice-daily report of temperature and symptoms of a person under a running order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("隔离令")
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("居民")
    )
    region_path = models.CharField(max_length=18, editable=False)
    day = models.DateField(_("日期"))
    slot = models.PositiveSmallIntegerField(_("时段"), choices=CheckInSlot.choices)
    # None when reported "normal" with one tap: no number was taken to be typed.
    temperature = models.DecimalField(
        _("体温"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    symptoms = models.JSONField(_("症状"), default=list, blank=True)
    fever = models.BooleanField(_("发热或有症状"), default=False)
    channel = models.CharField(_("上报方式"), max_length=8, choices=CheckInChannel.choices)
    reported_at = models.DateTimeField(_("上报时间"), default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上报人"),
    )
    reported_by_name = models.CharField(_("上报人"), max_length=150, blank=True)
    # The officer who saw a fever alert and acted on it.
    alert_handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    alert_handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("处理人"),
    )

    objects = RestrictedQuerySet.as_manager()
    permission_resource = ORDER
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("健康打卡")
        verbose_name_plural = _("健康打卡")
        constraints = [
            models.UniqueConstraint(fields=["order", "day", "slot"], name="check_in_unique_slot")
        ]
        indexes = [
            models.Index(
                fields=["region_path", "reported_at"],
                condition=Q(fever=True, alert_handled_at__isnull=True),
                name="check_in_open_alert",
            ),
            models.Index(fields=["day", "slot", "order"], name="check_in_day"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.day} {self.get_slot_display()}"


class TransferState(models.TextChoices):
    PLANNED = "planned", _("待出发")
    UNDER_WAY = "under_way", _("转运中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class PassengerState(models.TextChoices):
    WAITING = "waiting", _("待接")
    PICKED_UP = "picked_up", _("已接")
    ARRIVED = "arrived", _("已到达")
    NOT_FOUND = "not_found", _("未接到")


class TransferBatch(models.Model):
    """A vehicle's run: a pickup list by building, to a site or a hospital."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("接人区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    vehicle = models.CharField(_("车辆"), max_length=20)
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("司机"),
    )
    site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
        verbose_name=_("目的隔离点"),
    )
    hospital = models.CharField(_("目的医院"), max_length=100, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=TransferState.choices, default=TransferState.PLANNED
    )
    planned_at = models.DateTimeField(_("计划出发时间"), default=timezone.now)
    departed_at = models.DateTimeField(_("出发时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = TRANSFER
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("转运批次")
        verbose_name_plural = _("转运批次")
        indexes = [models.Index(fields=["state", "region_path"], name="transfer_state_region")]
        constraints = [
            models.CheckConstraint(
                condition=Q(site__isnull=False) | ~Q(hospital=""), name="transfer_has_destination"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vehicle} {self.planned_at:%Y-%m-%d %H:%M}"


class Passenger(models.Model):
    """One person of a transfer batch, with the times that make their waiting visible."""

    id = models.BigAutoField(primary_key=True)
    batch = models.ForeignKey(
        TransferBatch,
        on_delete=models.CASCADE,
        related_name="passengers",
        verbose_name=_("转运批次"),
    )
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="passengers", verbose_name=_("隔离令")
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=PassengerState.choices, default=PassengerState.WAITING
    )
    picked_up_at = models.DateTimeField(_("接到时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到达时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("转运人员")
        verbose_name_plural = _("转运人员")
        constraints = [
            models.UniqueConstraint(fields=["batch", "order"], name="passenger_unique_order")
        ]

    def __str__(self) -> str:
        return f"{self.batch} {self.order.person}"

"""Monitoring points, the basket, daily reports, the region figures computed from them, the
rule set in force, the lights and the actions taken against them."""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core.querysets import RestrictedQuerySet

from . import presets, rules
from .area import MARKET_LIGHT, MARKET_POINT, MARKET_RULES, PRICE_REPORT


class Category(models.TextChoices):
    GRAIN = presets.GRAIN, _("粮食")
    OIL = presets.OIL, _("食用油")
    PORK = presets.PORK, _("猪肉")
    BEEF = presets.BEEF, _("牛羊肉")
    CHICKEN = presets.CHICKEN, _("禽肉")
    EGGS = presets.EGGS, _("禽蛋")
    VEGETABLES = presets.VEGETABLES, _("蔬菜")
    FRUIT = presets.FRUIT, _("水果")
    MILK = presets.MILK, _("奶类")
    STAPLES = presets.STAPLES, _("其他必需品")


class PointKind(models.TextChoices):
    SUPERMARKET = "supermarket", _("超市")
    MARKET = "market", _("农贸市场")
    WHOLESALE = "wholesale", _("批发市场")


class Colour(models.TextChoices):
    GREEN = rules.GREEN, _("绿灯")
    YELLOW = rules.YELLOW, _("黄灯")
    RED = rules.RED, _("红灯")
    NONE = rules.NONE, _("数据不足")


class Item(models.Model):
    """One item of the basket; loaded by the migrations, the same in every installation."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    unit = models.CharField(_("计价单位"), max_length=20)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("监测品种")
        verbose_name_plural = _("监测品种")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return str(self.name)


class MonitoringPoint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # What a ledger row names the point by: names repeat (every chain has a 永辉 in each
    # district), codes do not.
    code = models.CharField(_("编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=PointKind.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    active = models.BooleanField(_("在用"), default=True)
    reporters = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="market_points", verbose_name=_("报价员")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = MARKET_POINT
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("监测点")
        verbose_name_plural = _("监测点")
        indexes = [models.Index(fields=["region_path", "id"], name="market_point_scope")]

    def __str__(self) -> str:
        return self.name


class PriceReport(models.Model):
    """One point's price and stock of one item on one day; sent again, it is replaced."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    point = models.ForeignKey(
        MonitoringPoint, on_delete=models.PROTECT, related_name="reports", verbose_name=_("监测点")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("品种")
    )
    day = models.DateField(_("日期"))
    # A copy of the point's, so that a region's figures are one range over this table.
    region_path = models.CharField(max_length=18, editable=False)
    price = models.DecimalField(_("价格"), max_digits=10, decimal_places=2)
    stock = models.DecimalField(_("库存"), max_digits=14, decimal_places=2, null=True, blank=True)
    sales = models.DecimalField(
        _("当日销量"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("填报人"),
    )
    reported_at = models.DateTimeField(_("填报时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = PRICE_REPORT
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("价格报告")
        verbose_name_plural = _("价格报告")
        constraints = [
            models.UniqueConstraint(fields=["point", "item", "day"], name="price_report_once"),
            models.CheckConstraint(condition=Q(price__gt=0), name="price_report_price"),
        ]
        indexes = [
            models.Index(fields=["item", "day", "region_path"], name="price_report_figure"),
            models.Index(fields=["day", "region_path"], name="price_report_day"),
            models.Index(fields=["region_path", "day", "id"], name="price_report_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.item_id} {self.day}"


class DailyFigure(models.Model):
    """An item's day in a region and everything under it: what the lights and charts read.

    Kept by the services whenever reports are written (services.refresh_figures), one row
    per (item, region path, day) that has reports."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=18)
    day = models.DateField()
    price_sum = models.DecimalField(max_digits=16, decimal_places=2)
    price_count = models.PositiveIntegerField()
    # Over the reports that gave both stock and sales.
    stock_sum = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    sales_sum = models.DecimalField(max_digits=18, decimal_places=2, null=True)

    class Meta:
        # The first serves a light's chart (one item and region over a year), the second
        # the city's lights (every item and region over the days of the windows), which
        # must not read the whole history.
        constraints = [
            models.UniqueConstraint(fields=["item", "region_path", "day"], name="daily_figure_once")
        ]
        indexes = [models.Index(fields=["day", "item", "region_path"], name="daily_figure_day")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.region_path} {self.day}"


class RuleSet(models.Model):
    """The warning rules as data: one set is in force; the migrations load the published one."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    in_force = models.BooleanField(_("在用"), default=False)
    window_days = models.PositiveSmallIntegerField(_("比较窗口（天）"), default=10)
    min_days = models.PositiveSmallIntegerField(_("窗口内最少有价天数"), default=5)
    # category → [yellow, red], rises in percent, as strings of decimals.
    price_bands = models.JSONField(_("价格阈值"))
    # category → target days of cover.
    cover_targets = models.JSONField(_("库存目标天数"))
    lockdown_date = models.DateField(_("封控日期"), null=True, blank=True)
    baseline_days = models.PositiveSmallIntegerField(_("基线天数"), default=28)
    baseline_min_days = models.PositiveSmallIntegerField(_("基线最少有价天数"), default=14)
    baseline_yellow_sd = models.DecimalField(
        _("基线黄灯（标准差）"), max_digits=4, decimal_places=2, default=Decimal(2)
    )
    baseline_red_sd = models.DecimalField(
        _("基线红灯（标准差）"), max_digits=4, decimal_places=2, default=Decimal(3)
    )

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        constraints = [
            models.UniqueConstraint(
                fields=["in_force"], condition=Q(in_force=True), name="one_rule_set_in_force"
            )
        ]

    permission_resource = MARKET_RULES
    # The rule set is the whole installation's: its audit rows carry no region.
    scope_path_field = "scope_path"

    def __str__(self) -> str:
        return self.name

    @property
    def scope_path(self) -> str:
        return ""

    def rules(self) -> rules.Rules:
        return rules.Rules(
            price={
                category: rules.Band(Decimal(str(band[0])), Decimal(str(band[1])))
                for category, band in self.price_bands.items()
            },
            cover={category: int(days) for category, days in self.cover_targets.items()},
            window=self.window_days,
            min_days=self.min_days,
            lockdown=self.lockdown_date,
            baseline_days=self.baseline_days,
            baseline_min_days=self.baseline_min_days,
            baseline=rules.Band(self.baseline_yellow_sd, self.baseline_red_sd),
        )


class Light(models.Model):
    """An item's light in a region, as last computed, with what each method found."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    day = models.DateField(_("日期"))
    colour = models.CharField(_("灯色"), max_length=8, choices=Colour.choices)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    change_percent = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    change_colour = models.CharField(max_length=8, choices=Colour.choices, default=rules.NONE)
    cover_days = models.DecimalField(max_digits=18, decimal_places=1, null=True)
    cover_colour = models.CharField(max_length=8, choices=Colour.choices, default=rules.NONE)
    deviation = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    deviation_colour = models.CharField(max_length=8, choices=Colour.choices, default=rules.NONE)
    computed_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = MARKET_LIGHT
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("物价灯")
        verbose_name_plural = _("物价灯")
        constraints = [models.UniqueConstraint(fields=["item", "region_path"], name="light_once")]
        indexes = [models.Index(fields=["region_path", "item"], name="light_scope")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.region_path}"


class ActionKind(models.TextChoices):
    RESERVE = "reserve", _("投放储备")
    FAIR_PRICE = "fair_price", _("开设平价店")
    SUPPLY = "supply", _("组织调运")
    INSPECTION = "inspection", _("价格检查")
    OTHER = "other", _("其他")


class LightAction(models.Model):
    """What was done about a light: reserves released, fair-price shops opened, …"""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    light = models.ForeignKey(
        Light, on_delete=models.CASCADE, related_name="actions", verbose_name=_("物价灯")
    )
    region_path = models.CharField(max_length=18, editable=False)
    kind = models.CharField(_("措施"), max_length=12, choices=ActionKind.choices)
    note = models.TextField(_("说明"), blank=True)
    quantity = models.CharField(_("数量"), max_length=50, blank=True)
    colour = models.CharField(_("当时灯色"), max_length=8, choices=Colour.choices)
    taken_at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("记录人"),
    )

    objects = RestrictedQuerySet.as_manager()
    permission_resource = MARKET_LIGHT
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("处置措施")
        verbose_name_plural = _("处置措施")
        indexes = [models.Index(fields=["light", "taken_at"], name="light_action_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}"


def today() -> datetime.date:
    return timezone.localdate()

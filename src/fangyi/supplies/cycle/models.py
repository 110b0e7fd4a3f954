"""The daily cycle's data: a community's cut-off times, the batch formed at each cut-off, and
which request joined which batch (one batch per request, by a unique key).

Imported by `supplies.models`, so that these models are the supplies app's.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core.querysets import RestrictedQuerySet

from ..area import SUPPLY_REQUEST

# When a community has not set its own: needs in by 16:00, orders to suppliers by 18:00,
# delivery from 08:00 the next morning.
DEFAULT_NEEDS_BY = datetime.time(16, 0)
DEFAULT_ORDERS_BY = datetime.time(18, 0)
DEFAULT_DELIVER_FROM = datetime.time(8, 0)


class CutOff(models.Model):
    """A community's times of the daily cycle, as an officer set them."""

    region = models.OneToOneField(
        "regions.Region",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("社区"),
    )
    region_path = models.CharField(max_length=18, editable=False)
    needs_by = models.TimeField(_("需求截止"), default=DEFAULT_NEEDS_BY)
    orders_by = models.TimeField(_("向供应商下单截止"), default=DEFAULT_ORDERS_BY)
    deliver_from = models.TimeField(_("次日配送开始"), default=DEFAULT_DELIVER_FROM)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = SUPPLY_REQUEST
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("截单时间")
        verbose_name_plural = _("截单时间")
        constraints = [
            models.CheckConstraint(
                condition=Q(needs_by__lte=models.F("orders_by")), name="cutoff_orders_after_needs"
            )
        ]

    def __str__(self) -> str:
        return f"{self.needs_by:%H:%M} / {self.orders_by:%H:%M} / {self.deliver_from:%H:%M}"


class Batch(models.Model):
    """The accepted requests of one community at one day's cut-off."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    region_path = models.CharField(max_length=18, editable=False)
    day = models.DateField(_("截单日期"))
    cut_off_at = models.DateTimeField(_("需求截止时间"))
    orders_by = models.DateTimeField(_("下单截止时间"))
    deliver_from = models.DateTimeField(_("配送开始时间"))
    formed_at = models.DateTimeField(_("成批时间"), default=timezone.now)
    formed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("成批人"),
    )
    requests = models.PositiveIntegerField(_("需求数"), default=0)
    priority_requests = models.PositiveIntegerField(_("优先户需求数"), default=0)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = SUPPLY_REQUEST
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("配送批次")
        verbose_name_plural = _("配送批次")
        indexes = [models.Index(fields=["region_path", "day", "id"], name="batch_scope")]
        constraints = [
            # One batch per community and day: forming it again finds this one.
            models.UniqueConstraint(fields=["region", "day"], name="batch_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.region_path}"

    def get_absolute_url(self) -> str:
        return reverse("supplies_cycle:batch", args=[self.pk])


class BatchEntry(models.Model):
    """A request in a batch. The request is unique here: it joins one batch only, whatever
    runs the cut-off and however often."""

    id = models.BigAutoField(primary_key=True)
    batch = models.ForeignKey(
        Batch, on_delete=models.CASCADE, related_name="entries", verbose_name=_("配送批次")
    )
    request = models.OneToOneField(
        "supplies.Request",
        on_delete=models.CASCADE,
        related_name="batch_entry",
        verbose_name=_("物资需求"),
    )
    # Copied from the request, so that lists sort and scope without a join.
    region_path = models.CharField(max_length=18)
    priority = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("批次需求")
        verbose_name_plural = _("批次需求")
        indexes = [
            models.Index(fields=["batch", "region_path", "priority"], name="batch_entry_list")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.request_id}"

"""Daily snapshots of the figures: one row per region (down to the grid), day and figure that
is not zero, and one row per day saying when it was taken (so a missing figure reads 0, and a
day never taken reads as unknown)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangyi.core.querysets import RestrictedQuerySet

from .area import FIGURES


class SnapshotDay(models.Model):
    day = models.DateField(_("日期"), primary_key=True)
    taken_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("指标快照日")
        verbose_name_plural = _("指标快照日")

    def __str__(self) -> str:
        return self.day.isoformat()


class Snapshot(models.Model):
    day = models.DateField(_("日期"))
    region_path = models.CharField(max_length=18)
    key = models.CharField(_("指标"), max_length=40)
    value = models.FloatField(_("数值"))

    objects = RestrictedQuerySet.as_manager()
    permission_resource = FIGURES
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        constraints = [
            models.UniqueConstraint(fields=["region_path", "day", "key"], name="snapshot_once")
        ]
        indexes = [models.Index(fields=["day", "region_path"], name="snapshot_day_region")]

    def __str__(self) -> str:
        return f"{self.day} {self.region_path} {self.key}"


from .briefings.models import Briefing, BriefingTemplate  # noqa: E402, F401

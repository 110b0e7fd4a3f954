"""A region's briefing of a day, its PDF and Word files kept in the row (a few hundred kB a
region and day, saved with the row in the one transaction that makes it, and backed up with
the database), and the template of its text."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangyi.core.querysets import RestrictedQuerySet
from fangyi.regions.models import Region

from .area import BRIEFINGS


class Briefing(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("区域")
    )
    region_path = models.CharField(max_length=18)
    # The day the figures are of: the morning's briefing reports the day before.
    day = models.DateField(_("日期"))
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The figures as printed: {key: {"name", "unit", "value", "previous", "change"}}.
    figures = models.JSONField(_("指标"), default=dict)
    pdf = models.BinaryField(_("PDF"))
    docx = models.BinaryField(_("Word"))

    objects = RestrictedQuerySet.as_manager()
    permission_resource = BRIEFINGS
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("每日简报")
        verbose_name_plural = _("每日简报")
        constraints = [
            models.UniqueConstraint(fields=["region", "day"], name="briefing_once_a_day")
        ]
        indexes = [models.Index(fields=["region_path", "-day"], name="briefing_scope")]

    def __str__(self) -> str:
        return f"{self.day} {self.region_id}"


class BriefingTemplate(models.Model):
    """The text of every briefing: one row, made when an admin first saves it; until then the
    shipped preset is used."""

    key = models.CharField(max_length=20, unique=True, default="default")
    text = models.TextField(_("模板"))
    updated_at = models.DateTimeField(_("修改时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("简报模板")
        verbose_name_plural = _("简报模板")

    def __str__(self) -> str:
        return self.key

"""Venues with their place codes, residents' check-ins, and scans made at checkpoints.

Check-ins and scans are kept FANGYI_CHECKIN_KEEP_DAYS days, then purged (services.purge_old).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.codes.format import Result
from fangyi.core.querysets import RestrictedQuerySet
from fangyi.health.models import Colour


class VenueKind(models.TextChoices):
    COMPOUND_GATE = "compound_gate", _("小区门岗")
    SUPERMARKET = "supermarket", _("超市")
    MARKET = "market", _("农贸市场")
    HOSPITAL = "hospital", _("医院")
    SCHOOL = "school", _("学校")
    OFFICE = "office", _("办公场所")
    STATION = "station", _("交通站点")
    OTHER = "other", _("其他")


class ScanKind(models.TextChoices):
    DISPLAY = "display", _("亮码")
    CARD = "card", _("卡片码")
    PLACE = "place", _("场所码")
    RELEASE = "release", _("解除隔离证明")
    NOTICE = "notice", _("隔离告知书")
    PASS = "pass", _("保供通行证")


class ScanResult(models.TextChoices):
    VALID = Result.VALID.value, _("有效")
    EXPIRED = Result.EXPIRED.value, _("已过期")
    NOT_YET_VALID = Result.NOT_YET_VALID.value, _("尚未生效")
    BAD_SIGNATURE = Result.BAD_SIGNATURE.value, _("签名无效")
    UNKNOWN_KEY = Result.UNKNOWN_KEY.value, _("未知密钥")
    REVOKED = Result.REVOKED.value, _("已撤销")
    MALFORMED = Result.MALFORMED.value, _("无法识别")
    # A courier's pass whose signature checked out but whose rule did not (not green, test
    # too old, outside its areas): see codes.format.pass_refusal.
    REFUSED = "refused", _("通行证不符合通行条件")


def new_subject() -> str:
    """A venue's pseudonym in its place code: says nothing about the venue by itself."""
    return secrets.token_urlsafe(12)


class Venue(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("场所名称"), max_length=100)
    kind = models.CharField(_("场所类型"), max_length=16, choices=VenueKind.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    sub = models.CharField(max_length=32, unique=True, default=new_subject, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = "venue"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("场所")
        verbose_name_plural = _("场所")
        # The list walks a scope's range of paths in this order.
        indexes = [models.Index(fields=["region_path", "name", "id"], name="venue_scope")]

    def __str__(self) -> str:
        return self.name


class CheckIn(models.Model):
    """A resident scanned a venue's place code with their phone."""

    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("居民"),
        db_index=False,
    )
    venue = models.ForeignKey(
        Venue,
        on_delete=models.CASCADE,
        related_name="checkins",
        verbose_name=_("场所"),
        db_index=False,
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    # The colour shown to the guard at that moment; statuses change, this record must not.
    colour = models.CharField(_("颜色"), max_length=8, choices=Colour.choices)

    class Meta:
        verbose_name = _("场所签到")
        verbose_name_plural = _("场所签到")
        indexes = [
            # Who else was there around then (colocated), and a person's own visits.
            models.Index(fields=["venue", "at"], name="checkin_venue_time"),
            models.Index(fields=["person", "at"], name="checkin_person_time"),
            models.Index(fields=["at"], name="checkin_time"),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.at:%Y-%m-%d %H:%M}"


class Scan(models.Model):
    """One code scanned on a checkpoint phone, verified there and uploaded (maybe much later)."""

    # Made by the phone: a re-upload after a lost response is recognised, not counted twice.
    client_id = models.UUIDField(unique=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("卡点人员"),
    )
    venue = models.ForeignKey(
        Venue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("场所"),
    )
    scanned_at = models.DateTimeField(_("扫码时间"))
    recorded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    result = models.CharField(_("结果"), max_length=16, choices=ScanResult.choices)
    kind = models.CharField(_("码类型"), max_length=8, choices=ScanKind.choices, blank=True)
    colour = models.CharField(_("颜色"), max_length=8, choices=Colour.choices, blank=True)
    sub = models.CharField(max_length=64, blank=True)
    kid = models.CharField(max_length=16, blank=True)
    revocation_hash = models.CharField(max_length=32, blank=True)
    # Resolved on upload from `sub`, only for codes whose signature checked out.
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("居民"),
    )
    region_path = models.CharField(max_length=18)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = "scan"
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("卡点扫码")
        verbose_name_plural = _("卡点扫码")
        indexes = [
            models.Index(fields=["region_path", "scanned_at"], name="scan_scope_time"),
            models.Index(fields=["scanned_at"], name="scan_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_result_display()} {self.scanned_at:%Y-%m-%d %H:%M}"

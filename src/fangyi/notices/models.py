"""Notices, the regions each is for, and how each resident or household was reached.

Publishing is one row (the notice's state): residents find it by their building's path among
the notice's region paths, so a notice to a whole city costs no row per resident. What is kept
per resident or household is only what happened: a read (and a confirmation) on the portal,
an SMS queued and sent, a household told in person.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangyi.core.querysets import RestrictedQuerySet

from .area import NOTICE, NOTICE_REACH


class NoticeState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class Notice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("标题"), max_length=60)
    body = models.TextField(_("正文"), max_length=2000)
    ask_confirm = models.BooleanField(_("需居民确认已读"), default=False)
    state = models.CharField(
        _("状态"), max_length=10, choices=NoticeState.choices, default=NoticeState.DRAFT
    )
    # The nearest region above every region the notice is for: whose officers keep it.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("发布区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("起草人"),
    )
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by_name = models.CharField(max_length=150, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by_name = models.CharField(max_length=150, blank=True)
    withdrawal_reason = models.CharField(_("撤回理由"), max_length=200, blank=True)
    # When the SMS to residents without the portal were queued, and how many.
    sms_queued_at = models.DateTimeField(null=True, blank=True)
    sms_queued = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = NOTICE
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(fields=["region_path", "id"], name="notice_scope"),
            models.Index(fields=["-created_at", "-id"], name="notice_newest"),
        ]

    def __str__(self) -> str:
        return self.title


class NoticeRegion(models.Model):
    """A region a notice is for; `path` is what residents' and staff's paths are matched on."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="targets")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=18)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "region"], name="notice_region_once")
        ]
        indexes = [models.Index(fields=["path", "notice"], name="notice_region_path")]

    def __str__(self) -> str:
        return self.path


class NoticeRead(models.Model):
    """A resident opened the notice on the portal (and confirmed it, where asked)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    household_id = models.UUIDField()
    region_path = models.CharField(max_length=18)
    read_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "person"], name="notice_read_once")
        ]
        indexes = [
            models.Index(
                fields=["notice", "region_path", "household_id"], name="notice_read_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.read_at:%Y-%m-%d %H:%M}"


class SmsState(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    CANCELLED = "cancelled", _("已取消")


class SmsSend(models.Model):
    """One SMS of a notice to one resident without the portal: queued in bulk, sent at the
    backend's rate, retried when the backend fails."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No foreign-key constraints in the database (Django still cascades deletes): checking
    # two per row made queueing a city's 310,000 SMS take 88 s instead of 54 s.
    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="sms", db_constraint=False
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    household_id = models.UUIDField()
    region_path = models.CharField(max_length=18)
    phone = models.CharField(max_length=11)
    state = models.CharField(max_length=10, choices=SmsState.choices, default=SmsState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField()
    # Not before this time: the next try after a failure.
    due_at = models.DateTimeField()
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "person"], name="notice_sms_once")]
        indexes = [
            models.Index(
                fields=["notice", "region_path", "household_id"], name="notice_sms_region"
            ),
            # What the sender takes next: the few waiting, oldest due first.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(state__in=["queued", "failed"]),
                name="notice_sms_due",
            ),
            models.Index(
                fields=["attempted_at"],
                condition=Q(attempted_at__isnull=False),
                name="notice_sms_attempted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]} {self.get_state_display()}"


class ToldInPerson(models.Model):
    """A grid worker told a household the notice at the door (or by phone)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="told")
    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=18)
    told_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    told_by_name = models.CharField(max_length=150)
    told_at = models.DateTimeField()

    objects = RestrictedQuerySet.as_manager()
    permission_resource = NOTICE_REACH
    scope_path_field = "region_path"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "household"], name="notice_told_once")
        ]
        indexes = [models.Index(fields=["notice", "region_path"], name="notice_told_region")]

    def __str__(self) -> str:
        return f"{self.notice} · {self.told_by_name}"


class PortalResident(models.Model):
    """A resident who has logged in to the portal at least once: they read notices there,
    and get no SMS."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    first_login_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.person_id} {self.first_login_at:%Y-%m-%d}"

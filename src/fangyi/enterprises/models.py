"""Enterprises, their applications to reopen, the steps of both as events, the accounts that
act for them and the employees they link."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fangyi.core.querysets import RestrictedQuerySet

from .area import EMPLOYEE, ENTERPRISE


class Standing(models.TextChoices):
    """Where an enterprise stands with the register and with reopening."""

    UNCONFIRMED = "unconfirmed", _("待确认")
    REGISTERED = "registered", _("已登记")
    APPLIED = "applied", _("复工申请待审批")
    RETURNED = "returned", _("申请已退回")
    REOPENED = "reopened", _("已复工")


class Commitment(models.Model):
    """One prevention commitment an enterprise ticks when it applies to reopen; the list is
    data (loaded by the migrations), so that a city may add or retire items."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    text = models.CharField(_("内容"), max_length=200)
    text_en = models.CharField(max_length=200)
    active = models.BooleanField(_("在用"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("防控承诺")
        verbose_name_plural = _("防控承诺")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.text_en if (get_language() or "").startswith("en") else self.text


class Enterprise(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("企业名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区域")
    )
    region_path = models.CharField(max_length=18, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=11)
    standing = models.CharField(
        _("状态"), max_length=12, choices=Standing.choices, default=Standing.REGISTERED
    )
    # The staff count of the last application, kept here for the lists and the figures.
    staff_count = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    self_registered = models.BooleanField(_("企业自行登记"), default=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = ENTERPRISE
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        indexes = [
            models.Index(fields=["region_path", "id"], name="enterprise_scope"),
            models.Index(fields=["standing", "region_path", "id"], name="enterprise_standing"),
        ]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """An application to reopen; a returned one stays, and the enterprise applies anew."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        RETURNED = "returned", _("已退回")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="applications"
    )
    region_path = models.CharField(max_length=18, editable=False)
    commitments = models.JSONField(_("防控承诺"), default=list)
    staff_count = models.PositiveIntegerField(_("职工人数"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.TextField(_("退回理由"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = ENTERPRISE
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("复工申请")
        verbose_name_plural = _("复工申请")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(state="pending"), name="one_pending_application"
            )
        ]
        indexes = [
            models.Index(fields=["state", "region_path", "submitted_at"], name="application_queue")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.submitted_at:%Y-%m-%d}"


class Event(models.Model):
    """A step in an enterprise's life: registered, confirmed, applied, approved, returned."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("登记")
        CONFIRMED = "confirmed", _("确认登记")
        APPLIED = "applied", _("申请复工")
        APPROVED = "approved", _("批准复工")
        RETURNED = "returned", _("退回申请")
        ACCOUNT = "account", _("开通企业账号")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=12, choices=Kind.choices)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("企业事件")
        verbose_name_plural = _("企业事件")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["enterprise", "at"], name="enterprise_event_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Membership(models.Model):
    """A staff user who acts for an enterprise with the `enterprise` role."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enterprise_memberships"
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="members")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "enterprise"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.enterprise_id}"


class Employment(models.Model):
    """An employee linked by their enterprise, which the employee confirms or declines."""

    class State(models.TextChoices):
        PENDING = "pending", _("待员工确认")
        CONFIRMED = "confirmed", _("已确认")
        DECLINED = "declined", _("员工已拒绝")
        ENDED = "ended", _("已解除")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="employments")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The enterprise's: the account's scope and the figures' grouping.
    region_path = models.CharField(max_length=18, editable=False)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(_("关联时间"), default=timezone.now)
    answered_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    permission_resource = EMPLOYEE
    scope_path_field = "region_path"

    class Meta:
        verbose_name = _("企业员工")
        verbose_name_plural = _("企业员工")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "person"],
                condition=Q(state__in=["pending", "confirmed"]),
                name="one_live_employment",
            )
        ]
        indexes = [
            models.Index(fields=["enterprise", "state", "id"], name="employment_list"),
            models.Index(fields=["person", "state"], name="employment_person"),
            models.Index(fields=["state", "region_path"], name="employment_figures"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.person_id}"

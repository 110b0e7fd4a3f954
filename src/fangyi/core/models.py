"""The audit trail, whose rows are only ever inserted (nothing in the application updates or
deletes them), and the scheduler's record of periodic jobs."""

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import RestrictedQuerySet


class AuditRowIsImmutable(Exception):
    pass


class AppendOnlyQuerySet[M: models.Model](RestrictedQuerySet[M]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditRowIsImmutable(f"{self.model._meta.label} rows are never updated")

    def delete(self) -> NoReturn:
        raise AuditRowIsImmutable(f"{self.model._meta.label} rows are never deleted")


class AppendOnlyModel(models.Model):
    """A record that is inserted once and never changed or deleted: audit rows, health facts."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditRowIsImmutable(f"{self._meta.label} rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditRowIsImmutable(f"{self._meta.label} rows are never deleted")


class AuditRow(AppendOnlyModel):
    """Who did what to which object, from which request: shared by both kinds of audit row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    via = models.CharField(max_length=16, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=64)
    # Indexed in each table's Meta, not with db_index: on PostgreSQL db_index adds a second
    # index for LIKE prefixes that no query uses, and an import of a million residents paid
    # for both on every audit row (finding 24).
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    # Indexed together with the time in each table's Meta: one index serves scope and order.
    region_path = models.CharField(max_length=32, blank=True)

    objects = AppendOnlyQuerySet.as_manager()
    permission_resource = "audit"
    scope_path_field = "region_path"

    class Meta:
        abstract = True


class ObjectChange(AuditRow):
    CREATE, UPDATE, DELETE = "create", "update", "delete"
    ACTION_CHOICES = [(CREATE, _("创建")), (UPDATE, _("修改")), (DELETE, _("删除"))]

    action = models.CharField(_("操作"), max_length=8, choices=ACTION_CHOICES)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        indexes = [
            models.Index(fields=["region_path", "time"], name="objectchange_scope_time"),
            models.Index(fields=["object_id"], name="objectchange_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


class AccessEvent(AuditRow):
    REVEAL, EXPORT = "reveal", "export"
    # Printing a card code, looking a card's colour up at a checkpoint, and asking who was at
    # the same venues as a person: each shows what a list would not.
    CARD, LOOKUP, INVESTIGATION = "card", "lookup", "investigation"
    KIND_CHOICES = [
        (REVEAL, _("查看明文")),
        (EXPORT, _("导出")),
        (CARD, _("打印卡片码")),
        (LOOKUP, _("卡片码查询")),
        (INVESTIGATION, _("同场所查询")),
    ]

    kind = models.CharField(_("类型"), max_length=16, choices=KIND_CHOICES)
    fields = models.JSONField(_("字段"), default=list)
    reason = models.TextField(_("理由"))

    class Meta:
        verbose_name = _("敏感访问记录")
        verbose_name_plural = _("敏感访问记录")
        indexes = [
            models.Index(fields=["region_path", "time"], name="accessevent_scope_time"),
            models.Index(fields=["object_id"], name="accessevent_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_repr}"


class PeriodicRun(models.Model):
    """When `fangyi scheduler` last enqueued a periodic job (core/scheduling.py). The row is
    locked while a scheduler decides, so that two schedulers never enqueue a job twice."""

    name = models.CharField(_("名称"), max_length=100, primary_key=True)
    enqueued_at = models.DateTimeField(_("上次加入队列"), null=True)
    result_id = models.CharField(_("任务编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name


class RateCounter(models.Model):
    """One window of a rate limit, counted where the shared cache is the database
    (core/ratelimit.py): an upsert adds to it, where the database cache would count its whole
    table on every write to decide whether to cull."""

    key = models.CharField(max_length=100, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    # Seconds since the epoch at which the window ends; the purge deletes the windows past it.
    ends = models.FloatField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key} {self.count}"

"""Import and export jobs. Each row is also the import's summary record: who, which file
(name and SHA-256), what it asked for, and what came of it."""

import datetime
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    REFUSED = "refused", _("已拒绝")  # all or nothing, and some rows were wrong
    FAILED = "failed", _("失败")  # the file could not be read, or the job broke off

    @classmethod
    def finished(cls) -> set[str]:
        return {cls.DONE, cls.REFUSED, cls.FAILED}


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A user sees their own jobs; a superuser sees everyone's."""
        if getattr(user, "is_superuser", False):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(actor=user)


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ledger = models.CharField(_("台账"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    status = models.CharField(
        _("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    message = models.TextField(_("说明"), blank=True)
    rows_total = models.PositiveIntegerField(_("总行数（估计）"), null=True, blank=True)
    rows_written = models.PositiveIntegerField(_("已写入行数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # Set when the job starts and at each chunk: a job that stops moving has lost its worker.
    progressed_at = models.DateTimeField(null=True, blank=True)
    # The process running the job (core.workers.identity()), and the task backend's id of the
    # task that runs it: recovery tells from them that a worker died.
    worker = models.CharField(max_length=100, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    # How many times the job was started: the first run and each resumption after a worker died.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Failed in a way that running it again may mend (its worker died, the database broke
    # off); not a file that cannot be read, nor one that killed every worker that took it.
    retryable = models.BooleanField(default=False)

    objects = JobQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def rows_done(self) -> int:
        """Rows handled so far: those written, unless a kind of job counts them its own way
        (an import also counts the rows it has read)."""
        return self.rows_written

    @property
    def finished(self) -> bool:
        return self.status in JobStatus.finished()

    @property
    def percent(self) -> int:
        """100 only once finished: the row total is an estimate until then."""
        if self.finished:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def stalled(self) -> bool:
        """Unfinished, and nothing has moved for FANGYI_LEDGER_STALLED_MINUTES (no worker is
        running, or the one that was died), or its worker is known to be gone."""
        if self.finished:
            return False
        if self.interrupted:
            return True
        last = self.progressed_at or self.created_at
        limit = datetime.timedelta(minutes=settings.FANGYI_LEDGER_STALLED_MINUTES)
        return last is not None and timezone.now() - last > limit

    @property
    def interrupted(self) -> bool:
        """Running, but its worker process is gone from this machine: the job waits for
        recovery (`fangyi jobs recover`, or the next worker to start)."""
        from fangyi.core.workers import alive

        return (
            self.status == JobStatus.RUNNING and bool(self.worker) and alive(self.worker) is False
        )

    @property
    def directory(self) -> Path:
        return (
            Path(settings.FANGYI_LEDGER_DIR)
            / self._meta.label_lower.partition(".")[2]
            / str(self.pk)
        )


class ImportJob(Job):
    file_name = models.CharField(_("文件名"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("文件大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    dry_run = models.BooleanField(_("预检"), default=True)
    all_or_nothing = models.BooleanField(_("全部成功才导入"), default=False)
    preview = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commits",
        verbose_name=_("预检"),
    )
    rows_read = models.PositiveIntegerField(_("已读行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    error_rows = models.PositiveIntegerField(_("错误行"), default=0)
    households_created = models.PositiveIntegerField(_("新增户"), default=0)
    header_row = models.PositiveIntegerField(_("表头行"), null=True, blank=True)
    unknown_columns = models.JSONField(_("未识别的列"), default=list)
    # The first errors, for pages and the API; the error workbook holds every one.
    errors = models.JSONField(_("错误"), default=list)
    has_error_file = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("导入")
        verbose_name_plural = _("导入")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["actor", "-created_at"], name="importjob_actor_time")]

    def __str__(self) -> str:
        return f"{self.ledger} {self.file_name}"

    @property
    def upload_path(self) -> Path:
        source = self.preview or self
        return source.directory / "upload"

    @property
    def error_file_path(self) -> Path:
        return self.directory / "errors.xlsx"

    @property
    def error_file_name(self) -> str:
        return f"{Path(self.file_name).stem}-错误.xlsx"

    @property
    def rows_done(self) -> int:
        return self.rows_read if self.dry_run else max(self.rows_read, self.rows_written)


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (xlsx)"
    CSV = "csv", "CSV"


class ExportJob(Job):
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区域")
    )
    format = models.CharField(
        _("格式"), max_length=8, choices=ExportFormat.choices, default=ExportFormat.XLSX
    )
    # The list's filters besides the region (a tag, a residence status), as the ledger names them.
    filters = models.JSONField(_("筛选"), default=dict, blank=True)
    revealed = models.BooleanField(_("明文"), default=False)
    reveal_reason = models.TextField(_("查看明文的理由"), blank=True)

    class Meta:
        verbose_name = _("导出")
        verbose_name_plural = _("导出")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["actor", "-created_at"], name="exportjob_actor_time")]

    def __str__(self) -> str:
        return f"{self.ledger} {self.region_id}"

    @property
    def file_path(self) -> Path:
        return self.directory / f"export.{self.format}"

    @property
    def download_name(self) -> str:
        from .registry import LEDGERS

        title = LEDGERS[self.ledger].title if self.ledger in LEDGERS else self.ledger
        return f"{title}-{self.region.name}-{self.region.code}.{self.format}"

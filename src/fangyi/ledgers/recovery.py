"""Imports and exports whose task worker died (core.workers.recover calls `recover`).

An import commits each chunk of rows in one transaction with the job's progress, so the job's
`rows_read` says exactly where the committed rows end: it is queued again and resumes there
(`services.run_import_job`), writing no row twice. A dry run and an all-or-nothing import had
committed nothing and start over; so does an export, whose file is put in place only once
complete. A job started FANGYI_JOB_MAX_ATTEMPTS times is not started again: a file that kills
every worker that reads it (one that blows up memory, say) must not take the workers down one
after another. It fails with that reason, and its page gives no advice to upload it again.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import workers

from . import services
from .models import ExportJob, ImportJob, JobStatus

logger = logging.getLogger(__name__)


def recover(sender=None, *, now, **kwargs) -> list[str]:
    lines = []
    for model in (ImportJob, ExportJob):
        for job in model.objects.filter(status=JobStatus.RUNNING).order_by("created_at"):
            if workers.abandoned(job.worker, job.progressed_at, now=now):
                line = _take_over(job)
                if line:
                    lines.append(line)
        queued = model.objects.filter(status=JobStatus.QUEUED).exclude(task_result_id="")
        for job in queued.order_by("created_at"):
            line = _task_lost(job)
            if line:
                lines.append(line)
    return lines


def _label(job: ImportJob | ExportJob) -> str:
    return f"{job._meta.model_name} {job.pk} ({job.ledger})"


def _take_over(job: ImportJob | ExportJob) -> str:
    rows = job.rows_done
    died = _("任务进程在处理完 %(rows)d 行后中断。") % {"rows": rows}
    retryable = False
    if job.attempts >= settings.FANGYI_JOB_MAX_ATTEMPTS:
        status = JobStatus.FAILED
        if isinstance(job, ImportJob):
            message = _(
                "任务进程已 %(n)d 次在处理此文件时中断（最近一次在处理完 %(rows)d 行后），"
                "已停止重试：文件可能使处理进程崩溃（例如占用内存过多）。已写入的行已保存。"
                "请不要原样重新上传：检查或拆分文件后再导入，或联系管理员。"
            ) % {"n": job.attempts, "rows": rows}
        else:
            message = _(
                "任务进程已 %(n)d 次在导出时中断，已停止重试。请缩小导出范围，或联系管理员。"
            ) % {"n": job.attempts}
    elif isinstance(job, ImportJob) and not job.upload_path.exists():
        # An import from the command line reads a file outside the ledger folder.
        status = JobStatus.FAILED
        message = died + _("文件不在服务器的台账目录中，无法自动继续；已写入的行已保存。")
    else:
        status = JobStatus.QUEUED
        if isinstance(job, ImportJob):
            again = _("已自动从中断处继续（第 %(n)d 次尝试）。")
        else:
            again = _("已自动重新开始导出（第 %(n)d 次尝试）。")
        message = died + again % {"n": job.attempts + 1}
    taken = (
        type(job)
        .objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, worker=job.worker, attempts=job.attempts
        )
        .update(
            status=status,
            message=message,
            retryable=retryable,
            worker="",
            finished_at=None if status == JobStatus.QUEUED else timezone.now(),
        )
    )
    if not taken:
        return ""
    workers.fail_task_result(job.task_result_id, f"worker {job.worker} died after {rows} rows")
    if status == JobStatus.QUEUED:
        services.requeue(job)
        return f"{_label(job)}: worker {job.worker} died after {rows} rows, resumed"
    return f"{_label(job)}: worker {job.worker} died after {rows} rows, failed: {message}"


def _task_lost(job: ImportJob | ExportJob) -> str:
    """A queued job whose task has ended without taking it (its worker died between taking
    the task and starting the job) is handed to the worker again."""
    from .tasks import export_ledger, import_ledger

    task = import_ledger if isinstance(job, ImportJob) else export_ledger
    try:
        result = task.get_result(job.task_result_id)
    except TaskResultDoesNotExist:
        return ""
    if result.status != TaskResultStatus.FAILED:
        return ""
    taken = (
        type(job)
        .objects.filter(pk=job.pk, status=JobStatus.QUEUED, task_result_id=job.task_result_id)
        .update(task_result_id="")
    )
    if not taken:
        return ""
    services.requeue(job)
    return f"{_label(job)}: its task {result.id} failed before the job started, queued again"

"""Starting, running and finishing import and export jobs: the only code that writes them.

Pages, the API and the command line all come here. A job small enough runs while the caller
waits; a larger one is handed to the task worker and its page shows progress. Rows are
checked against the importer's scope one by one in the ledger itself, so a job can be started
by anyone who may add or change that kind of record somewhere.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import logging
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit, workers
from fangyi.core.context import acting, current
from fangyi.core.models import AccessEvent, ObjectChange
from fangyi.core.permissions import ADD, CHANGE, EVERYWHERE, REVEAL, VIEW, can, require, scope_paths

from .exporting import export_ledger, write_template
from .importing import Importer, ImportResult
from .models import ExportFormat, ExportJob, ImportJob, JobStatus
from .registry import LEDGERS, Ledger, UnknownLedger, get_ledger

logger = logging.getLogger(__name__)

MASKED_FIELDS = ["name", "id_number", "phone"]


def ledger_or_error(slug: str) -> type[Ledger]:
    try:
        return get_ledger(slug)
    except UnknownLedger as exc:
        raise ValidationError(
            {
                "ledger": _("没有这种台账：%(slug)s。可选：%(choices)s。")
                % {"slug": slug, "choices": "、".join(LEDGERS)}
            }
        ) from exc


def may_import(actor, ledger: type[Ledger]) -> bool:
    if not ledger.importable:
        return False
    return can(actor, ledger.resource, ADD) or can(actor, ledger.resource, CHANGE)


def _require_import(actor, ledger: type[Ledger]) -> None:
    if not may_import(actor, ledger):
        raise PermissionDenied(_("您没有导入%(ledger)s的权限。") % {"ledger": ledger.title})


def _actor_name(actor) -> str:
    return actor.get_username() if actor is not None else "system"


def _scope_of(actor, ledger: type[Ledger]) -> str:
    """The region path an import's summary is filed under, so the audit log of whoever
    oversees the importer's area shows it."""
    paths = scope_paths(actor, ledger.resource, ADD)
    if paths is EVERYWHERE or not paths:
        return ""
    return os.path.commonprefix(list(paths))


# Imports -------------------------------------------------------------------------------------


def start_import(
    *, actor, ledger: str, upload, dry_run: bool = True, all_or_nothing: bool = False
) -> ImportJob:
    """Stores an uploaded file and checks (or imports) it, now or in the background."""
    ledger_cls = ledger_or_error(ledger)
    _require_import(actor, ledger_cls)
    if upload is None:
        raise ValidationError({"file": _("请选择要导入的文件。")})
    size = upload.size
    if size > settings.FANGYI_LEDGER_MAX_BYTES:
        raise ValidationError({"file": too_large_message()})
    if size == 0:
        raise ValidationError({"file": _("文件是空的。")})
    job = ImportJob(
        ledger=ledger_cls.slug,
        actor=actor,
        actor_name=_actor_name(actor),
        file_name=Path(upload.name or "upload").name[:255],
        file_size=size,
        sha256="",
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
    )
    job.directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with job.upload_path.open("wb") as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
    job.sha256 = digest.hexdigest()
    job.save(force_insert=True)
    _dispatch_import(job)
    return job


def too_large_message() -> str:
    return _("文件超过 %(mb)s MB 的上限，请拆分后导入。") % {
        "mb": f"{settings.FANGYI_LEDGER_MAX_BYTES / (1024 * 1024):g}"
    }


def commit_import(*, actor, preview: ImportJob, all_or_nothing: bool | None = None) -> ImportJob:
    """Imports the file a dry run checked; the rows are checked again as they are written."""
    if preview.actor_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只能导入自己上传的文件。"))
    _require_import(actor, ledger_or_error(preview.ledger))
    if not preview.dry_run or preview.status != JobStatus.DONE:
        raise ValidationError({"preview": _("只能导入已完成预检的文件。")})
    if not preview.upload_path.exists():
        raise ValidationError({"preview": _("上传的文件已不在服务器上，请重新上传。")})
    job = ImportJob.objects.create(
        ledger=preview.ledger,
        actor=actor,
        actor_name=_actor_name(actor),
        file_name=preview.file_name,
        file_size=preview.file_size,
        sha256=preview.sha256,
        dry_run=False,
        all_or_nothing=preview.all_or_nothing if all_or_nothing is None else all_or_nothing,
        preview=preview,
        rows_total=preview.rows_read or preview.rows_total,
    )
    _dispatch_import(job)
    return job


def import_path(
    *, actor, ledger: str, path: str | Path, dry_run: bool = False, all_or_nothing: bool = False
) -> tuple[ImportJob, ImportResult]:
    """Imports a file on this machine (the command line), keeping every error."""
    ledger_cls = ledger_or_error(ledger)
    _require_import(actor, ledger_cls)
    path = Path(path)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    job = ImportJob.objects.create(
        ledger=ledger_cls.slug,
        actor=actor,
        actor_name=_actor_name(actor),
        file_name=path.name[:255],
        file_size=path.stat().st_size,
        sha256=digest.hexdigest(),
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
    )
    result = run_import_job(job=job, path=path, keep_all_errors=True)
    assert result is not None, "a job made here is queued"
    return job, result


def _dispatch_import(job: ImportJob) -> None:
    if job.file_size <= settings.FANGYI_LEDGER_INLINE_BYTES:
        # A failure is logged and recorded on the job, which the caller then shows.
        with contextlib.suppress(Exception):
            run_import_job(job=job)
        job.refresh_from_db()
        return
    _enqueue(job)


def requeue(job: ImportJob | ExportJob) -> None:
    """Hands a job queued again (by recovery, or run again by its owner) to the worker."""
    _enqueue(job)


def retry_job(*, actor, job: ImportJob | ExportJob) -> ImportJob | ExportJob:
    """Runs again a job that failed in a way running it again may mend: an import resumes
    after its committed rows, an export is written again. Only its owner may, with the right
    they needed to start it."""
    if job.actor_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只能重试自己的任务。"))
    ledger = ledger_or_error(job.ledger)
    if isinstance(job, ImportJob):
        _require_import(actor, ledger)
        scope = _scope_of(actor, ledger)
    else:
        _require_export(actor, ledger, job.region, revealed=job.revealed)
        scope = job.region.path
    if job.status != JobStatus.FAILED or not job.retryable:
        raise ValidationError({"job": _("只有因中断而失败的任务可以重试。")})
    if isinstance(job, ImportJob) and not job.upload_path.exists():
        raise ValidationError({"job": _("上传的文件已不在服务器上，无法继续。")})
    with transaction.atomic():
        taken = (
            type(job)
            .objects.filter(pk=job.pk, status=JobStatus.FAILED, retryable=True)
            .update(
                status=JobStatus.QUEUED,
                message="",
                attempts=0,
                retryable=False,
                finished_at=None,
                worker="",
                task_result_id="",
            )
        )
        if not taken:
            raise ValidationError({"job": _("只有因中断而失败的任务可以重试。")})
        audit.record_change(
            actor=actor,
            action=ObjectChange.UPDATE,
            obj=job,
            before={"status": JobStatus.FAILED.value, "message": job.message},
            after={"status": JobStatus.QUEUED.value, "message": ""},
            region_path=scope,
        )
        _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job: ImportJob | ExportJob) -> None:
    """Hands the job to the task worker once the caller's transaction commits, and notes the
    backend's id of the task on the job."""
    from .tasks import export_ledger, import_ledger

    task = import_ledger if isinstance(job, ImportJob) else export_ledger
    model = type(job)

    def enqueue() -> None:
        result = task.enqueue(str(job.pk))
        model.objects.filter(pk=job.pk).update(task_result_id=str(result.id))

    transaction.on_commit(enqueue)


def _progress(job: ImportJob):
    def update(result: ImportResult) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            rows_read=result.rows,
            rows_written=result.rows_written,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            error_rows=result.error_rows,
            households_created=result.households_created,
            progressed_at=timezone.now(),
        )

    return update


def _claim(job: ImportJob | ExportJob) -> bool:
    """Takes a queued job for this process; False when another has it or it is finished (a
    task handed out twice, or recovered meanwhile)."""
    now = timezone.now()
    model = type(job)
    taken = model.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        started_at=Coalesce("started_at", Value(now)),
        progressed_at=now,
        worker=workers.identity(),
        attempts=F("attempts") + 1,
    )
    if not taken:
        return False
    # The job object is saved whole when it finishes: it must carry what is set here.
    job.refresh_from_db()
    return True


def _committed(job: ImportJob) -> ImportResult | None:
    """What an import that broke off committed with its last chunk, to resume after it."""
    if job.dry_run or job.all_or_nothing or not job.rows_read:
        return None
    return ImportResult(
        rows=job.rows_read,
        rows_written=job.rows_written,
        created=job.created,
        updated=job.updated,
        unchanged=job.unchanged,
        households_created=job.households_created,
    )


def run_import_job(
    *, job: ImportJob, path: str | Path | None = None, keep_all_errors: bool = False
) -> ImportResult | None:
    """Runs a queued import to the end and records its outcome on the job; resumes after the
    last committed chunk an import whose worker died. None when the job was not queued."""
    if not _claim(job):
        logger.info("ledger import %s is not queued (%s): not run", job.pk, job.status)
        return None
    ledger = get_ledger(job.ledger)
    actor = job.actor
    importer = Importer(
        ledger=ledger,
        actor=actor,
        path=path or job.upload_path,
        file_name=job.file_name,
        error_file=job.error_file_path,
        max_errors_kept=None if keep_all_errors else 1000,
        on_progress=_progress(job),
        rows_total=lambda n: ImportJob.objects.filter(pk=job.pk).update(rows_total=n),
    )
    context = current()
    via = context.via if context.via != "system" else "task"
    try:
        with acting(via=via, ip=context.ip, request_id=context.request_id):
            result = importer.run(
                dry_run=job.dry_run, all_or_nothing=job.all_or_nothing, resume=_committed(job)
            )
    except Exception:
        logger.exception("ledger import %s broke off", job.pk)
        _failed(job, _("导入中断，已写入的行已保存；可以点“从中断处继续”接着导入（不会重复）。"))
        raise
    try:
        _finish_import(job, result)
    except Exception:
        logger.exception("ledger import %s could not be recorded", job.pk)
        _failed(job, _("导入已结束，但结果未能保存；可以点“从中断处继续”核对（不会重复）。"))
        raise
    return result


def _failed(job, message: str, *, retryable: bool = True) -> None:
    type(job).objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, message=message, finished_at=timezone.now(), retryable=retryable
    )


def _finish_import(job: ImportJob, result: ImportResult) -> None:
    if result.unreadable:
        status, message = JobStatus.FAILED, result.unreadable
    elif result.refused:
        status = JobStatus.REFUSED
        message = _("有 %(n)d 行错误，按“全部成功才导入”的要求，整个文件未导入。") % {
            "n": result.error_rows
        }
    else:
        status, message = JobStatus.DONE, ""
    job.status, job.message = status, message
    job.rows_read, job.rows_written = result.rows, result.rows_written
    job.rows_total = result.rows
    job.created, job.updated, job.unchanged = result.created, result.updated, result.unchanged
    job.error_rows, job.households_created = result.error_rows, result.households_created
    job.header_row, job.unknown_columns = result.header_row, result.unknown_columns
    job.errors = result.errors[:1000]
    job.has_error_file = job.error_file_path.exists()
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save()
        if not job.dry_run:
            audit.record_change(
                actor=job.actor,
                action=ObjectChange.CREATE,
                obj=job,
                before=None,
                after={
                    "ledger": job.ledger,
                    "file_name": job.file_name,
                    "sha256": job.sha256,
                    "file_size": job.file_size,
                    "all_or_nothing": job.all_or_nothing,
                    "status": job.status,
                    "rows_read": job.rows_read,
                    "created": job.created,
                    "updated": job.updated,
                    "unchanged": job.unchanged,
                    "error_rows": job.error_rows,
                    "households_created": job.households_created,
                },
                region_path=_scope_of(job.actor, get_ledger(job.ledger)),
            )


def purge_files(*, older_than: datetime.timedelta) -> int:
    """Deletes the files of jobs finished longer ago than `older_than`: uploaded ledgers, error
    workbooks and exports hold personal data in plain text and are not kept for ever. The jobs
    themselves stay, as the record of what was imported and exported. Returns how many jobs'
    files were deleted."""
    cutoff = timezone.now() - older_than
    for model in (ImportJob, ExportJob):
        # A job still "running" after that long lost its worker: say so before its files go.
        stuck = model.objects.exclude(status__in=JobStatus.finished()).filter(
            Q(progressed_at__lt=cutoff) | Q(progressed_at=None, created_at__lt=cutoff)
        )
        stuck.update(
            status=JobStatus.FAILED,
            message=_("任务长时间没有进展，已判定中断，文件已按保留期限删除。"),
            finished_at=timezone.now() - older_than - datetime.timedelta(seconds=1),
        )
    purged = 0
    for model in (ImportJob, ExportJob):
        finished = model.objects.filter(finished_at__lt=cutoff).only("id").order_by()
        for job in finished.iterator(chunk_size=1000):
            if job.directory.exists():
                shutil.rmtree(job.directory, ignore_errors=True)
                purged += 1
    ImportJob.objects.filter(finished_at__lt=cutoff, has_error_file=True).update(
        has_error_file=False
    )
    return purged


def template_name(ledger: type[Ledger]) -> str:
    return f"{ledger.title}-模板.xlsx"


def template_file(ledger: type[Ledger]) -> io.BytesIO:
    buffer = io.BytesIO()
    write_template(ledger=ledger, path=buffer)
    buffer.seek(0)
    return buffer


# Exports -------------------------------------------------------------------------------------


def export_region(*, actor, ledger: str, code: str):
    """The region of that code if the actor may see it or export the ledger there, else None
    (whether it exists or not). A lab exports its results for the city without the right to
    browse the region tree; whoever sees a region but may not export there hears why from
    `start_export`."""
    from fangyi.regions.models import Region

    ledger_cls = ledger_or_error(ledger)
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        return None
    if can(actor, "region", VIEW, region.path) or can(
        actor, ledger_cls.resource, ledger_cls.export_action, region.path
    ):
        return region
    return None


def start_export(
    *,
    actor,
    ledger: str,
    region,
    fmt: str = ExportFormat.XLSX,
    reveal_reason: str = "",
    filters: dict | None = None,
    inline: bool | None = None,
) -> ExportJob:
    """Exports what the actor may see under `region`; plain text only with a logged reason."""
    ledger_cls = ledger_or_error(ledger)
    if fmt not in ExportFormat.values:
        raise ValidationError({"format": _("格式应为 xlsx 或 csv。")})
    _require_export(actor, ledger_cls, region, revealed=False)
    filters = _export_filters(ledger_cls, filters or {})
    reveal_reason = (reveal_reason or "").strip()
    revealed = bool(reveal_reason)
    personal = ledger_cls.resource == "person"
    if revealed and personal:
        if len(reveal_reason) < 2:
            raise ValidationError({"reveal_reason": _("请填写导出明文的理由。")})
        _require_export(actor, ledger_cls, region, revealed=True)
    job = ExportJob(
        ledger=ledger_cls.slug,
        actor=actor,
        actor_name=_actor_name(actor),
        region=region,
        format=fmt,
        revealed=revealed and personal,
        reveal_reason=reveal_reason if personal else "",
        filters=filters,
        rows_total=ledger_cls(actor=actor).export_count(region=region, filters=filters),
    )
    with transaction.atomic():
        job.save(force_insert=True)
        if personal:
            audit.record_access(
                actor=actor,
                kind=AccessEvent.EXPORT,
                obj=region,
                reason=reveal_reason or _("导出脱敏台账"),
                fields=MASKED_FIELDS if job.revealed else [],
            )
    if inline is None:
        inline = (job.rows_total or 0) <= settings.FANGYI_LEDGER_INLINE_EXPORT_ROWS
    if inline:
        with contextlib.suppress(Exception):
            run_export_job(job=job)
        job.refresh_from_db()
    else:
        _enqueue(job)
    return job


def _require_export(actor, ledger: type[Ledger], region, *, revealed: bool) -> None:
    require(
        actor,
        ledger.resource,
        ledger.export_action,
        region.path,
        message=_("您没有导出该区域%(ledger)s的权限。") % {"ledger": ledger.title},
    )
    if revealed:
        require(
            actor,
            ledger.resource,
            REVEAL,
            region.path,
            message=_("您没有查看该区域居民明文的权限。"),
        )


def _export_filters(ledger: type[Ledger], filters: dict) -> dict:
    """The filters given, checked against what the ledger offers; blanks dropped."""
    errors = {}
    kept = {}
    for name, value in filters.items():
        if value in (None, ""):
            continue
        allowed = ledger.export_filters.get(name)
        if allowed is None:
            errors[name] = _("%(ledger)s不能按此筛选。") % {"ledger": ledger.title}
        elif value not in allowed:
            errors[name] = _("取值无效，可选值：%(expected)s。") % {"expected": "、".join(allowed)}
        else:
            kept[name] = value
    if errors:
        raise ValidationError(errors)
    return kept


def run_export_job(*, job: ExportJob) -> int | None:
    """Writes the export's file and records it on the job; None when the job was not queued.
    An export whose worker died is written again from the start: it is a file, and the
    file is only put in place once complete, so a half-written one is never downloaded."""
    if not _claim(job):
        logger.info("ledger export %s is not queued (%s): not run", job.pk, job.status)
        return None
    ledger = get_ledger(job.ledger)(actor=job.actor)

    def progress(count: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_written=count, progressed_at=timezone.now())

    partial = job.file_path.with_name(job.file_path.name + ".part")
    try:
        count = export_ledger(
            ledger=ledger,
            region=job.region,
            reveal=job.revealed,
            fmt=job.format,
            path=partial,
            filters=job.filters,
            on_progress=progress,
        )
        partial.replace(job.file_path)
    except Exception:
        logger.exception("ledger export %s broke off", job.pk)
        _failed(job, _("导出中断，可以点“重新运行”再试一次。"))
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, rows_written=count, rows_total=count, finished_at=timezone.now()
    )
    return count

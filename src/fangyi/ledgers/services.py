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
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
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
    return job, result


def _dispatch_import(job: ImportJob) -> None:
    if job.file_size <= settings.FANGYI_LEDGER_INLINE_BYTES:
        # A failure is logged and recorded on the job, which the caller then shows.
        with contextlib.suppress(Exception):
            run_import_job(job=job)
        job.refresh_from_db()
        return
    from .tasks import import_ledger

    transaction.on_commit(lambda: import_ledger.enqueue(str(job.pk)))


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


def run_import_job(
    *, job: ImportJob, path: str | Path | None = None, keep_all_errors: bool = False
) -> ImportResult:
    """Runs a queued import to the end and records its outcome on the job."""
    ledger = get_ledger(job.ledger)
    actor = job.actor
    # The job object is saved whole when it finishes: it must carry what is set here.
    job.status, job.started_at = JobStatus.RUNNING, timezone.now()
    job.progressed_at = job.started_at
    ImportJob.objects.filter(pk=job.pk).update(
        status=job.status, started_at=job.started_at, progressed_at=job.started_at
    )
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
            result = importer.run(dry_run=job.dry_run, all_or_nothing=job.all_or_nothing)
    except Exception:
        logger.exception("ledger import %s broke off", job.pk)
        _failed(job, _("导入中断，已写入的行已保存；请重新导入同一文件以完成（不会重复）。"))
        raise
    try:
        _finish_import(job, result)
    except Exception:
        logger.exception("ledger import %s could not be recorded", job.pk)
        _failed(job, _("导入已结束，但结果未能保存；请重新导入同一文件核对（不会重复）。"))
        raise
    return result


def _failed(job, message: str) -> None:
    type(job).objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, message=message, finished_at=timezone.now()
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
            message=_("任务长时间没有进展，已判定中断；导入可以重新上传同一文件，不会重复。"),
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
    require(
        actor,
        ledger_cls.resource,
        ledger_cls.export_action,
        region.path,
        message=_("您没有导出该区域%(ledger)s的权限。") % {"ledger": ledger_cls.title},
    )
    filters = _export_filters(ledger_cls, filters or {})
    reveal_reason = (reveal_reason or "").strip()
    revealed = bool(reveal_reason)
    personal = ledger_cls.resource == "person"
    if revealed and personal:
        if len(reveal_reason) < 2:
            raise ValidationError({"reveal_reason": _("请填写导出明文的理由。")})
        require(
            actor,
            ledger_cls.resource,
            REVEAL,
            region.path,
            message=_("您没有查看该区域居民明文的权限。"),
        )
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
        from .tasks import export_ledger as export_task

        transaction.on_commit(lambda: export_task.enqueue(str(job.pk)))
    return job


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


def run_export_job(*, job: ExportJob) -> int:
    ledger = get_ledger(job.ledger)(actor=job.actor)
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=now, progressed_at=now
    )

    def progress(count: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_written=count, progressed_at=timezone.now())

    try:
        count = export_ledger(
            ledger=ledger,
            region=job.region,
            reveal=job.revealed,
            fmt=job.format,
            path=job.file_path,
            filters=job.filters,
            on_progress=progress,
        )
    except Exception:
        logger.exception("ledger export %s broke off", job.pk)
        _failed(job, _("导出中断，请重试。"))
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, rows_written=count, rows_total=count, finished_at=timezone.now()
    )
    return count

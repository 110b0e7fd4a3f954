"""Ledger imports and exports over the API.

An import is a job: `POST /ledgers/{ledger}/imports` with the file (multipart) answers 202
with the job; small files are already finished then, larger ones are processed by the task
worker and polled with `GET /ledgers/imports/{id}`. A dry run is committed with
`POST /ledgers/imports/{id}/commit`. Exports work the same way and give a download URL when
done. A job whose worker died is resumed by recovery, or fails with the reason; one that
failed on the way gives a `retry_url` (`POST …/retry`) that runs it again. A caller sees only their own jobs; anyone else's answer 404. A file that is plainly no
spreadsheet (a photo, a PDF) is refused with 422 before any job is made; one that cannot be
read for a subtler reason (corrupt, a zip bomb, no header) gives a job that ends `failed`.
"""

import codecs
import datetime
import uuid
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from fangyi.core.api import get_by_id
from fangyi.core.schemas import ERROR_RESPONSES, Input, Text
from fangyi.people.models import TAG_SLUGS, ResidenceStatus

from . import services
from .models import ExportJob, ImportJob
from .registry import LEDGERS

router = Router(tags=["ledgers"])

JobStatusCode = Literal["queued", "running", "done", "refused", "failed"]


class ColumnRead(Schema):
    key: str
    header: str
    synonyms: list[str]
    required: bool
    description: str
    example: str


class LedgerRead(Schema):
    slug: str
    title: str
    columns: list[ColumnRead]


class RowError(Schema):
    row: int
    column: str
    message: str


def _retry_url(job: ImportJob | ExportJob, name: str) -> str | None:
    if job.status != "failed" or not job.retryable:
        return None
    return reverse(name, kwargs={"job_id": job.pk})


class ImportJobRead(Schema):
    id: uuid.UUID
    ledger: str
    status: JobStatusCode
    message: str
    dry_run: bool
    all_or_nothing: bool
    file_name: str
    file_size: int
    sha256: str
    header_row: int | None
    rows_total: int | None = Field(description="an estimate until the job is finished")
    rows_read: int
    rows_written: int
    percent: int
    created: int
    updated: int
    unchanged: int
    error_rows: int
    households_created: int
    unknown_columns: list[str]
    errors: list[RowError] = Field(description="the first 100 errors; errors_url has them all")
    errors_url: str | None
    commit_url: str | None = Field(description="to import the rows this dry run checked")
    preview: uuid.UUID | None
    stalled: bool = Field(description="unfinished and not moving: its worker is gone or busy")
    attempts: int = Field(description="times started: the first run and each resumption")
    retry_url: str | None = Field(description="to run again a job that failed on the way")
    created_at: datetime.datetime
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_retry_url(job: ImportJob) -> str | None:
        return _retry_url(job, "api:ledger_import_retry")

    @staticmethod
    def resolve_errors(job: ImportJob) -> list[dict]:
        return job.errors[:100]

    @staticmethod
    def resolve_errors_url(job: ImportJob) -> str | None:
        if not job.has_error_file:
            return None
        return reverse("api:ledger_import_errors", kwargs={"job_id": job.pk})

    @staticmethod
    def resolve_commit_url(job: ImportJob) -> str | None:
        if not (job.dry_run and job.status == "done"):
            return None
        return reverse("api:ledger_import_commit", kwargs={"job_id": job.pk})

    @staticmethod
    def resolve_preview(job: ImportJob) -> uuid.UUID | None:
        return job.preview_id


class ExportJobRead(Schema):
    id: uuid.UUID
    ledger: str
    status: JobStatusCode
    message: str
    region: str
    format: Literal["xlsx", "csv"]
    revealed: bool
    filters: dict[str, str]
    rows_total: int | None
    rows_written: int
    percent: int
    download_url: str | None
    stalled: bool = Field(description="unfinished and not moving: its worker is gone or busy")
    attempts: int = Field(description="times started: the first run and each resumption")
    retry_url: str | None = Field(description="to run again a job that failed on the way")
    created_at: datetime.datetime
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_retry_url(job: ExportJob) -> str | None:
        return _retry_url(job, "api:ledger_export_retry")

    @staticmethod
    def resolve_region(job: ExportJob) -> str:
        return job.region.code

    @staticmethod
    def resolve_download_url(job: ExportJob) -> str | None:
        if job.status != "done":
            return None
        return reverse("api:ledger_export_file", kwargs={"job_id": job.pk})


class ExportCreate(Input):
    region: Text = Field(description="code of the region whose subtree is exported")
    tag: Literal[*TAG_SLUGS] | None = Field(None, description="residents: only those with this tag")  # type: ignore[valid-type]  # a Literal of the choices, built at run time
    residence_status: Literal[*ResidenceStatus.values] | None = Field(  # type: ignore[valid-type]  # a Literal of the choices, built at run time
        None, description="residents: only those with this residence status"
    )
    round: uuid.UUID | None = Field(None, description="screening-missing: the round's id")
    format: Literal["xlsx", "csv"] = "xlsx"
    reveal_reason: Text = Field(
        "",
        description="names, ID numbers and phones in plain text, for this reason (logged); "
        "masked when empty",
    )


def _ledger(slug: str):
    return services.ledger_or_error(slug)


@router.get("", response={200: list[LedgerRead], **ERROR_RESPONSES})
def list_ledgers(request):
    return [
        {
            "slug": ledger.slug,
            "title": str(ledger.title),
            "columns": [
                {
                    "key": c.key,
                    "header": c.header,
                    "synonyms": list(c.synonyms),
                    "required": c.required,
                    "description": str(c.description),
                    "example": c.example,
                }
                for c in ledger.columns
            ],
        }
        for ledger in LEDGERS.values()
    ]


@router.get("/imports/{job_id}", response={200: ImportJobRead, **ERROR_RESPONSES})
def get_import(request, job_id: str):
    return get_by_id(ImportJob.objects.visible_to(request.auth), job_id)


@router.post(
    "/imports/{job_id}/commit",
    response={202: ImportJobRead, **ERROR_RESPONSES},
    url_name="ledger_import_commit",
)
def commit_import(request, job_id: str):
    preview = get_by_id(ImportJob.objects.visible_to(request.auth), job_id)
    return Status(202, services.commit_import(actor=request.auth, preview=preview))


@router.post(
    "/imports/{job_id}/retry",
    response={202: ImportJobRead, **ERROR_RESPONSES},
    url_name="ledger_import_retry",
)
def retry_import(request, job_id: str):
    job = get_by_id(ImportJob.objects.visible_to(request.auth), job_id)
    return Status(202, services.retry_job(actor=request.auth, job=job))


@router.get("/imports/{job_id}/errors", url_name="ledger_import_errors", response=ERROR_RESPONSES)
def import_errors(request, job_id: str):
    job = get_by_id(ImportJob.objects.visible_to(request.auth), job_id)
    if not job.has_error_file or not job.error_file_path.exists():
        raise Http404
    return FileResponse(
        job.error_file_path.open("rb"), as_attachment=True, filename=job.error_file_name
    )


@router.get("/exports/{job_id}", response={200: ExportJobRead, **ERROR_RESPONSES})
def get_export(request, job_id: str):
    return get_by_id(ExportJob.objects.visible_to(request.auth).select_related("region"), job_id)


@router.post(
    "/exports/{job_id}/retry",
    response={202: ExportJobRead, **ERROR_RESPONSES},
    url_name="ledger_export_retry",
)
def retry_export(request, job_id: str):
    job = get_by_id(ExportJob.objects.visible_to(request.auth).select_related("region"), job_id)
    return Status(202, services.retry_job(actor=request.auth, job=job))


@router.get("/exports/{job_id}/file", url_name="ledger_export_file", response=ERROR_RESPONSES)
def export_file(request, job_id: str):
    job = get_by_id(ExportJob.objects.visible_to(request.auth).select_related("region"), job_id)
    if job.status != "done" or not job.file_path.exists():
        raise Http404
    return FileResponse(job.file_path.open("rb"), as_attachment=True, filename=job.download_name)


@router.post("/{ledger}/imports", response={202: ImportJobRead, **ERROR_RESPONSES})
def create_import(
    request,
    ledger: str,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    all_or_nothing: Form[bool] = False,
):
    ledger_cls = _ledger(ledger)
    if not services.may_import(request.auth, ledger_cls):
        raise PermissionDenied(_("您没有导入%(ledger)s的权限。") % {"ledger": ledger_cls.title})
    _refuse_what_is_no_spreadsheet(file)
    job = services.start_import(
        actor=request.auth,
        ledger=ledger_cls.slug,
        upload=file,
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
    )
    return Status(202, job)


_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_TEXT_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _refuse_what_is_no_spreadsheet(upload) -> None:
    """A file that is neither a workbook (zip or OLE2) nor text (a photo, a PDF, a program)
    is refused with 422 at once, whether it would run now or in the worker. The check is
    looser than reading.py's, which still decides everything else (and fails the job)."""
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if not head or head.startswith(_WORKBOOK_MAGIC) or head.startswith(_TEXT_BOMS):
        return
    if b"\x00" not in head:
        for encoding in ("utf-8", "gb18030"):
            try:
                codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            except UnicodeDecodeError:
                continue
            return
    raise ValidationError({"file": _("无法识别的文件格式：请上传 xlsx、xls 或 csv 文件。")})


@router.post("/{ledger}/exports", response={202: ExportJobRead, **ERROR_RESPONSES})
def create_export(request, ledger: str, body: ExportCreate):
    ledger_cls = _ledger(ledger)
    region = services.export_region(actor=request.auth, ledger=ledger_cls.slug, code=body.region)
    if region is None:
        raise Http404
    job = services.start_export(
        actor=request.auth,
        ledger=ledger_cls.slug,
        region=region,
        fmt=body.format,
        reveal_reason=body.reveal_reason,
        filters={
            "tag": body.tag,
            "residence_status": body.residence_status,
            "round": str(body.round) if body.round else None,
        },
    )
    return Status(202, job)


@router.get("/{ledger}/template", response=ERROR_RESPONSES)
def template(request, ledger: str):
    ledger_cls = _ledger(ledger)
    return FileResponse(
        services.template_file(ledger_cls),
        as_attachment=True,
        filename=services.template_name(ledger_cls),
    )

"""Ledger pages: templates, uploads with a dry run to confirm, progress, error workbooks and
exports. Every write goes through `services`; a job belongs to whoever started it, and
anyone else's answers 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.forms import add_service_errors
from fangyi.core.pagination import InvalidCursor, keyset_page
from fangyi.core.permissions import EVERYWHERE, REVEAL, can, scope_paths
from fangyi.people.area import PERSON
from fangyi.regions.models import Region

from . import services
from .forms import CommitForm, ExportForm, ImportForm
from .models import ExportFormat, ExportJob, ImportJob, JobStatus
from .registry import LEDGERS, Ledger, UnknownLedger, get_ledger
from .uploads import upload_too_large

HISTORY_SIZE = 50
HISTORY_ORDER = ("-created_at", "-id")
ERRORS_SHOWN = 50


def _ledger(slug: str) -> type[Ledger]:
    try:
        return get_ledger(slug)
    except UnknownLedger as exc:
        raise Http404 from exc


def may_export(user, ledger: type[Ledger]) -> bool:
    return can(user, ledger.resource, ledger.export_action)


def _history(request, queryset, param: str):
    """One page of the user's own jobs, newest first; a cursor we did not issue starts over."""
    queryset = queryset.filter(actor=request.user)
    try:
        return keyset_page(
            queryset, ordering=HISTORY_ORDER, cursor=request.GET.get(param), size=HISTORY_SIZE
        )
    except InvalidCursor:
        return keyset_page(queryset, ordering=HISTORY_ORDER, cursor=None, size=HISTORY_SIZE)


@login_required
def ledger_index(request):
    user = request.user
    ledgers = []
    for ledger in LEDGERS.values():
        importable, exportable = services.may_import(user, ledger), may_export(user, ledger)
        if importable or exportable:
            ledgers.append(
                {
                    "slug": ledger.slug,
                    "title": ledger.title,
                    "required": [c.header for c in ledger.columns if c.required],
                    "headers": [c.header for c in ledger.columns],
                    "may_import": importable,
                    "may_export": exportable,
                }
            )
    if not ledgers:
        raise PermissionDenied
    imports, next_imports = _history(request, ImportJob.objects.visible_to(user), "imports")
    exports, next_exports = _history(
        request, ExportJob.objects.visible_to(user).select_related("region"), "exports"
    )
    titles = {slug: ledger.title for slug, ledger in LEDGERS.items()}
    for job in (*imports, *exports):
        job.ledger_title = titles.get(job.ledger, job.ledger)
    return render(
        request,
        "ledgers/index.html",
        {
            "ledgers": ledgers,
            "imports": imports,
            "next_imports": next_imports,
            "exports": exports,
            "next_exports": next_exports,
        },
    )


@login_required
def template_download(request, slug: str):
    ledger = _ledger(slug)
    return FileResponse(
        services.template_file(ledger),
        as_attachment=True,
        filename=services.template_name(ledger),
    )


# Imports -------------------------------------------------------------------------------------


@login_required
def import_form(request, slug: str):
    ledger = _ledger(slug)
    if not services.may_import(request.user, ledger):
        raise PermissionDenied
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and upload_too_large(request):
        form = ImportForm(request.POST)
        form.is_valid()
        form.errors["file"] = form.error_class([services.too_large_message()])
    elif request.method == "POST" and form.is_valid():
        try:
            job = services.start_import(
                actor=request.user,
                ledger=ledger.slug,
                upload=form.cleaned_data["file"],
                dry_run=True,
                all_or_nothing=form.cleaned_data["all_or_nothing"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("ledgers:import-job", pk=job.pk)
    return render(
        request,
        "ledgers/import_form.html",
        {
            "ledger": ledger,
            "form": form,
            "max_mb": settings.FANGYI_LEDGER_MAX_BYTES // (1024 * 1024),
        },
    )


def _import_job(request, pk) -> ImportJob:
    queryset = ImportJob.objects.visible_to(request.user).select_related("preview")
    return get_object_or_404(queryset, pk=pk)


def _render_import_job(request, job: ImportJob, *, commit_form=None):
    context = {
        "job": job,
        "ledger": LEDGERS.get(job.ledger),
        "errors": job.errors[:ERRORS_SHOWN],
        "more_errors": len(job.errors) > ERRORS_SHOWN or job.error_rows > ERRORS_SHOWN,
        "errors_shown": ERRORS_SHOWN,
        "to_write": job.created + job.updated,
        "mine": job.actor_id == request.user.pk,
    }
    if job.dry_run and job.status == JobStatus.DONE and context["mine"]:
        context["commit_form"] = commit_form or CommitForm(
            initial={"all_or_nothing": job.all_or_nothing}
        )
        context["commits"] = list(job.commits.order_by("-created_at")[:5])
    template = "ledgers/import_job.html"
    if request.headers.get("HX-Request"):
        template = "ledgers/_import_job.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def import_job(request, pk):
    return _render_import_job(request, _import_job(request, pk))


@login_required
@require_POST
def import_commit(request, pk):
    preview = _import_job(request, pk)
    form = CommitForm(request.POST)
    if form.is_valid():
        try:
            job = services.commit_import(
                actor=request.user,
                preview=preview,
                all_or_nothing=form.cleaned_data["all_or_nothing"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("ledgers:import-job", pk=job.pk)
    return _render_import_job(request, preview, commit_form=form)


def _retry(request, job, page: str):
    try:
        services.retry_job(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(page, pk=job.pk)


@login_required
@require_POST
def import_retry(request, pk):
    return _retry(request, _import_job(request, pk), "ledgers:import-job")


@login_required
@require_POST
def export_retry(request, pk):
    return _retry(request, _export_job(request, pk), "ledgers:export-job")


@login_required
def import_errors(request, pk):
    job = _import_job(request, pk)
    if not job.has_error_file or not job.error_file_path.exists():
        raise Http404
    return FileResponse(
        job.error_file_path.open("rb"), as_attachment=True, filename=job.error_file_name
    )


# Exports -------------------------------------------------------------------------------------


def _default_region(user, ledger: type[Ledger]) -> str:
    """The code of the one region the user exports from, if there is just one."""
    paths = scope_paths(user, ledger.resource, ledger.export_action)
    if paths is EVERYWHERE or len(paths) != 1:
        return ""
    region = Region.objects.filter(path=paths[0]).only("code").first()
    return region.code if region else ""


@login_required
def export_form(request, slug: str):
    ledger = _ledger(slug)
    user = request.user
    if not may_export(user, ledger):
        raise PermissionDenied
    may_reveal = ledger.resource == PERSON and can(user, PERSON, REVEAL)
    code = request.GET.get("region", "").strip()[:18] or _default_region(user, ledger)
    options = {
        "user": user,
        "ledger": ledger.slug,
        "may_reveal": may_reveal,
        "filters": ledger.export_filters,
    }
    # Lists link here with their own filters (residents: tag, status; the missing list: round).
    linked = {name: request.GET.get(name, "") for name in ledger.export_filters}
    if "residence_status" in linked:
        linked["residence_status"] = linked["residence_status"] or request.GET.get("status", "")
    linked = {k: v for k, v in linked.items() if v}
    if request.method == "POST":
        form = ExportForm(request.POST, **options)
    elif code:
        # Bound, so that a region code from a link is checked (and named) at once.
        form = ExportForm({"region": code, "format": ExportFormat.XLSX, **linked}, **options)
    else:
        form = ExportForm(initial={"format": ExportFormat.XLSX, **linked}, **options)
    region = None
    if request.method == "GET" and code and form.is_valid():
        region = form.cleaned_data["region"]
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data["region"]
        try:
            job = services.start_export(
                actor=user,
                ledger=ledger.slug,
                region=region,
                fmt=form.cleaned_data["format"],
                reveal_reason=form.cleaned_data.get("reveal_reason", ""),
                filters=form.filters(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("您没有导出该区域的权限。"))
        else:
            return redirect("ledgers:export-job", pk=job.pk)
    return render(
        request,
        "ledgers/export_form.html",
        {"ledger": ledger, "form": form, "region": region},
    )


def _export_job(request, pk) -> ExportJob:
    queryset = ExportJob.objects.visible_to(request.user).select_related("region")
    return get_object_or_404(queryset, pk=pk)


@login_required
def export_job(request, pk):
    job = _export_job(request, pk)
    template = "ledgers/export_job.html"
    if request.headers.get("HX-Request"):
        template = "ledgers/_export_job.html"
    ledger = LEDGERS.get(job.ledger)
    filters = [
        str(ledger.export_filters[name].get(value, value))
        for name, value in job.filters.items()
        if ledger is not None and name in ledger.export_filters
    ]
    response = render(request, template, {"job": job, "ledger": ledger, "filters": filters})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def export_file(request, pk):
    job = _export_job(request, pk)
    if job.status != JobStatus.DONE or not job.file_path.exists():
        raise Http404
    return FileResponse(job.file_path.open("rb"), as_attachment=True, filename=job.download_name)

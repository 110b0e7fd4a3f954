"""Background imports and exports, run by `fangyi db_worker` (or any django.tasks backend)."""

import datetime

from django.conf import settings
from django.tasks import task

from fangyi.core.context import acting

from . import services
from .models import ExportJob, ImportJob


@task
def import_ledger(job_id: str) -> None:
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    with acting(via="task", request_id=job.pk.hex):
        services.run_import_job(job=job)


@task
def export_ledger(job_id: str) -> None:
    job = ExportJob.objects.select_related("actor", "region").get(pk=job_id)
    with acting(via="task", request_id=job.pk.hex):
        services.run_export_job(job=job)


@task
def purge_files_task() -> int:
    with acting(via="task"):
        return services.purge_files(
            older_than=datetime.timedelta(days=settings.FANGYI_LEDGER_KEEP_DAYS)
        )

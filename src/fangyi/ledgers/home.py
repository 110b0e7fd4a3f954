"""The ledger card: the user's own imports of the last week that still run or went wrong."""

import datetime

from django.urls import reverse
from django.utils import timezone

from fangyi.core.areas import Todo, TodoItem

from .models import ImportJob, JobStatus

RECENT = datetime.timedelta(days=7)
SHOWN_JOBS = 5
NEEDS_LOOKING_AT = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED, JobStatus.REFUSED)


def import_jobs(user) -> Todo:
    # The actor's own jobs by time: the importjob_actor_time index.
    jobs = list(
        ImportJob.objects.filter(
            actor=user,
            created_at__gte=timezone.now() - RECENT,
            status__in=NEEDS_LOOKING_AT,
        ).order_by("-created_at")[: SHOWN_JOBS + 1]
    )
    items = [
        TodoItem(
            label=job.file_name,
            url=reverse("ledgers:import-job", args=[job.pk]),
            detail=f"{job.get_status_display()} · "
            + timezone.localtime(job.created_at).strftime("%m-%d %H:%M"),
        )
        for job in jobs[:SHOWN_JOBS]
    ]
    return Todo(count=len(items), more=len(jobs) > SHOWN_JOBS, items=items)

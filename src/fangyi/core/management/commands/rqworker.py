"""`fangyi rqworker`: django-rq's worker (with FANGYI_TASK_BACKEND=rq), which first recovers the
jobs that a worker killed before it left running, as `fangyi db_worker` does."""

from typing import Any

from django_rq.management.commands import rqworker

from fangyi.core import workers


class Command(rqworker.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        for line in workers.recover_abandoned_jobs():
            self.stdout.write(line)
        super().handle(*args, **options)  # type: ignore[no-untyped-call]  # django-rq is untyped

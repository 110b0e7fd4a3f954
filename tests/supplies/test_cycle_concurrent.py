"""Two formations of the same batch at once on PostgreSQL (the periodic job on two workers,
or an officer closing early as the job runs), each on a connection of its own: one batch, each
request in it once, one delivery task each."""

import datetime
import threading

import pytest
from django.db import connection

from fangyi.fieldwork.models import Task
from fangyi.supplies.cycle import services
from fangyi.supplies.cycle.models import Batch, BatchEntry
from tests.supplies.cycle_support import accepted, cut_off_yesterday, package
from tests.supplies.support import vegetables

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections"),
    pytest.mark.django_db(transaction=True),
]


def test_two_formations_at_once_put_each_request_in_one_batch(city, officer):
    item = vegetables(officer, city.community)
    cut = cut_off_yesterday()
    made = [
        accepted(officer, household, package(item), at=cut - datetime.timedelta(minutes=n + 1))
        for n, household in enumerate([city.household_a, city.household_b] * 10)
    ]
    start = threading.Barrier(4)
    errors: list = []

    def form():
        try:
            start.wait()
            services.form_batch(actor=None, region=city.community, day=cut.date(), authorised=True)
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=form) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    batch = Batch.objects.get()
    assert BatchEntry.objects.filter(batch=batch).count() == len(made) == 20
    assert Task.objects.filter(source=services.TASK_SOURCE).count() == 20
    batch.refresh_from_db()
    assert batch.requests == 20

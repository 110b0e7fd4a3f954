"""The periodic jobs are declared and do their work: the proposals' catch-up and the sweep."""

import pytest

from fangyi.core.areas import periodic_jobs
from fangyi.isolation import tasks
from fangyi.isolation.models import Order
from tests.isolation.support_orders import contact

pytestmark = pytest.mark.django_db


def test_the_jobs_are_scheduled():
    names = {job.name: job.task for job in periodic_jobs()}
    assert names["isolation.propose-missing"] == "fangyi.isolation.tasks.propose_missing_task"
    assert names["isolation.sweep"] == "fangyi.isolation.tasks.nightly_sweep_task"


def test_the_jobs_run(city, officer):
    contact(officer, city.person_a)
    assert tasks.propose_missing_task.call() == 1
    assert Order.objects.filter(person=city.person_a).exists()
    assert tasks.nightly_sweep_task.call() == {
        "next_stages": 0,
        "ready": 0,
        "overdue": 0,
        "newly_overdue": 0,
    }

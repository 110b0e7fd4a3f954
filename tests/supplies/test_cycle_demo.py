"""`fangyi seed --demo-staff` closes the sealed zone's batch early: its accepted requests in a
batch, a delivery task each in the grid's pool; seeding again adds nothing."""

import io
import json

import pytest
from django.core.management import call_command

from fangyi.fieldwork.models import Task
from fangyi.supplies.cycle import services
from fangyi.supplies.cycle.models import Batch, BatchEntry


def seed() -> dict:
    out = io.StringIO()
    call_command("seed", "--residents", "600", "--seed", "5", "--demo-staff", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_demo_has_a_batch_with_its_delivery_tasks():
    summary = seed()["supplies_cycle"]
    batch = Batch.objects.get()
    assert summary["batch_requests"] == batch.requests == BatchEntry.objects.count() >= 2
    assert summary["delivery_tasks"] == batch.requests
    assert Task.objects.filter(source=services.TASK_SOURCE).count() == batch.requests
    assert services.pick_list([batch])
    assert "supplies_cycle" not in seed()
    assert Batch.objects.count() == 1

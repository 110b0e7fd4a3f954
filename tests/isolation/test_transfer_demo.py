"""The demo seed gives the demo driver a planned batch and one under way, once."""

import io

import pytest
from django.core.management import call_command

from fangyi.isolation.models import PassengerState, TransferBatch, TransferState

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command(
        "seed", "--residents", "600", "--seed", "5", "--demo-staff", "--json", stdout=io.StringIO()
    )


def test_the_demo_driver_has_a_planned_batch_and_one_under_way():
    seed()
    batches = TransferBatch.objects.filter(driver__username="driver")
    assert set(batches.values_list("state", flat=True)) == {
        TransferState.PLANNED,
        TransferState.UNDER_WAY,
    }
    moving = batches.get(state=TransferState.UNDER_WAY)
    assert moving.passengers.filter(state=PassengerState.PICKED_UP).count() == 1
    seed()
    assert TransferBatch.objects.count() == 2

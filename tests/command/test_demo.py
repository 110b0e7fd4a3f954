"""`fangyi seed --demo-staff` leaves a snapshot for each of the last 14 days, so the demo
screen's sparklines draw; seeding again leaves the same rows."""

import io
import json

import pytest
from django.core.management import call_command

from fangyi.command import services
from fangyi.command.models import Snapshot, SnapshotDay


def seed() -> dict:
    out = io.StringIO()
    call_command("seed", "--residents", "400", "--seed", "7", "--demo-staff", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_demo_has_fourteen_days_of_snapshots():
    summary = seed()["command"]
    assert summary["days"] == services.TREND_DAYS
    assert SnapshotDay.objects.count() == services.TREND_DAYS
    assert Snapshot.objects.filter(day=services.today(), key="residents.red").exists()
    rows = Snapshot.objects.count()
    assert seed()["command"]["rows"] == summary["rows"]
    assert Snapshot.objects.count() == rows

"""Check-ins and scans are kept FANGYI_CHECKIN_KEEP_DAYS days, then purged by a command or
the periodic task."""

import datetime
import json
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangyi.checkpoints import services
from fangyi.checkpoints.models import CheckIn, Scan
from fangyi.checkpoints.tasks import purge_old_task
from tests.checkpoints.support import visit
from tests.support import ago, run_queued_tasks


def _scan(user, at) -> Scan:
    return Scan.objects.create(
        client_id=uuid.uuid4(), staff=user, scanned_at=at, result="valid", region_path="35"
    )


def _fill(city, venue, guard):
    kept = [visit(city.person_a, venue, ago(days=20)), _scan(guard, ago(days=20, hours=23))]
    visit(city.person_b, venue, ago(days=21, minutes=1))
    _scan(guard, ago(days=30))
    return kept


def test_records_past_the_keeping_time_are_purged(city, guard_a, venue_a):
    checkin, scan = _fill(city, venue_a, guard_a)
    assert services.purge_old() == {"checkins": 1, "scans": 1}
    assert list(CheckIn.objects.all()) == [checkin] and list(Scan.objects.all()) == [scan]


def test_the_keeping_time_is_a_setting(city, guard_a, venue_a, settings):
    _fill(city, venue_a, guard_a)
    settings.FANGYI_CHECKIN_KEEP_DAYS = 7
    assert services.purge_old() == {"checkins": 2, "scans": 2}


def test_purging_from_a_given_moment(city, venue_a):
    visit(city.person_a, venue_a, ago(days=2))
    later = timezone.now() + datetime.timedelta(days=20)
    assert services.purge_old(now=later) == {"checkins": 1, "scans": 0}


def test_the_command_purges_and_reports(city, guard_a, venue_a, capsys):
    _fill(city, venue_a, guard_a)
    call_command("checkpoints", "purge", "--json")
    assert json.loads(capsys.readouterr().out) == {"checkins": 1, "scans": 1}
    call_command("checkpoints", "purge")
    assert "purged 0 check-ins and 0 scans older than 21 days" in capsys.readouterr().out


@pytest.mark.tasks
@pytest.mark.django_db(transaction=True)
def test_the_task_purges(city, guard_a, venue_a):
    _fill(city, venue_a, guard_a)
    result = purge_old_task.enqueue()
    run_queued_tasks()
    result.refresh()
    assert result.return_value == {"checkins": 1, "scans": 1}

"""`fangyi seed --demo-staff` makes a catalogue and a day of requests in the sealed zone, once."""

import io
import json

import pytest
from django.core.management import call_command

from fangyi.core.paths import under
from fangyi.demo.supplies import sealed_path
from fangyi.supplies.models import Request


def seed() -> dict:
    out = io.StringIO()
    call_command("seed", "--residents", "600", "--seed", "5", "--demo-staff", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_demo_has_a_catalogue_and_a_day_of_requests_in_the_sealed_zone():
    summary = seed()["supplies"]
    assert summary["catalogue"] == 8
    states = summary["requests"]
    assert all(states[state] >= 1 for state in states), states
    assert summary["overdue"] >= 1
    path = sealed_path()
    requests = Request.objects.filter(under("region_path", path))
    assert requests.count() == sum(states.values())
    kinds = set(requests.values_list("kind", flat=True))
    assert {"package", "goods", "hospital_trip", "repair"} <= kinds
    # The seed's sealed building has priority households: they ask for medicines.
    assert summary["priority"] >= 1
    assert requests.filter(kind="medicine", priority=True).count() == summary["priority"]
    assert requests.filter(channel="portal").exists()
    assert requests.filter(channel="hotline").exists()
    assert seed()["supplies"] == summary

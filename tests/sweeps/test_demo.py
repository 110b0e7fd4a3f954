"""`fangyi seed --demo-staff` starts one sweep of the first grid with a building given to the
demo grid worker and a few visits (a door not answered twice, a household visited twice, a
newcomer refused by the registry), once."""

import io
import json

import pytest
from django.core.management import call_command

from fangyi.people.models import Person
from fangyi.sweeps.models import Assignment, DoorState, Sweep, Visit


def seed() -> dict:
    out = io.StringIO()
    call_command("seed", "--residents", "600", "--seed", "5", "--demo-staff", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_demo_has_one_sweep_with_visits():
    summary = seed()["sweeps"]
    sweep = Sweep.objects.get()
    assert summary == {"households": sweep.household_count, "visited": 9, "created": True}
    assert Assignment.objects.get().assignee.username == "grid_worker"
    assert sweep.doors.filter(state=DoorState.VISITED).count() == 6
    assert sweep.doors.filter(state=DoorState.LISTED).count() == 1
    assert sweep.doors.filter(conflict=True).count() == 1
    assert Visit.objects.count() == 9
    refused = Visit.objects.get(refused__gt=0)
    assert [(p["what"], p["who"]) for p in refused.problems] == [("newcomers", "new:0")]
    assert not Person.objects.filter(name="林新来").exists()
    assert seed()["sweeps"] == summary | {"created": False}

"""Coverage against a hand-counted fixture: a community of two grids, three buildings, seven
households, and the visits below.

grid A, building A (4 households): 101 answered (2 confirmed, 1 newcomer back from a high-risk
area), 102 answered (1 confirmed), 103 not answered once, 104 never visited;
grid A, building A2 (1 household): 201 not answered twice (listed);
grid B, building B (2 households): 202 answered (1 confirmed), 203 never visited.
"""

import datetime

import pytest
from django.utils import timezone

from fangyi.regions.models import Level
from fangyi.sweeps import coverage
from fangyi.sweeps.models import DoorState
from tests.factories import HouseholdFactory, PersonFactory, region, resident_id
from tests.sweeps.support import start, upload, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def swept(city, officer):
    building_a2 = region("350102001001001002", "1号楼二座", Level.BUILDING, city.grid_a)
    second = PersonFactory(household=city.household_a)
    h102 = HouseholdFactory(building=city.building_a, room="102")
    p102 = PersonFactory(household=h102)
    h103 = HouseholdFactory(building=city.building_a, room="103")
    HouseholdFactory(building=city.building_a, room="104")
    h201 = HouseholdFactory(building=building_a2, room="201")
    h203 = HouseholdFactory(building=city.building_b, room="203")
    sweep = start(officer, city.community)
    here = lambda person: {"person": str(person.pk), "status": "here"}  # noqa: E731
    arrived = (timezone.now() - datetime.timedelta(days=2)).isoformat()
    upload(
        officer,
        sweep,
        visit(
            city.household_a,
            answers={
                "members": [here(city.person_a), here(second)],
                "newcomers": [{"name": "赵新来", "id_number": resident_id()}],
                "arrivals": [
                    {"who": "new:0", "from": "上海", "risk": "high", "arrived_at": arrived}
                ],
            },
        ),
        visit(h102, answers={"members": [here(p102)]}),
        visit(h103, outcome="not_answered"),
        visit(h201, outcome="not_answered"),
        visit(city.household_b, answers={"members": [here(city.person_b)]}),
    )
    upload(officer, sweep, visit(h201, outcome="not_answered"))
    return sweep, building_a2, h203


def figures(counts):
    return (
        counts.households,
        counts.visited,
        counts.to_visit,
        counts.not_answered,
        counts.listed,
        counts.confirmed,
        counts.newcomers,
        counts.arrivals,
    )


def test_the_community_and_its_grids(city, officer, swept):
    sweep, _a2, _h203 = swept
    found = coverage.coverage(officer, sweep, city.community)
    assert figures(found.total) == (7, 3, 4, 1, 1, 4, 1, 1)
    rows = {row.region.code: figures(row.counts) for row in found.rows}
    assert rows == {
        city.grid_a.code: (5, 2, 3, 1, 1, 3, 1, 1),
        city.grid_b.code: (2, 1, 1, 0, 0, 1, 0, 0),
    }


def test_down_to_the_buildings(city, officer, swept):
    sweep, building_a2, _h203 = swept
    rows = {
        row.region.code: figures(row.counts)
        for row in coverage.coverage(officer, sweep, city.grid_a).rows
    }
    assert rows == {
        city.building_a.code: (4, 2, 2, 1, 0, 3, 1, 1),
        building_a2.code: (1, 0, 1, 0, 1, 0, 0, 0),
    }


def test_the_unvisited_doors(city, officer, swept):
    sweep, _a2, h203 = swept
    doors = coverage.unvisited(officer, sweep, city.grid_b)
    assert [door.household_id for door in doors] == [h203.pk]
    listed = coverage.unvisited(officer, sweep, city.community, state=DoorState.LISTED)
    assert [door.household.room for door in listed] == ["201"]


def test_a_grid_worker_counts_only_their_grid(city, officer, worker_b, swept):
    sweep, _a2, _h203 = swept
    found = coverage.coverage(worker_b, sweep, city.community)
    assert figures(found.total) == (2, 1, 1, 0, 0, 1, 0, 0)

"""A resident who moves takes their samples along: coverage counts them in their new building."""

import pytest

from fangyi.people import services as people
from fangyi.screening.models import Sample

from .coverage_support import numbers, record, rows

pytestmark = pytest.mark.django_db


def test_a_moved_residents_samples_follow_them(city, officer, sampler, site, round_now):
    record(sampler, site, "T0001", [city.person_a], pool_size=1)
    people.update_person(
        actor=officer, person=city.person_a, changes={"household": city.household_b}
    )
    assert Sample.objects.get().region_path == city.building_b.path
    found = rows(round_now, officer)
    assert numbers(found[city.building_b.code])[:2] == (2, 1)
    assert numbers(found[city.building_a.code])[:2] == (0, 0)

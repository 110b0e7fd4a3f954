"""Who has not been sampled yet: expected persons under a region with no sample in the round
but invalid ones, in the user's scope, with household, building and tags; shown masked."""

import pytest

from fangyi.screening.coverage import services as coverage

from .coverage_support import ELDERLY_BIRTH, record, residents, result

pytestmark = pytest.mark.django_db


def _missing(round, user, region) -> list:
    return list(
        coverage.missing_persons(round, user=user, region=region).order_by("region_path", "id")
    )


def test_the_expected_not_yet_sampled(city, officer, sampler, site, campaign, round_now):
    more = residents(city, officer, campaign, round_now)
    record(sampler, site, "T0001", [city.person_a], pool_size=1)
    record(sampler, site, "T0002", [more.first], pool_size=1)
    result("T0002", "invalid")
    record(sampler, site, "T0003", [more.second], pool_size=1)
    result("T0003", "negative")
    found = _missing(round_now, officer, city.community)
    # The away and the exempted are not expected; the invalid tube's member is missing.
    assert {p.pk for p in found} == {more.first.pk, more.third.pk, city.person_b.pk}
    assert {p.pk for p in _missing(round_now, officer, city.building_b)} == {city.person_b.pk}


def test_with_household_building_and_tags_masked(city, officer, round_now):
    city.person_a.birth_date = ELDERLY_BIRTH
    city.person_a.lives_alone = True
    city.person_a.save()
    person = _missing(round_now, officer, city.building_a)[0]
    assert person.masked_name == "王*明"
    assert person.household.short_address == "1号楼1单元101"
    assert person.household.building.name == "1号楼"
    assert person.tag_labels == ["老年人", "独居"]


def test_a_grid_worker_lists_only_persons_they_may_see(city, worker_a, round_now):
    assert [p.pk for p in _missing(round_now, worker_a, city.grid_a)] == [city.person_a.pk]


def test_a_sampler_of_the_community_sees_its_missing(city, sampler, site, round_now):
    record(sampler, site, "T0001", [city.person_a], pool_size=1)
    assert [p.pk for p in _missing(round_now, sampler, city.community)] == [city.person_b.pk]

"""Coverage of a round per region: expected, sampled, results back and positive, at every
level down to the building, with exemptions and people away left out and invalid tubes
counted as not sampled."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.coverage import services as coverage
from tests.support import ago

from .coverage_support import numbers, record, residents, result, rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def sampled(city, officer, sampler, site, campaign, round_now):
    """Building A: four expected, two sampled negative, one in an invalid tube, one not yet;
    the exempted resident tested positive. Building B: its one resident, positive."""
    more = residents(city, officer, campaign, round_now)
    for barcode, person, outcome in [
        ("T0001", city.person_a, "negative"),
        ("T0002", more.first, "negative"),
        ("T0003", more.second, "invalid"),
        ("T0004", city.person_b, "positive"),
        ("T0005", more.exempted, "positive"),
    ]:
        record(sampler, site, barcode, [person], pool_size=1)
        result(barcode, outcome)
    return more


def test_counts_per_region_at_every_level(city, officer, round_now, sampled):
    found = rows(round_now, officer)
    assert list(found) == [
        city.community.code,
        city.grid_a.code,
        city.building_a.code,
        city.grid_b.code,
        city.building_b.code,
    ]
    assert numbers(found[city.building_a.code]) == (4, 2, 2, 1)
    assert numbers(found[city.grid_a.code]) == (4, 2, 2, 1)
    assert numbers(found[city.building_b.code]) == (1, 1, 1, 1)
    community = found[city.community.code]
    assert numbers(community) == (5, 3, 3, 2)
    assert community.percent == 60.0 and community.missing == 2
    assert found[city.building_a.code].percent == 50.0


def test_a_person_sampled_again_after_an_invalid_tube_counts_once(
    city, officer, sampler, site, round_now, sampled
):
    record(sampler, site, "T0006", [sampled.second], pool_size=1)
    record(sampler, site, "T0007", [sampled.first], pool_size=1, minutes_ago=2)
    building = rows(round_now, officer)[city.building_a.code]
    # The second is sampled now, with no result yet; the first, sampled twice, counts once.
    assert numbers(building) == (4, 3, 2, 1)


def test_those_not_expected_who_are_sampled_anyway_are_not_counted_sampled(
    city, officer, sampler, site, round_now, sampled
):
    # Away, yet swabbed in a pool with an expected neighbour; the exempted one, swabbed again.
    record(sampler, site, "T0008", [sampled.away, sampled.third], pool_size=5)
    result("T0008", "negative")
    record(sampler, site, "T0009", [sampled.exempted], pool_size=1, minutes_ago=2)
    building = rows(round_now, officer)[city.building_a.code]
    # Only the third counts: four expected, three sampled, three resulted, one positive.
    assert numbers(building) == (4, 3, 3, 1)


def test_a_pooled_tube_counts_each_member(city, officer, sampler, site, round_now, sampled):
    record(sampler, site, "P0001", [sampled.second, sampled.third], pool_size=5)
    assert numbers(rows(round_now, officer)[city.building_a.code]) == (4, 4, 2, 1)
    result("P0001", "negative")
    assert numbers(rows(round_now, officer)[city.building_a.code]) == (4, 4, 4, 1)


def test_the_members_of_a_positive_pool_are_not_counted_positive(
    city, officer, sampler, site, round_now, sampled
):
    record(sampler, site, "P0001", [sampled.second, sampled.third], pool_size=5)
    result("P0001", "positive")
    assert numbers(rows(round_now, officer)[city.building_a.code]) == (4, 4, 4, 1)
    record(sampler, site, "S0001", [sampled.third], pool_size=1)
    result("S0001", "positive")
    assert numbers(rows(round_now, officer)[city.building_a.code]) == (4, 4, 4, 2)


def test_before_any_sample_everyone_is_missing(city, officer, round_now):
    found = rows(round_now, officer)
    assert numbers(found[city.community.code]) == (2, 0, 0, 0)
    assert found[city.community.code].percent == 0.0


def test_a_region_where_nobody_is_expected_has_no_percentage(city, officer, round_now):
    city.person_b.residence_status = "away"
    city.person_b.save()
    building = rows(round_now, officer)[city.building_b.code]
    assert numbers(building) == (0, 0, 0, 0) and building.percent is None


def test_rows_in_tree_order_down_to_the_depth_asked(city, officer, round_now, sampled):
    found = rows(round_now, officer, region=city.community, depth=1)
    assert list(found) == [city.community.code, city.grid_a.code, city.grid_b.code]
    assert found[city.community.code].parent is None
    assert found[city.grid_a.code].parent == city.community.code
    only = rows(round_now, officer, region=city.grid_b, depth=0)
    assert list(only) == [city.grid_b.code]


def test_regions_above_the_campaign_show_its_part(city, officer):
    campaign = campaign_services.create_campaign(
        actor=officer, name="一网格", regions=[city.grid_a]
    )
    round_ = campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(hours=1), deadline=ago(hours=-1)
    )
    found = rows(round_, officer, region=city.street, depth=2)
    # Grid B lies outside the campaign.
    assert list(found) == [city.street.code, city.community.code, city.grid_a.code]
    assert numbers(found[city.street.code]) == (1, 0, 0, 0)


def test_a_region_below_one_counted_a_moment_ago_reuses_its_counts(
    city, officer, round_now, sampled
):
    cache.clear()
    coverage.round_coverage(round_now, user=officer, region=city.community)
    with CaptureQueriesContext(connection) as queries:
        grid = coverage.round_coverage(round_now, user=officer, region=city.grid_a, depth=0)
    assert numbers(grid[0]) == (4, 2, 2, 1)
    assert not [q for q in queries.captured_queries if "screening_sample" in q["sql"]]

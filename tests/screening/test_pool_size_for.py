"""How a person is pooled: the campaign's default; households in sealed or high-risk zones;
single tubes in quarantine."""

import pytest

from fangyi.health import services as health
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.sampling import services as sampling_services
from tests.factories import PersonFactory
from tests.support import ago

pytestmark = pytest.mark.django_db


def test_the_campaign_default(city, round_now):
    assert sampling_services.pool_size_for(round_now, city.person_a) == 10


def test_a_household_in_a_high_risk_zone_shares_a_tube(city, officer, round_now):
    for _ in range(2):
        PersonFactory(household=city.household_a)
    PersonFactory(household=city.household_a, residence_status="away")
    health.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="出现病例")
    assert sampling_services.pool_size_for(round_now, city.person_a) == 3
    assert sampling_services.pool_size_for(round_now, city.person_b) == 10


def test_a_household_pool_is_capped_by_the_largest_allowed_size(city, officer):
    campaign = campaign_services.create_campaign(
        actor=officer, name="小管", regions=[city.community], pool_sizes=[1, 5], default_pool_size=5
    )
    round_ = campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(hours=1), deadline=ago(hours=-1)
    )
    for _ in range(6):
        PersonFactory(household=city.household_a)
    health.draw_zone(actor=officer, kind="high", regions=[city.grid_a], reason="出现病例")
    assert sampling_services.pool_size_for(round_, city.person_a) == 5


def test_a_zone_of_another_kind_or_lifted_does_not_count(city, officer, round_now):
    PersonFactory(household=city.household_a)
    medium = health.draw_zone(actor=officer, kind="medium", regions=[city.grid_a], reason="邻近")
    assert sampling_services.pool_size_for(round_now, city.person_a) == 10
    high = health.draw_zone(actor=officer, kind="high", regions=[city.community], reason="病例")
    assert sampling_services.pool_size_for(round_now, city.person_a) == 2
    health.lift_zone(actor=officer, zone=high, reason="解除")
    assert medium.lifted_at is None
    assert sampling_services.pool_size_for(round_now, city.person_a) == 10


def test_quarantine_means_a_single_tube_until_it_ends(city, officer, round_now):
    health.record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind="quarantine_start",
        occurred_at=ago(days=3),
        variant="home",
    )
    PersonFactory(household=city.household_a)
    health.draw_zone(actor=officer, kind="high", regions=[city.grid_a], reason="病例")
    assert sampling_services.pool_size_for(round_now, city.person_a) == 1
    # Ending another setting than the one started leaves the quarantine in force.
    health.record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind="quarantine_end",
        occurred_at=ago(days=1),
        variant="centralised",
    )
    assert sampling_services.pool_size_for(round_now, city.person_a) == 1
    health.record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind="quarantine_end",
        occurred_at=ago(hours=1),
        variant="",
    )
    assert sampling_services.in_quarantine([city.person_a.pk]) == set()
    assert sampling_services.pool_size_for(round_now, city.person_a) == 2


def test_a_retracted_quarantine_start_does_not_count(city, officer, round_now):
    start = health.record_fact(
        actor=officer,
        source="manual",
        person=city.person_b,
        kind="quarantine_start",
        occurred_at=ago(days=1),
        variant="centralised",
    )
    assert sampling_services.in_quarantine([city.person_a.pk, city.person_b.pk]) == {
        city.person_b.pk
    }
    health.retract_fact(actor=officer, fact=start, reason="录入错误")
    assert sampling_services.pool_size_for(round_now, city.person_b) == 10

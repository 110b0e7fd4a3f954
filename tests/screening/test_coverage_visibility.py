"""Who sees which part of a round's coverage: the regions of the campaign under the user's
campaign view scope, nothing of a campaign they cannot see."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.accounts.models import RoleAssignment
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.coverage import services as coverage
from tests.factories import staff
from tests.support import ago

from .coverage_support import numbers, rows

pytestmark = pytest.mark.django_db


def test_a_grid_worker_sees_only_their_grid(city, worker_a, round_now):
    found = rows(round_now, worker_a)
    assert list(found) == [city.grid_a.code, city.building_a.code]
    assert numbers(found[city.grid_a.code]) == (1, 0, 0, 0)


def test_a_grid_worker_cannot_ask_for_another_grid(city, worker_a, round_now):
    with pytest.raises(PermissionDenied):
        coverage.round_coverage(round_now, user=worker_a, region=city.grid_b)
    with pytest.raises(PermissionDenied):
        coverage.missing_persons(round_now, user=worker_a, region=city.grid_b)


def test_a_sampler_sees_the_community_they_sample_in(city, sampler, round_now):
    assert list(rows(round_now, sampler, depth=1)) == [
        city.community.code,
        city.grid_a.code,
        city.grid_b.code,
    ]


def test_staff_of_two_grids_get_both_as_top_rows(city, worker_a, round_now):
    RoleAssignment.objects.create(
        user=worker_a, role="grid_worker", region=city.grid_b, region_path=city.grid_b.path
    )
    worker_a._fangyi_assignments = None
    assert list(rows(round_now, worker_a, depth=0)) == [city.grid_a.code, city.grid_b.code]


def test_a_round_of_a_campaign_out_of_sight(city, officer, round_now):
    lab = staff("lab", city.city, username="lab")
    with pytest.raises(PermissionDenied):
        coverage.round_coverage(round_now, user=lab)
    elsewhere = staff("grid_worker", city.grid_b, username="elsewhere")
    campaign = campaign_services.create_campaign(
        actor=officer, name="一网格", regions=[city.grid_a]
    )
    round_ = campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(hours=1), deadline=ago(hours=-1)
    )
    with pytest.raises(PermissionDenied):
        coverage.round_coverage(round_, user=elsewhere)


def test_a_region_the_campaign_does_not_reach(city, officer):
    campaign = campaign_services.create_campaign(
        actor=officer, name="一网格", regions=[city.grid_a]
    )
    round_ = campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(hours=1), deadline=ago(hours=-1)
    )
    with pytest.raises(ValidationError) as raised:
        coverage.round_coverage(round_, user=officer, region=city.grid_b)
    assert raised.value.message_dict == {"region": ["该区域不在本次筛查的范围内。"]}

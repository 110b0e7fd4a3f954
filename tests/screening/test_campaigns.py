"""Campaigns, rounds, sites and exemptions through the services: validation in Chinese,
permission by region, audit rows."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.screening import common
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.models import Campaign, Exemption, SiteAssignment
from tests.factories import staff
from tests.support import ago

pytestmark = pytest.mark.django_db


def test_a_campaign_over_two_grids_is_scoped_at_their_community(city, officer):
    campaign = campaign_services.create_campaign(
        actor=officer, name="  全员核酸  ", regions=[city.grid_a, city.grid_b]
    )
    assert campaign.name == "全员核酸"
    assert campaign.region_path == city.community.path
    assert campaign.pool_sizes == [1, 5, 10, 20] and campaign.default_pool_size == 10
    assert sorted(common.area_paths(campaign)) == [city.grid_a.path, city.grid_b.path]
    change = ObjectChange.objects.get(object_id=str(campaign.pk))
    assert change.after["regions"] == [city.grid_a.code, city.grid_b.code]


def test_a_region_inside_another_is_dropped(city, officer):
    campaign = campaign_services.create_campaign(
        actor=officer, name="全员核酸", regions=[city.grid_a, city.community, city.building_b]
    )
    assert common.area_paths(campaign) == [city.community.path]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"regions": []}, "regions"),
        ({"default_pool_size": 7, "pool_sizes": [7]}, "default_pool_size"),
        ({"default_pool_size": 20, "pool_sizes": [1, 10]}, "default_pool_size"),
        ({"pool_sizes": [0, 10]}, "pool_sizes"),
        ({"pool_sizes": [10, 51]}, "pool_sizes"),
        ({"pool_sizes": [True, 10]}, "pool_sizes"),
        ({"pool_sizes": []}, "pool_sizes"),
    ],
)
def test_bad_campaigns_are_refused_by_field(city, officer, fields, field):
    arguments = {"name": "全员核酸", "regions": [city.community]} | fields
    with pytest.raises(ValidationError) as caught:
        campaign_services.create_campaign(actor=officer, **arguments)
    assert field in caught.value.message_dict
    assert not Campaign.objects.exists()


def test_other_sizes_may_be_allowed_beside_the_default(city, officer):
    campaign = campaign_services.create_campaign(
        actor=officer,
        name="全员核酸",
        regions=[city.community],
        pool_sizes=[20, 7, 1, 7],
        default_pool_size=20,
    )
    assert campaign.pool_sizes == [1, 7, 20] and campaign.largest_pool_size == 20


def test_only_campaign_staff_in_scope_create(city, worker_a, leader_a):
    for actor in (worker_a, leader_a):
        with pytest.raises(PermissionDenied):
            campaign_services.create_campaign(actor=actor, name="全员核酸", regions=[city.grid_a])
    other = staff("officer", city.grid_b, username="officer_b")
    with pytest.raises(PermissionDenied):
        campaign_services.create_campaign(
            actor=other, name="全员核酸", regions=[city.grid_a, city.grid_b]
        )


def test_rounds_are_numbered_and_may_not_overlap(city, officer, campaign):
    first = campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(days=3), deadline=ago(days=2)
    )
    second = campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(days=2), deadline=ago(days=1)
    )
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(ValidationError) as caught:
        campaign_services.add_round(
            actor=officer, campaign=campaign, starts_at=ago(hours=36), deadline=ago(hours=1)
        )
    assert "第2轮" in caught.value.message_dict["starts_at"][0]


def test_a_deadline_must_follow_the_start(city, officer, campaign):
    day_ago = ago(days=1)
    with pytest.raises(ValidationError) as caught:
        campaign_services.add_round(
            actor=officer, campaign=campaign, starts_at=day_ago, deadline=day_ago
        )
    assert caught.value.message_dict == {"deadline": ["截止时间须晚于开始时间。"]}
    with pytest.raises(ValidationError) as caught:
        campaign_services.add_round(
            actor=officer,
            campaign=campaign,
            starts_at=datetime.datetime(2022, 4, 1, 8),
            deadline=ago(days=1),
        )
    assert "starts_at" in caught.value.message_dict


def test_rounds_are_added_by_those_who_may_change_every_covered_region(city, campaign, worker_a):
    with pytest.raises(PermissionDenied):
        campaign_services.add_round(
            actor=worker_a, campaign=campaign, starts_at=ago(days=1), deadline=ago(hours=1)
        )


def test_a_site_with_samplers(city, officer, campaign, sampler, site):
    assert site.region_path == city.grid_a.path
    assert list(site.samplers.all()) == [sampler]
    second = staff("sampler", city.grid_a, username="sampler2")
    campaign_services.assign_samplers(actor=officer, site=site, samplers=[sampler, second])
    assert SiteAssignment.objects.filter(site=site).count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"capacity_per_hour": 0}, "capacity_per_hour"),
        ({"capacity_per_hour": 10**9}, "capacity_per_hour"),
        ({"opening_hours": "x" * 201}, "opening_hours"),
    ],
)
def test_bad_sites_are_refused(city, officer, campaign, fields, field):
    arguments = {"region": city.grid_a, "name": "采样点", "capacity_per_hour": 100} | fields
    with pytest.raises(ValidationError) as caught:
        campaign_services.create_site(actor=officer, campaign=campaign, **arguments)
    assert field in caught.value.message_dict


def test_a_site_outside_the_campaign_or_a_non_sampler_is_refused(city, officer, worker_a):
    campaign = campaign_services.create_campaign(
        actor=officer, name="一网格", regions=[city.grid_a]
    )
    with pytest.raises(ValidationError) as caught:
        campaign_services.create_site(
            actor=officer,
            campaign=campaign,
            region=city.grid_b,
            name="二网格点",
            capacity_per_hour=50,
        )
    assert caught.value.message_dict == {"region": ["采样点须在本次筛查的区域内。"]}
    with pytest.raises(ValidationError) as caught:
        campaign_services.create_site(
            actor=officer,
            campaign=campaign,
            region=city.grid_a,
            name="一网格点",
            capacity_per_hour=50,
            samplers=[worker_a],
        )
    assert caught.value.message_dict == {"samplers": ["worker_a 不是该区域的采样人员。"]}


def test_exemptions_by_round_or_campaign(city, officer, campaign, round_now):
    exemption = campaign_services.exempt_person(
        actor=officer, campaign=campaign, person=city.person_a, reason="住院", round=round_now
    )
    assert exemption.region_path == city.person_a.region_path
    with pytest.raises(ValidationError) as caught:
        campaign_services.exempt_person(
            actor=officer, campaign=campaign, person=city.person_a, reason="住院", round=round_now
        )
    assert caught.value.message_dict == {"person": ["该居民已经免检。"]}
    campaign_services.exempt_person(
        actor=officer, campaign=campaign, person=city.person_b, reason="外地就医"
    )
    with pytest.raises(ValidationError):
        campaign_services.exempt_person(
            actor=officer, campaign=campaign, person=city.person_b, reason="住院", round=round_now
        )
    with pytest.raises(ValidationError) as caught:
        campaign_services.exempt_person(
            actor=officer, campaign=campaign, person=city.person_b, reason=" "
        )
    assert "reason" in caught.value.message_dict
    assert Exemption.objects.count() == 2


def test_exemptions_need_the_right_to_change_campaigns(city, campaign, leader_a):
    with pytest.raises(PermissionDenied):
        campaign_services.exempt_person(
            actor=leader_a, campaign=campaign, person=city.person_a, reason="住院"
        )

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from fangyi.screening.campaigns import services as campaign_services
from tests.factories import staff
from tests.support import ago


@pytest.fixture
def sampler(city):
    return staff("sampler", city.community, username="sampler")


@pytest.fixture
def campaign(city, officer):
    return campaign_services.create_campaign(
        actor=officer, name="三坊社区全员核酸", regions=[city.community], default_pool_size=10
    )


@pytest.fixture
def round_now(campaign, officer):
    now = timezone.now()
    return campaign_services.add_round(
        actor=officer,
        campaign=campaign,
        starts_at=now - datetime.timedelta(hours=1),
        deadline=now + datetime.timedelta(hours=23),
    )


@pytest.fixture
def site(city, campaign, officer, sampler):
    return campaign_services.create_site(
        actor=officer,
        campaign=campaign,
        region=city.grid_a,
        name="一网格采样点",
        capacity_per_hour=300,
        opening_hours="07:00-22:00",
        samplers=[sampler],
    )


@pytest.fixture
def grid_a_only(city, officer, sampler) -> SimpleNamespace:
    """A campaign over grid a alone, its running round and a site there for the sampler."""
    campaign = campaign_services.create_campaign(
        actor=officer, name="一网格", regions=[city.grid_a]
    )
    round_ = campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(hours=1), deadline=ago(hours=-5)
    )
    site = campaign_services.create_site(
        actor=officer,
        campaign=campaign,
        region=city.grid_a,
        name="点",
        capacity_per_hour=10,
        samplers=[sampler],
    )
    return SimpleNamespace(round=round_, site=site)

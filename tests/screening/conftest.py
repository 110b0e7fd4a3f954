import datetime

import pytest
from django.utils import timezone

from fangyi.screening import services
from tests.factories import staff


@pytest.fixture
def sampler(city):
    return staff("sampler", city.community, username="sampler")


@pytest.fixture
def campaign(city, officer):
    return services.create_campaign(
        actor=officer, name="三坊社区全员核酸", regions=[city.community], default_pool_size=10
    )


@pytest.fixture
def round_now(campaign, officer):
    now = timezone.now()
    return services.add_round(
        actor=officer,
        campaign=campaign,
        starts_at=now - datetime.timedelta(hours=1),
        deadline=now + datetime.timedelta(hours=23),
    )


@pytest.fixture
def site(city, campaign, officer, sampler):
    return services.create_site(
        actor=officer,
        campaign=campaign,
        region=city.grid_a,
        name="一网格采样点",
        capacity_per_hour=300,
        opening_hours="07:00-22:00",
        samplers=[sampler],
    )


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)

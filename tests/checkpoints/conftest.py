import pytest

from fangyi.checkpoints import services
from tests.factories import staff


@pytest.fixture
def guard_a(city):
    return staff("checkpoint", city.grid_a, username="guard_a")


@pytest.fixture
def venue_a(city, leader_a):
    return services.create_venue(
        actor=leader_a, name="三坊超市", kind="supermarket", region=city.grid_a, address="东街1号"
    )


@pytest.fixture
def venue_b(city, leader_b):
    return services.create_venue(
        actor=leader_b, name="七巷菜市场", kind="market", region=city.grid_b, address="东街9号"
    )

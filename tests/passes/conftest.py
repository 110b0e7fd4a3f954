import pytest

from fangyi.checkpoints import services as checkpoints
from tests.factories import staff


@pytest.fixture
def guard(city):
    return staff("checkpoint", city.street, username="guard")


@pytest.fixture
def gate_a(city, leader_a):
    return checkpoints.create_venue(
        actor=leader_a, name="1号楼门岗", kind="compound_gate", region=city.grid_a
    )


@pytest.fixture
def gate_b(city, leader_b):
    return checkpoints.create_venue(
        actor=leader_b, name="2号楼门岗", kind="compound_gate", region=city.grid_b
    )

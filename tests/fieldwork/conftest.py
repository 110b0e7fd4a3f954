import pytest

from fangyi.fieldwork import services
from tests.factories import staff
from tests.support import later


@pytest.fixture
def worker_a2(city):
    return staff("grid_worker", city.grid_a, username="worker_a2")


@pytest.fixture
def task_a(city, leader_a):
    return services.create_task(
        actor=leader_a, kind="home_sampling", person=city.person_a, due_at=later(hours=4)
    )


@pytest.fixture
def task_b(city, leader_b):
    return services.create_task(
        actor=leader_b, kind="home_sampling", person=city.person_b, due_at=later(hours=4)
    )


@pytest.fixture
def assigned_a(task_a, leader_a, worker_a):
    return services.assign(actor=leader_a, task=task_a, assignee=worker_a)


@pytest.fixture
def delivery_a(city, leader_a):
    """An open delivery in grid A that nobody holds: in the grid's pool."""
    return services.create_task(
        actor=leader_a, kind="delivery", household=city.household_a, due_at=later(hours=12)
    )


@pytest.fixture
def delivery_b(city, leader_b):
    return services.create_task(
        actor=leader_b, kind="delivery", household=city.household_b, due_at=later(hours=12)
    )

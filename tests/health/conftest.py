import pytest

from tests.factories import staff


@pytest.fixture
def second_officer(city):
    return staff("officer", city.street, username="second_officer")

import pytest

from tests.factories import staff


@pytest.fixture
def commander(city):
    return staff("commander", city.city, username="commander")


@pytest.fixture
def second_officer(city):
    return staff("officer", city.street, username="second_officer")

import pytest

from fangyi.isolation.area import SITE_STAFF
from tests.factories import staff

from . import support


@pytest.fixture
def hotel(city):
    return support.site(city.street)


@pytest.fixture
def site_staff(city):
    return staff(SITE_STAFF, city.street, username="site_staff")

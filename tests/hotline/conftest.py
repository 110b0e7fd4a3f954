import pytest

from tests.hotline.support import hotline_of


@pytest.fixture
def hotline(city):
    return hotline_of(city)

import pytest

from .support import investigator


@pytest.fixture
def tracer(city):
    """An investigator of the whole street (both grids)."""
    return investigator(city.street)

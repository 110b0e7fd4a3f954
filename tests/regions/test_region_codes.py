import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.regions.models import Level, ancestor_paths
from fangyi.regions.services import create_region


def test_officer_adds_a_grid_under_their_community(city, officer):
    grid = create_region(
        actor=officer,
        code="350102001001003",
        name="第三网格",
        level=Level.GRID,
        parent=city.community,
    )
    assert grid.path == "350102001001003"
    assert ObjectChange.objects.filter(object_id=str(grid.pk), action="create").exists()


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("35010200100100", Level.GRID),  # too short
        ("350102002001003", Level.GRID),  # under another street
        ("350102001001", Level.COMMUNITY),  # wrong level under a community
    ],
)
def test_bad_codes_are_refused(city, officer, code, level):
    with pytest.raises(ValidationError):
        create_region(actor=officer, code=code, name="错", level=level, parent=city.community)


def test_worker_cannot_add_regions(city, worker_a):
    with pytest.raises(PermissionDenied):
        create_region(
            actor=worker_a,
            code="350102001001001002",
            name="2号楼",
            level=Level.BUILDING,
            parent=city.grid_a,
        )


def test_ancestor_paths():
    assert ancestor_paths("350102001") == ["35", "3501", "350102", "350102001"]

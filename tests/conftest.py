from types import SimpleNamespace

import pytest

from fangyi.regions.models import Level
from fangyi.regions.services import refresh_counts

from .factories import HouseholdFactory, PersonFactory, region, staff


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Staff fixtures set passwords; Argon2's deliberate slowness would dominate the suite.
    # tests/accounts checks that production hashing is Argon2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def signing_key_dir(settings, tmp_path_factory):
    # One key directory per test process, outside the checkout: tests sign real codes.
    settings.FANGYI_SIGNING_KEY_DIR = tmp_path_factory.getbasetemp() / "signing-keys"
    return settings.FANGYI_SIGNING_KEY_DIR


@pytest.fixture
def city(db):
    """A small synthetic city: two grids in one community, one building each, one resident each."""
    province = region("350000", "福建省", Level.PROVINCE)
    fuzhou = region("350100", "福州市", Level.CITY, province)
    gulou = region("350102", "鼓楼区", Level.DISTRICT, fuzhou)
    street = region("350102001", "东街街道", Level.STREET, gulou)
    community = region("350102001001", "三坊社区", Level.COMMUNITY, street)
    grid_a = region("350102001001001", "第一网格", Level.GRID, community)
    grid_b = region("350102001001002", "第二网格", Level.GRID, community)
    building_a = region("350102001001001001", "1号楼", Level.BUILDING, grid_a)
    building_b = region("350102001001002001", "2号楼", Level.BUILDING, grid_b)
    household_a = HouseholdFactory(building=building_a, room="101")
    household_b = HouseholdFactory(building=building_b, room="202")
    person_a = PersonFactory(household=household_a, name="王小明", phone="13800000001")
    person_b = PersonFactory(household=household_b, name="李秀英", phone="13900000002", gender="F")
    refresh_counts()
    for r in (province, fuzhou, gulou, street, community, grid_a, grid_b, building_a, building_b):
        r.refresh_from_db()
    return SimpleNamespace(
        province=province,
        city=fuzhou,
        district=gulou,
        street=street,
        community=community,
        grid_a=grid_a,
        grid_b=grid_b,
        building_a=building_a,
        building_b=building_b,
        household_a=household_a,
        household_b=household_b,
        person_a=person_a,
        person_b=person_b,
    )


@pytest.fixture
def worker_a(city):
    return staff("grid_worker", city.grid_a, username="worker_a")


@pytest.fixture
def officer(city):
    return staff("officer", city.street, username="officer")

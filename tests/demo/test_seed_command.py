"""`fangyi seed` against the database: what it writes, what it prints, and that it runs once."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangyi.accounts.models import User
from fangyi.demo.city import CityGenerator
from fangyi.demo.staff import DEMO_PASSWORD, DEMO_ROLES
from fangyi.enterprises.area import ACCOUNT as ENTERPRISE_ACCOUNT
from fangyi.people.models import Household, Person
from fangyi.regions.models import Level, Region

from ..factories import region

AS_OF = datetime.date(2026, 6, 1)


def seed(*args):
    out = io.StringIO()
    call_command(
        "seed",
        "--residents",
        "2000",
        "--seed",
        "5",
        "--as-of",
        AS_OF.isoformat(),
        *args,
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture
def summary(db):
    return json.loads(seed("--json"))


def test_the_database_holds_exactly_the_generated_city(summary):
    generator = CityGenerator(residents=2000, seed=5, as_of=AS_OF)
    expected = sorted(
        (
            str(p.id),
            str(h.id),
            h.building.path,
            p.name,
            p.id_number,
            p.id_number[-4:],
            p.phone,
            p.birth_date,
        )
        for h in generator.households()
        for p in h.members
    )
    stored = sorted(
        (str(pk), str(household), path, name, number, tail, phone, birth)
        for pk, household, path, name, number, tail, phone, birth in Person.objects.values_list(
            "id",
            "household_id",
            "region_path",
            "name",
            "id_number",
            "id_tail",
            "phone",
            "birth_date",
        )
    )
    assert stored == expected


def test_json_summary_has_counts_tags_and_codes(summary):
    counts = summary["counts"]
    assert counts["residents"] == 2000 == Person.objects.count()
    assert counts["households"] == Household.objects.count()
    assert set(counts) == {
        "districts",
        "streets",
        "communities",
        "grids",
        "buildings",
        "households",
        "residents",
    }
    assert counts["buildings"] == Region.objects.filter(level=Level.BUILDING).count()
    assert set(summary["tags"]) == {
        "elderly",
        "pregnant",
        "disabled",
        "bedridden",
        "chronic_illness",
        "dialysis",
        "lives_alone",
        "infant",
    }
    assert summary["tags"]["infant"] == Person.objects.filter(is_infant=True).count()
    assert sum(summary["residence_status"].values()) == 2000
    regions = summary["regions"]
    assert regions["city"] == "350100" and regions["districts"] == ["350102"]
    assert len(regions["grids"]) == counts["grids"] >= 2
    assert all(code.startswith(regions["streets"][0][:9]) for code in regions["communities"][:1])
    assert summary["seeded"] is True and summary["staff"] == []


def test_counts_are_refreshed_along_the_tree(summary):
    city = Region.objects.get(code="350100")
    assert city.resident_count == 2000
    assert city.household_count == summary["counts"]["households"]
    grids = Region.objects.filter(level=Level.GRID)
    assert sum(g.resident_count for g in grids) == 2000
    for grid in grids:
        assert (
            grid.resident_count == Person.objects.filter(region_path__startswith=grid.path).count()
        )
        assert 300 <= grid.household_count <= 500


def test_a_second_run_changes_nothing(summary):
    before = sorted(Person.objects.values_list("id", flat=True))
    out = seed()
    assert "Already seeded" in out
    assert sorted(Person.objects.values_list("id", flat=True)) == before
    assert json.loads(seed("--json"))["seeded"] is False


def test_demo_staff_one_login_per_role_created_once(db):
    out = seed("--demo-staff")
    assert "Demo logins" in out and DEMO_PASSWORD in out
    users = {u.username: u for u in User.objects.all()}
    # The enterprise's account is opened by its demo enterprise, not as a staff role.
    assert set(users) == {role for role, _level in DEMO_ROLES} | {ENTERPRISE_ACCOUNT}
    for role, level in DEMO_ROLES:
        user = users[role]
        assert user.check_password(DEMO_PASSWORD)
        assignment = user.role_assignments.get()
        assert (assignment.role, assignment.region.level) == (role, level)
        assert user.is_superuser == (role == "admin")
    assert users["grid_worker"].role_assignments.get().region.code == "350102001001001"
    again = json.loads(seed("--demo-staff", "--json"))
    assert User.objects.count() == len(DEMO_ROLES) + 1
    assert {s["username"] for s in again["staff"]} == set(users) - {ENTERPRISE_ACCOUNT}


def test_refuses_to_extend_a_tree_it_did_not_make(db):
    province = region("350000", "福建省", Level.PROVINCE)
    city = region("350100", "福州市", Level.CITY, province)
    district = region("350102", "鼓楼区", Level.DISTRICT, city)
    region("350102001", "东街街道", Level.STREET, district)
    with pytest.raises(CommandError, match="already exist"):
        seed()
    assert not Person.objects.exists()

"""Importing the households ledger (户台账): one row per household by building, unit and room."""

import pytest
from django.core.exceptions import PermissionDenied

from fangyi.core.models import ObjectChange
from fangyi.ledgers import services
from fangyi.people.models import Household
from fangyi.regions.models import Level, Region
from tests.ledgers.support import write_csv, write_xlsx

from ..factories import region, staff

pytestmark = pytest.mark.usefixtures("ledger_dir")

HEADERS = ["楼栋代码", "街道", "社区", "网格", "楼栋", "单元", "房号", "备注"]


def run(actor, path, **options):
    return services.import_path(actor=actor, ledger="households", path=path, **options)


def by_code(code, unit, room, notes=""):
    return [code, "", "", "", "", unit, room, notes]


def by_names(street, community, grid, building, unit, room, notes=""):
    return ["", street, community, grid, building, unit, room, notes]


def counts(*regions):
    return [Region.objects.get(pk=r.pk).household_count for r in regions]


def test_households_are_created_by_building_code(city, officer, tmp_path):
    code = city.building_a.code
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [HEADERS, by_code(code, "1", "301", "新装修"), by_code(code, "", "302")],
        title="东街街道户台账",
    )
    before = counts(city.building_a, city.grid_a, city.community, city.street, city.district)

    job, result = run(officer, path)

    assert result.errors == []
    assert (result.rows, result.created, result.updated, result.unchanged) == (2, 2, 0, 0)
    assert result.households_created == 2 and job.households_created == 2
    first = Household.objects.get(building=city.building_a, unit="1", room="301")
    assert first.notes == "新装修" and first.region_path == city.building_a.path
    assert Household.objects.get(building=city.building_a, unit="", room="302").notes == ""
    after = counts(city.building_a, city.grid_a, city.community, city.street, city.district)
    assert after == [n + 2 for n in before]


def test_households_are_found_by_names(city, officer, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            HEADERS,
            by_names("东街街道", "三坊社区", "第一网格", "1号楼", "2", "401"),
            by_names("", "", "", "２号楼", "2", "402"),
            by_names("", "", "第二网格", "1号楼", "2", "403"),
        ],
    )

    _job, result = run(officer, path)

    assert (result.created, result.error_rows) == (2, 1)
    assert Household.objects.get(room="401").building == city.building_a
    assert Household.objects.get(room="402").building == city.building_b
    assert result.errors[0]["row"] == 4 and result.errors[0]["column"] == "楼栋"
    assert "找不到楼栋" in result.errors[0]["message"]


def test_an_ambiguous_building_name_lists_the_candidates(city, officer, tmp_path):
    region("350102001001002002", "1号楼", Level.BUILDING, city.grid_b)
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, by_names("", "", "", "1号楼", "", "501")])

    _job, result = run(officer, path)

    assert result.error_rows == 1
    message = result.errors[0]["message"]
    assert "不唯一" in message
    assert city.building_a.code in message and "350102001001002002" in message
    assert not Household.objects.filter(room="501").exists()


def test_the_code_wins_over_names(city, officer, tmp_path):
    row = [city.building_a.code, "", "", "第二网格", "2号楼", "", "601", ""]
    _job, result = run(officer, write_xlsx(tmp_path / "a.xlsx", [HEADERS, row]))

    assert result.created == 1
    assert Household.objects.get(room="601").building == city.building_a


def test_notes_of_a_known_household_are_updated(city, officer, tmp_path):
    household = city.household_a
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            HEADERS,
            by_code(city.building_a.code, household.unit, household.room, "独居老人"),
            by_code(city.building_b.code, city.household_b.unit, city.household_b.room, ""),
        ],
    )

    _job, result = run(officer, path)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    household.refresh_from_db()
    assert household.notes == "独居老人"
    change = ObjectChange.objects.get(object_type="people.household")
    assert (change.action, change.object_id) == (ObjectChange.UPDATE, str(household.pk))
    assert change.before == {"notes": ""} and change.after == {"notes": "独居老人"}
    assert change.region_path == city.building_a.path and change.actor == officer
    city.building_a.refresh_from_db()
    assert city.building_a.household_count == 1


def test_a_blank_notes_cell_keeps_the_notes(city, officer, tmp_path):
    Household.objects.filter(pk=city.household_a.pk).update(notes="有宠物")
    row = by_code(city.building_a.code, city.household_a.unit, city.household_a.room, "")

    _job, result = run(officer, write_xlsx(tmp_path / "a.xlsx", [HEADERS, row]))

    assert (result.updated, result.unchanged) == (0, 1)
    city.household_a.refresh_from_db()
    assert city.household_a.notes == "有宠物"


def test_the_same_household_twice_in_the_file_names_the_first_row(city, officer, tmp_path):
    code = city.building_a.code
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            HEADERS,
            by_code(code, "3", "101", "甲"),
            by_names("东街街道", "三坊社区", "第一网格", "1号楼", "3", "101", "乙"),
            by_code(code, "3", "102"),
        ],
    )

    _job, result = run(officer, path)

    assert (result.created, result.error_rows) == (2, 1)
    assert result.errors == [{"row": 3, "column": "房号", "message": "与第 2 行是同一户。"}]
    assert Household.objects.get(unit="3", room="101").notes == "甲"


def test_reimporting_changes_nothing(city, officer, tmp_path):
    code = city.building_a.code
    path = write_csv(
        tmp_path / "a.csv",
        [HEADERS, by_code(code, "1", "301", "新装修"), by_code(code, "1", "302")],
    )
    run(officer, path)
    households, changes = Household.objects.count(), ObjectChange.objects.count()
    building_count = counts(city.building_a)

    _job, result = run(officer, path)

    assert (result.created, result.updated, result.unchanged, result.error_rows) == (0, 0, 2, 0)
    assert result.households_created == 0
    assert Household.objects.count() == households
    assert ObjectChange.objects.count() == changes + 1
    assert counts(city.building_a) == building_count


def test_each_created_household_is_audited(city, officer, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx", [HEADERS, by_code(city.building_a.code, "1", "301", "甲")]
    )

    run(officer, path)

    household = Household.objects.get(room="301")
    change = ObjectChange.objects.get(object_type="people.household")
    assert (change.action, change.object_id) == (ObjectChange.CREATE, str(household.pk))
    assert change.after == {
        "building": str(city.building_a.pk),
        "unit": "1",
        "room": "301",
        "notes": "甲",
    }
    assert change.object_repr == "1号楼1单元301"


@pytest.mark.parametrize(
    ("unit", "room", "message"),
    [
        ("1", "", "请填写房号"),
        ("1", "9" * 21, "最多 20 个字符"),
        ("9" * 21, "101", "最多 20 个字符"),
    ],
)
def test_room_and_unit_are_checked(city, officer, tmp_path, unit, room, message):
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, by_code(city.building_a.code, unit, room)])

    _job, result = run(officer, path)

    assert result.error_rows == 1 and result.created == 0
    assert result.errors[0]["column"] == "房号" and message in result.errors[0]["message"]


def test_a_code_that_is_not_a_building_is_refused(city, officer, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, by_code(city.grid_a.code, "", "101")])

    _job, result = run(officer, path)

    assert result.error_rows == 1
    assert result.errors[0]["column"] == "楼栋代码" and "不是楼栋" in result.errors[0]["message"]


def test_a_worker_creates_and_updates_only_in_their_grid(city, worker_a, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            HEADERS,
            by_code(city.building_a.code, "1", "303"),
            by_code(city.building_b.code, "1", "303"),
            by_names("", "", "", "2号楼", "1", "304"),
            by_code(city.building_b.code, city.household_b.unit, city.household_b.room, "改"),
        ],
    )

    _job, result = run(worker_a, path)

    assert (result.created, result.updated, result.error_rows) == (1, 0, 3)
    assert [e["row"] for e in result.errors] == [3, 4, 5]
    assert all("不在您的辖区内" in e["message"] for e in result.errors)
    assert not Household.objects.filter(building=city.building_b, room__in=["303", "304"]).exists()
    city.household_b.refresh_from_db()
    assert city.household_b.notes == ""


def test_roles_without_household_rights_cannot_import(city, tmp_path):
    volunteer = staff("volunteer", city.grid_a, username="volunteer_a")
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, by_code(city.building_a.code, "1", "303")])

    with pytest.raises(PermissionDenied):
        run(volunteer, path)
    assert not Household.objects.filter(room="303").exists()


def test_a_dry_run_counts_households_without_writing(city, officer, tmp_path):
    code = city.building_a.code
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            HEADERS,
            by_code(code, "1", "301"),
            by_code(code, "1", "302"),
            by_code(code, city.household_a.unit, city.household_a.room, "改"),
        ],
    )
    before = Household.objects.count(), ObjectChange.objects.count(), counts(city.building_a)

    _job, result = run(officer, path, dry_run=True)

    assert (result.created, result.updated, result.households_created) == (2, 1, 2)
    assert (Household.objects.count(), ObjectChange.objects.count(), counts(city.building_a)) == (
        before
    )


def test_a_worker_finds_their_building_by_its_full_names(city, worker_a, tmp_path):
    row = by_names("东街街道", "三坊社区", "第一网格", "1号楼", "1", "305")

    _job, result = run(worker_a, write_xlsx(tmp_path / "a.xlsx", [HEADERS, row]))

    assert result.errors == []
    assert Household.objects.get(room="305").building == city.building_a

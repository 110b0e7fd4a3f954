"""Importing the residents ledger through the service the pages, API and CLI share."""

import pytest

from fangyi.core.models import ObjectChange
from fangyi.ledgers import services
from fangyi.people.models import Household, Person
from tests.ledgers.support import RESIDENT_HEADERS, synthetic_id, write_xlsx

pytestmark = pytest.mark.usefixtures("ledger_dir")


def run(actor, path, **options):
    return services.import_path(actor=actor, ledger="residents", path=path, **options)


def test_new_residents_are_created_with_their_households(city, officer, tmp_path):
    code = city.building_a.code
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            RESIDENT_HEADERS,
            ["赵一", synthetic_id(1), "13700000001", code, "2", "301"],
            ["赵二", synthetic_id(2, male=False), "", code, "2", "301"],
        ],
        title="东街街道居民台账",
    )
    job, result = run(officer, path)
    assert result.errors == []
    assert (result.rows, result.created, result.error_rows) == (2, 2, 0)
    assert result.households_created == 1
    household = Household.objects.get(building=city.building_a, unit="2", room="301")
    members = {p.name: p for p in household.members.all()}
    assert set(members) == {"赵一", "赵二"}
    assert members["赵二"].gender == "F" and members["赵一"].phone == "13700000001"
    city.building_a.refresh_from_db()
    assert city.building_a.resident_count == 3 and city.building_a.household_count == 2
    changes = ObjectChange.objects.filter(actor=officer)
    assert changes.filter(object_type="people.person").count() == 2
    assert changes.filter(object_type="people.household").count() == 1
    summary = changes.get(object_type="ledgers.importjob")
    assert summary.after["sha256"] == job.sha256 and summary.after["created"] == 2
    job.refresh_from_db()
    assert job.status == "done" and job.started_at <= job.finished_at


def test_second_import_of_the_same_file_changes_nothing(city, officer, tmp_path):
    code = city.building_a.code
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [RESIDENT_HEADERS, ["赵一", synthetic_id(1), "13700000001", code, "", "301"]],
    )
    run(officer, path)
    before = Person.objects.count(), ObjectChange.objects.count()
    _job, result = run(officer, path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert Person.objects.count() == before[0]
    # Only the import's own summary is added to the audit trail.
    assert ObjectChange.objects.count() == before[1] + 1


def test_a_known_id_updates_only_the_cells_given(city, officer, tmp_path):
    person = city.person_a
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            ["姓名", "身份证号码", "联系电话", "卧床"],
            ["王小明", person.id_number, "139-0000-0009", "是"],
        ],
    )
    _job, result = run(officer, path)
    assert (result.updated, result.error_rows) == (1, 0), result.errors
    person.refresh_from_db()
    assert person.phone == "13900000009" and person.is_bedridden
    assert person.household == city.household_a
    change = ObjectChange.objects.get(object_id=str(person.pk), action="update")
    assert change.before == {"phone": "13800000001", "is_bedridden": False}


def test_every_error_of_a_row_is_reported_with_the_excel_row_number(city, officer, tmp_path):
    bad_id = synthetic_id(5)[:17] + ("0" if synthetic_id(5)[17] != "0" else "1")
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            RESIDENT_HEADERS,
            ["", bad_id, "12345", city.building_a.code, "", "101"],
            ["钱七", synthetic_id(7), "", "350102001001009009", "", "101"],
        ],
        title="标题",
    )
    _job, result = run(officer, path)
    assert result.error_rows == 2 and result.created == 0
    by_row = {}
    for error in result.errors:
        by_row.setdefault(error["row"], []).append(error["column"])
    assert sorted(by_row[3]) == ["姓名", "手机号", "证件号码"]
    assert by_row[4] == ["楼栋代码"]


def test_duplicates_inside_the_file_name_the_first_row(city, officer, tmp_path):
    number = synthetic_id(8)
    code = city.building_a.code
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            RESIDENT_HEADERS,
            ["孙八", number, "", code, "", "501"],
            ["孙八", number, "", code, "", "502"],
        ],
    )
    _job, result = run(officer, path)
    assert result.created == 1 and result.error_rows == 1
    assert result.errors[0]["row"] == 3 and "第 2 行" in result.errors[0]["message"]


def test_dry_run_counts_without_writing(city, officer, tmp_path):
    code = city.building_a.code
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            RESIDENT_HEADERS,
            ["赵一", synthetic_id(1), "", code, "", "901"],
            ["赵二", synthetic_id(2), "", code, "", "901"],
            ["王小明", city.person_a.id_number, "13600000000", "", "", ""],
            ["坏", "123", "", code, "", "901"],
        ],
    )
    before = Person.objects.count(), Household.objects.count(), ObjectChange.objects.count()
    _job, result = run(officer, path, dry_run=True)
    assert (result.created, result.updated, result.error_rows) == (2, 1, 1)
    assert result.households_created == 1
    after = Person.objects.count(), Household.objects.count(), ObjectChange.objects.count()
    assert after == before


def test_all_or_nothing_refuses_the_whole_file(city, officer, tmp_path):
    code = city.building_a.code
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            RESIDENT_HEADERS,
            ["赵一", synthetic_id(1), "", code, "", "901"],
            ["坏", "123", "", code, "", "901"],
        ],
    )
    job, result = run(officer, path, all_or_nothing=True)
    assert result.refused and job.status == "refused"
    assert not Person.objects.filter(name="赵一").exists()
    assert result.exit_status == 1


def test_a_worker_cannot_import_into_another_grid(city, worker_a, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            RESIDENT_HEADERS,
            ["赵一", synthetic_id(1), "", city.building_a.code, "", "901"],
            ["赵二", synthetic_id(2), "", city.building_b.code, "", "901"],
            ["李秀英", city.person_b.id_number, "13600000000", "", "", ""],
        ],
    )
    _job, result = run(worker_a, path)
    assert result.created == 1 and result.error_rows == 2
    assert not Person.objects.filter(name="赵二").exists()
    city.person_b.refresh_from_db()
    assert city.person_b.phone == "13900000002"


def test_location_by_names_and_ambiguity(city, officer, tmp_path):
    from fangyi.regions.models import Level
    from tests.factories import region

    region("350102001001002002", "1号楼", Level.BUILDING, city.grid_b)
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            ["姓名", "证件号码", "街道", "社区", "网格", "楼栋", "房号"],
            ["赵一", synthetic_id(1), "", "", "", "1号楼", "101"],
            ["赵二", synthetic_id(2), "东街街道", "三坊社区", "第二网格", "１ 号楼", "101"],
        ],
    )
    _job, result = run(officer, path)
    assert result.created == 1
    assert "不唯一" in result.errors[0]["message"]
    assert "350102001001001001" in result.errors[0]["message"]
    assert Person.objects.get(name="赵二").region_path == "350102001001002002"


def test_a_file_without_the_required_columns_cannot_be_read(city, officer, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [["姓名", "手机号"], ["赵一", "13700000001"]])
    _job, result = run(officer, path)
    assert result.exit_status == 2 and "证件号码" in result.unreadable

"""Importing the regions ledger (区划台账): create by code under a parent, rename by code."""

import pytest

from fangyi.core.models import ObjectChange
from fangyi.ledgers import services
from fangyi.regions.models import Level, Region
from tests.ledgers.support import write_csv, write_xlsx

from ..factories import region, staff

pytestmark = pytest.mark.usefixtures("ledger_dir")

HEADERS = ["区划代码", "名称", "层级", "上级代码"]
COMMUNITY = "350102001002"
GRID = "350102001002001"
BUILDING = "350102001002001001"


def run(actor, path, **options):
    return services.import_path(actor=actor, ledger="regions", path=path, **options)


def errors_by_row(result) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for error in result.errors:
        found.setdefault(error["row"], []).append((error["column"], error["message"]))
    return found


def new_tree_rows():
    return [
        HEADERS,
        [COMMUNITY, "七星社区", "社区", "350102001"],
        [GRID, "七星第一网格", "网格", COMMUNITY],
        [BUILDING, "七星1号楼", "楼栋", GRID],
    ]


def test_a_community_grid_and_building_are_created_in_one_file(city, officer, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", new_tree_rows(), title="东街街道区划")

    job, result = run(officer, path)

    assert result.errors == []
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert result.header_row == 2 and job.status == "done"
    community = Region.objects.get(code=COMMUNITY)
    grid = Region.objects.get(code=GRID)
    building = Region.objects.get(code=BUILDING)
    assert (community.name, community.level, community.parent) == (
        "七星社区",
        Level.COMMUNITY,
        city.street,
    )
    assert (grid.level, grid.parent, grid.path) == (Level.GRID, community, GRID)
    assert (building.level, building.parent, building.path) == (Level.BUILDING, grid, BUILDING)
    assert building.resident_count == 0 and building.household_count == 0
    assert [r.code for r in building.ancestors()][-3:] == [city.street.code, COMMUNITY, GRID]


def test_level_and_parent_may_be_left_out(city, officer, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [["代码", "名称"], [COMMUNITY, "七星社区"], [GRID, "七星第一网格"]],
    )

    _job, result = run(officer, path)

    assert (result.created, result.error_rows) == (2, 0), result.errors
    assert Region.objects.get(code=GRID).parent.code == COMMUNITY


def test_each_created_region_is_audited(city, officer, tmp_path):
    job, _result = run(officer, write_xlsx(tmp_path / "a.xlsx", new_tree_rows()))

    changes = ObjectChange.objects.filter(object_type="regions.region")
    assert changes.count() == 3
    building = Region.objects.get(code=BUILDING)
    change = changes.get(object_id=str(building.pk))
    assert change.action == ObjectChange.CREATE and change.actor == officer
    assert change.before is None
    assert change.after == {
        "code": BUILDING,
        "name": "七星1号楼",
        "level": Level.BUILDING,
        "parent": str(Region.objects.get(code=GRID).pk),
    }
    assert change.region_path == BUILDING
    summary = ObjectChange.objects.get(object_type="ledgers.importjob")
    assert summary.object_id == str(job.pk)
    assert summary.after["created"] == 3 and summary.after["ledger"] == "regions"
    # Filed under the importer's street, so the street's audit log shows it.
    assert summary.region_path == city.street.path


def test_a_known_code_with_a_new_name_renames_it(city, officer, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            HEADERS,
            [city.grid_a.code, "第一网格东片", "", ""],
            [city.grid_b.code, "第二网格", "", ""],
        ],
    )

    _job, result = run(officer, path)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    city.grid_a.refresh_from_db()
    assert city.grid_a.name == "第一网格东片"
    assert city.grid_a.parent == city.community and city.grid_a.path == "350102001001001"
    change = ObjectChange.objects.get(object_type="regions.region")
    assert (change.action, change.object_id) == (ObjectChange.UPDATE, str(city.grid_a.pk))
    assert change.before == {"name": "第一网格"} and change.after == {"name": "第一网格东片"}


def test_reimporting_changes_nothing(city, officer, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", new_tree_rows())
    run(officer, path)
    regions, changes = Region.objects.count(), ObjectChange.objects.count()

    _job, result = run(officer, path)

    assert (result.created, result.updated, result.unchanged, result.error_rows) == (0, 0, 3, 0)
    assert Region.objects.count() == regions
    assert ObjectChange.objects.count() == changes + 1


def test_a_dry_run_counts_without_writing(city, officer, tmp_path):
    rows = [*new_tree_rows(), [city.grid_a.code, "改名", "", ""]]
    before = Region.objects.count(), ObjectChange.objects.count()

    _job, result = run(officer, write_xlsx(tmp_path / "a.xlsx", rows), dry_run=True)

    assert (result.created, result.updated, result.error_rows) == (3, 1, 0)
    assert (Region.objects.count(), ObjectChange.objects.count()) == before
    city.grid_a.refresh_from_db()
    assert city.grid_a.name == "第一网格"


def test_level_and_parent_columns_must_agree_with_the_code(city, officer, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            HEADERS,
            [COMMUNITY, "七星社区", "网格", ""],
            [GRID, "七星第一网格", "", "350102001001"],
            ["350102001003", "八一社区", "小区", ""],
        ],
    )

    _job, result = run(officer, path)

    assert result.created == 0 and result.error_rows == 3
    errors = errors_by_row(result)
    assert [column for column, _m in errors[2]] == ["层级"]
    assert "12 位代码是社区" in errors[2][0][1]
    assert [column for column, _m in errors[3]] == ["上级代码"]
    assert f"上级应为 {COMMUNITY}" in errors[3][0][1]
    assert [column for column, _m in errors[4]] == ["层级"]
    assert "无效的取值" in errors[4][0][1]
    assert not Region.objects.filter(code__in=[COMMUNITY, GRID, "350102001003"]).exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("3501020010021", "应为9、12、15或18位"),
        ("35010200100A", "只能包含数字"),
        ("", "请填写区划代码"),
    ],
)
def test_a_malformed_code_is_a_row_error(city, officer, tmp_path, code, message):
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, [code, "某社区", "", ""]])

    _job, result = run(officer, path)

    assert result.error_rows == 1 and result.created == 0
    assert result.errors[0]["column"] == "区划代码"
    assert message in result.errors[0]["message"]


def test_a_name_is_required_and_bounded(city, officer, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx", [HEADERS, [COMMUNITY, "", "", ""], [GRID, "长" * 101, "", ""]]
    )

    _job, result = run(officer, path)

    errors = errors_by_row(result)
    assert errors[2] == [("名称", "请填写名称。")]
    assert errors[3][0][0] == "名称" and "100" in errors[3][0][1]
    assert not Region.objects.filter(code__in=[COMMUNITY, GRID]).exists()


def test_an_unknown_parent_is_refused(city, officer, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, ["350102001009001", "孤网格", "", ""]])

    _job, result = run(officer, path)

    assert result.error_rows == 1
    assert result.errors[0]["column"] == "区划代码"
    assert "350102001009" in result.errors[0]["message"]
    assert not Region.objects.filter(code="350102001009001").exists()


def test_a_child_before_its_parent_is_refused_and_names_the_order(city, officer, tmp_path):
    rows = new_tree_rows()
    path = write_xlsx(tmp_path / "a.xlsx", [rows[0], rows[2], rows[1]])

    _job, result = run(officer, path)

    assert (result.created, result.error_rows) == (1, 1)
    assert result.errors[0]["row"] == 2 and "排在下级之前" in result.errors[0]["message"]
    assert Region.objects.filter(code=COMMUNITY).exists()
    assert not Region.objects.filter(code=GRID).exists()


def test_a_child_of_a_refused_parent_is_refused_too(city, officer, tmp_path):
    rows = new_tree_rows()
    rows[1][1] = ""  # the community has no name
    _job, result = run(officer, write_xlsx(tmp_path / "a.xlsx", rows))

    assert result.created == 0 and result.error_rows == 3
    assert not Region.objects.filter(code__startswith=COMMUNITY).exists()


def test_a_code_twice_in_the_file_names_the_first_row(city, officer, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [HEADERS, [COMMUNITY, "七星社区", "", ""], [COMMUNITY, "八一社区", "", ""]],
    )

    _job, result = run(officer, path)

    assert (result.created, result.error_rows) == (1, 1)
    assert result.errors[0]["row"] == 3 and "第 2 行" in result.errors[0]["message"]
    assert Region.objects.get(code=COMMUNITY).name == "七星社区"


def test_a_building_code_stored_as_a_number_is_a_clear_error(city, officer, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            HEADERS,
            [350102001001001002.0, "2号楼", "楼栋", ""],
            [350102001001001003, "3号楼", "", ""],
        ],
    )

    _job, result = run(officer, path)

    assert result.created == 0 and result.error_rows == 2
    for error in result.errors:
        assert error["column"] == "区划代码"
        assert "存成了数字" in error["message"] and "文本格式" in error["message"]
    assert not Region.objects.filter(parent=city.grid_a).exclude(pk=city.building_a.pk).exists()


def test_a_short_code_stored_as_a_number_is_exact_and_accepted(city, officer, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [HEADERS, [350102001002, "七星社区", "", 350102001], [350102001002001.0, "网格", "", ""]],
    )

    _job, result = run(officer, path)

    assert (result.created, result.error_rows) == (2, 0), result.errors
    assert Region.objects.get(code=GRID).parent.code == COMMUNITY


def test_an_officer_cannot_reach_outside_their_street(city, officer, tmp_path):
    other_street = region("350102002", "南街街道", Level.STREET, city.district)
    region("350102002001", "南街社区", Level.COMMUNITY, other_street)
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            HEADERS,
            ["350102003", "新街道", "街道", "350102"],
            ["350102002009", "越界社区", "", ""],
            ["350102002001", "改名社区", "", ""],
            [COMMUNITY, "七星社区", "", ""],
        ],
    )

    _job, result = run(officer, path)

    assert (result.created, result.error_rows) == (1, 3)
    errors = errors_by_row(result)
    assert "您没有在 鼓楼区 下新建区域的权限" in errors[2][0][1]
    assert "350102002 不存在或不在您的辖区内" in errors[3][0][1]
    assert "不在您的辖区内" in errors[4][0][1]
    assert not Region.objects.filter(code__in=["350102003", "350102002009"]).exists()
    assert Region.objects.get(code="350102002001").name == "南街社区"


def test_an_officer_of_a_district_creates_a_street_under_it(city, tmp_path):
    district_officer = staff("officer", city.district, username="district_officer")
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [HEADERS, ["350102003", "新街道", "街道", "350102"], ["350102003001", "新社区", "", ""]],
    )

    _job, result = run(district_officer, path)

    assert (result.created, result.error_rows) == (2, 0), result.errors
    street = Region.objects.get(code="350102003")
    assert (street.level, street.parent, street.path) == (Level.STREET, city.district, "350102003")


def test_a_grid_worker_may_not_change_regions(city, worker_a, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, [city.grid_a.code, "改名", "", ""]])

    with pytest.raises(Exception, match="权限"):
        run(worker_a, path)
    city.grid_a.refresh_from_db()
    assert city.grid_a.name == "第一网格"


def test_a_grid_leader_sees_no_rename_or_create_rights(city, leader_a, tmp_path):
    # grid leaders may view regions only; an import is refused before any row is read.
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, [city.grid_a.code + "009", "新楼", "", ""]])

    with pytest.raises(Exception, match="权限"):
        run(leader_a, path)
    assert not Region.objects.filter(code=city.grid_a.code + "009").exists()


def test_all_or_nothing_creates_no_region_when_one_row_is_wrong(city, officer, tmp_path):
    rows = [*new_tree_rows(), ["350102001002001002", "", "", ""]]

    job, result = run(officer, write_xlsx(tmp_path / "a.xlsx", rows), all_or_nothing=True)

    assert job.status == "refused" and result.exit_status == 1
    assert not Region.objects.filter(code__startswith=COMMUNITY).exists()


def test_a_name_with_chinese_punctuation_is_kept_as_written(city, officer, tmp_path):
    Region.objects.filter(pk=city.grid_a.pk).update(name="第一网格（东片）")
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            HEADERS,
            [city.grid_a.code, "第一网格（东片）", "", ""],
            [COMMUNITY, "七星社区：新建", "", ""],
        ],
    )

    _job, result = run(officer, path)

    assert (result.created, result.updated, result.unchanged) == (1, 0, 1)
    assert Region.objects.get(pk=city.grid_a.pk).name == "第一网格（东片）"
    assert Region.objects.get(code=COMMUNITY).name == "七星社区：新建"

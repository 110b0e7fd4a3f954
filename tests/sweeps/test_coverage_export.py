"""The coverage exported as the `sweep-coverage` ledger through the ledgers engine, read back
from the xlsx (or CSV) file and checked against a hand-counted sweep of a community of two grids:

grid A, building A (4 households): 101 answered (王小明 confirmed, a newcomer back from a
high-risk area), 102 not answered once, 103 not answered twice (listed), 104 never visited;
grid B, building B (2 households): 202 answered twice (李秀英 confirmed; the second visit is a
conflict), 203 never visited.
"""

import csv
import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from python_calamine import CalamineWorkbook

from fangyi.ledgers import services as ledgers
from fangyi.ledgers.models import JobStatus
from fangyi.sweeps.ledger import SweepCoverageLedger
from tests.factories import HouseholdFactory, resident_id
from tests.sweeps.support import start, upload, visit

pytestmark = pytest.mark.django_db

HEADERS = [
    "区域代码",
    "区域",
    "应走访户数",
    "已走访户数",
    "未走访户数",
    "敲门未应户数",
    "交社区户数",
    "核实人数",
    "新增人数",
    "风险地区返回人数",
    "重复走访户数",
]


@pytest.fixture(autouse=True)
def ledger_dir(settings, tmp_path):
    settings.FANGYI_LEDGER_DIR = tmp_path / "ledgers"
    return settings.FANGYI_LEDGER_DIR


@pytest.fixture
def swept(city, officer):
    h102 = HouseholdFactory(building=city.building_a, room="102")
    h103 = HouseholdFactory(building=city.building_a, room="103")
    HouseholdFactory(building=city.building_a, room="104")
    HouseholdFactory(building=city.building_b, room="203")
    sweep = start(officer, city.community)
    arrived = (timezone.now() - datetime.timedelta(days=2)).isoformat()
    upload(
        officer,
        sweep,
        visit(
            city.household_a,
            answers={
                "members": [{"person": str(city.person_a.pk), "status": "here"}],
                "newcomers": [{"name": "赵新来", "id_number": resident_id()}],
                "arrivals": [
                    {"who": "new:0", "from": "上海", "risk": "high", "arrived_at": arrived}
                ],
            },
        ),
        visit(h102, outcome="not_answered"),
        visit(h103, outcome="not_answered"),
        visit(
            city.household_b,
            answers={"members": [{"person": str(city.person_b.pk), "status": "here"}]},
        ),
    )
    upload(
        officer,
        sweep,
        visit(h103, outcome="not_answered"),
        visit(city.household_b, answers={"members": []}),
    )
    return sweep


def export(user, region, sweep, fmt: str = "xlsx") -> list[list]:
    job = ledgers.start_export(
        actor=user,
        ledger=SweepCoverageLedger.slug,
        region=region,
        fmt=fmt,
        filters={"sweep": str(sweep.pk)},
        inline=True,
    )
    assert job.status == JobStatus.DONE, job.message
    if fmt == "csv":
        with job.file_path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle))
    sheet = CalamineWorkbook.from_path(str(job.file_path)).get_sheet_by_index(0)
    return sheet.to_python()


def counts(row: list) -> list[int]:
    return [int(value) for value in row[2:]]


def test_the_coverage_exported_row_by_row_down_to_the_buildings(city, officer, swept):
    table = export(officer, city.community, swept)
    assert table[0] == HEADERS
    rows = {row[0]: (row[1], counts(row)) for row in table[1:]}
    assert list(rows) == [
        city.community.code,
        city.grid_a.code,
        city.building_a.code,
        city.grid_b.code,
        city.building_b.code,
    ]
    assert rows[city.community.code] == (city.community.name, [6, 2, 4, 1, 1, 2, 1, 1, 1])
    assert rows[city.grid_a.code] == (city.grid_a.name, [4, 1, 3, 1, 1, 1, 1, 1, 0])
    assert rows[city.building_a.code] == (city.building_a.name, [4, 1, 3, 1, 1, 1, 1, 1, 0])
    assert rows[city.grid_b.code] == (city.grid_b.name, [2, 1, 1, 0, 0, 1, 0, 0, 1])
    assert rows[city.building_b.code] == (city.building_b.name, [2, 1, 1, 0, 0, 1, 0, 0, 1])


def test_a_grid_leader_exports_their_grid_only_as_csv_too(city, leader_b, swept):
    table = export(leader_b, city.grid_b, swept, fmt="csv")
    assert [(row[0], counts(row)) for row in table[1:]] == [
        (city.grid_b.code, [2, 1, 1, 0, 0, 1, 0, 0, 1]),
        (city.building_b.code, [2, 1, 1, 0, 0, 1, 0, 0, 1]),
    ]
    with pytest.raises(PermissionDenied):
        export(leader_b, city.community, swept)

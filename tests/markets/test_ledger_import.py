"""The price-reports ledger: a sheet through the ledgers engine lights the items it touches;
bad rows are named by their row number and reason; a reporter imports only their points."""

import datetime
import io

import openpyxl
import pytest

from fangyi.ledgers import services as ledgers
from fangyi.markets.models import Light, PriceReport, today
from tests.ledgers.support import read_xlsx, write_csv
from tests.support import client_for

from .support import point, reporter

pytestmark = pytest.mark.django_db
HEADER = ["监测点编号", "日期", "品种", "价格", "库存", "当日销量"]


@pytest.fixture(autouse=True)
def ledger_dir(settings, tmp_path):
    settings.FANGYI_LEDGER_DIR = tmp_path / "ledgers"
    return settings.FANGYI_LEDGER_DIR


def day(n: int) -> str:
    return (today() - datetime.timedelta(days=n)).isoformat()


def test_a_sheet_of_twenty_days_lights_the_item(city, officer, tmp_path):
    point(officer, city.grid_a, "FZ-001")
    rows = [HEADER]
    rows += [["FZ-001", day(n), "猪肉", "20", "", ""] for n in range(10, 20)]
    rows += [["fz-001", day(n), "pork", "22", "400", "40"] for n in range(10)]
    job, result = ledgers.import_path(
        actor=officer, ledger="price-reports", path=write_csv(tmp_path / "a.csv", rows)
    )
    assert (result.created, result.error_rows) == (20, 0), result.errors
    assert job.status == "done"
    light = Light.objects.get(item__code="pork", region=city.street)
    assert (light.colour, str(light.change_percent), str(light.cover_days)) == (
        "red",
        "10.00",
        "10.0",
    )
    # The same sheet again changes nothing.
    _job, again = ledgers.import_path(
        actor=officer, ledger="price-reports", path=write_csv(tmp_path / "a.csv", rows)
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 20)


def test_bad_rows_are_named_by_row_and_reason(city, officer, tmp_path):
    point(officer, city.grid_a, "FZ-001")
    stopped = point(officer, city.grid_a, "FZ-009")
    stopped.active = False
    stopped.save()
    rows = [
        HEADER,
        ["FZ-001", day(0), "大米", "5.20", "", ""],
        ["FZ-404", day(0), "大米", "5.20", "", ""],
        ["FZ-001", day(0), "鱼子酱", "5.20", "", ""],
        ["FZ-001", day(0), "面粉", "-3", "", ""],
        ["FZ-001", day(-1), "面粉", "4", "", ""],
        ["FZ-001", day(0), "大米", "5.30", "", ""],
        ["FZ-001", day(0), "鸡蛋", "", "", ""],
        ["FZ-001", "昨天", "鸡蛋", "9", "", ""],
        ["FZ-001", day(0), "鸡蛋", "9", "很多", ""],
        ["FZ-009", day(0), "鸡蛋", "9", "", ""],
    ]
    _job, result = ledgers.import_path(
        actor=officer,
        ledger="price-reports",
        path=write_csv(tmp_path / "b.csv", rows),
        dry_run=True,
    )
    errors = {(e["row"], e["column"]): e["message"] for e in result.errors}
    assert errors[(3, "监测点编号")] == "没有这个监测点，或您不是它的报价员：FZ-404。"
    assert errors[(4, "品种")] == "没有这个监测品种：鱼子酱。"
    assert errors[(5, "价格")].startswith("价格应大于 0")
    assert errors[(6, "日期")] == "不能填报今天以后的价格。"
    assert errors[(7, "品种")] == "与第 2 行是同一监测点、品种和日期。"
    assert errors[(8, "价格")] == "请填写价格。"
    assert (9, "日期") in errors
    assert errors[(10, "库存")] == "数量应为数字，最多两位小数。"
    assert errors[(11, "监测点编号")] == "该监测点已停用。"
    assert (result.created, result.error_rows) == (1, 9)
    assert not PriceReport.objects.exists()


def test_a_reporter_imports_only_their_own_points(city, officer, tmp_path):
    rep = reporter(city.grid_a, "rep_a")
    point(officer, city.grid_a, "FZ-001", reporters=[rep])
    point(officer, city.grid_a, "FZ-002")
    rows = [
        HEADER,
        ["FZ-001", day(0), "大米", "5", "", ""],
        ["FZ-002", day(0), "大米", "5", "", ""],
    ]
    _job, result = ledgers.import_path(
        actor=rep, ledger="price-reports", path=write_csv(tmp_path / "c.csv", rows)
    )
    assert (result.created, result.error_rows) == (1, 1)
    assert [e["row"] for e in result.errors] == [3]
    assert list(PriceReport.objects.values_list("point__code", flat=True)) == ["FZ-001"]


def test_the_template_and_an_export(city, officer, tmp_path):
    point(officer, city.grid_a, "FZ-001")
    rows = [HEADER, ["FZ-001", day(0), "大米", "5.20", "3000", "100"]]
    ledgers.import_path(
        actor=officer, ledger="price-reports", path=write_csv(tmp_path / "e.csv", rows)
    )
    template = client_for(officer).get("/api/v1/ledgers/price-reports/template")
    assert template.status_code == 200
    content = b"".join(template.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [HEADER]
    job = ledgers.start_export(
        actor=officer, ledger="price-reports", region=city.street, inline=True
    )
    assert read_xlsx(job.file_path) == [
        HEADER,
        ["FZ-001", day(0), "大米", "5.20", "3000.00", "100.00"],
    ]

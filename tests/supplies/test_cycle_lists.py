"""A batch's pick list (totals per item) and delivery lists (building by building, priority
households first), on the page, in the API and as spreadsheets through the ledgers engine;
a grid's staff see only their grid's part."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from fangyi.ledgers import services as ledgers
from fangyi.regions.models import Level
from fangyi.supplies import services as supplies
from fangyi.supplies.cycle import services
from tests.factories import HouseholdFactory, PersonFactory, region, staff
from tests.supplies.cycle_support import accepted, cut_off_yesterday, package
from tests.supplies.support import vegetables
from tests.support import client_for, signed_in

HOUR = datetime.timedelta(hours=1)
# The batches of the tests are formed at yesterday's cut-off.
YESTERDAY = {"day": "yesterday"}


@pytest.fixture
def batch(city, officer):
    """Grid A's building: room 101 (normal) and room 102 (bedridden, priority); grid B's: 202."""
    vegs = vegetables(officer, city.community)
    rice = vegetables(officer, city.community, name="大米", unit="袋")
    cut = cut_off_yesterday()
    upstairs = HouseholdFactory(building=city.building_a, room="102")
    PersonFactory(household=upstairs, is_bedridden=True)
    accepted(officer, city.household_a, package(vegs, 2), at=cut - 3 * HOUR)
    accepted(
        officer,
        upstairs,
        supplies.Draft(
            kind="package",
            items=[
                supplies.ItemInput(quantity=1, catalogue_item=vegs),
                supplies.ItemInput(quantity=1, catalogue_item=rice),
            ],
        ),
        at=cut - 2 * HOUR,
    )
    accepted(officer, city.household_b, package(rice, 3), at=cut - HOUR)
    (formed,) = services.form_due_batches(now=cut + HOUR)
    return formed


def test_the_pick_list_totals_each_item(batch, city):
    lines = {(line.name, line.unit): line.quantity for line in services.pick_list([batch])}
    assert lines == {("蔬菜包", "份"): 3, ("大米", "袋"): 4}


def test_delivery_lists_go_building_by_building_priority_first(batch, city):
    buildings = services.delivery_lists(batch)
    assert [b.code for b in buildings] == [city.building_a.code, city.building_b.code]
    first = buildings[0].stops
    assert [stop.room for stop in first] == ["102", "101"]
    assert first[0].priority and first[0].priority_tags == ["卧床"]
    assert first[0].lines == ["蔬菜包 × 1份", "大米 × 1袋"]
    assert all(stop.task_id for building in buildings for stop in building.stops)


def test_a_grid_worker_sees_their_grids_part_and_no_pick_list(batch, city, worker_a, officer):
    page = signed_in(worker_a).get(reverse("supplies_cycle:batch", args=[batch.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert f'id="building-{city.building_a.code}"' in text
    assert city.building_b.code not in text and 'id="pick-list"' not in text
    full = signed_in(officer).get(reverse("supplies_cycle:batch", args=[batch.pk])).content
    assert b'id="pick-list"' in full and city.building_b.code.encode() in full
    api = client_for(worker_a)
    lists = api.get(f"/api/v1/supplies/batches/{batch.pk}/deliveries").json()
    assert [b["code"] for b in lists] == [city.building_a.code]
    assert api.get(f"/api/v1/supplies/batches/{batch.pk}/pick-list").status_code == 403
    assert client_for(worker_a).get("/api/v1/supplies/batches").json()["items"][0]["id"] == str(
        batch.pk
    )


def test_a_grid_of_another_community_does_not_see_the_batch(batch, city):
    other = region("350102001002", "另一社区", Level.COMMUNITY, city.street)
    stranger = staff("grid_worker", region("350102001002001", "甲网格", Level.GRID, other))
    assert client_for(stranger).get(f"/api/v1/supplies/batches/{batch.pk}").status_code == 404
    assert client_for(stranger).get("/api/v1/supplies/batches").json()["items"] == []


def _sheet(job):
    job.refresh_from_db()
    assert job.status == "done", job.message
    book = openpyxl.load_workbook(io.BytesIO(job.file_path.read_bytes()))
    return [
        ["" if cell is None else str(cell) for cell in row]
        for row in book.active.iter_rows(values_only=True)
    ]


def test_the_lists_export_as_spreadsheets(batch, city, officer):
    pick = ledgers.start_export(
        actor=officer,
        ledger="supplies-pick-list",
        region=city.street,
        inline=True,
        filters=YESTERDAY,
    )
    rows = _sheet(pick)
    assert rows[0] == ["社区代码", "社区", "物资", "单位", "数量"]
    assert [city.community.code, city.community.name, "大米", "袋", "4"] in rows[1:]
    deliveries = _sheet(
        ledgers.start_export(
            actor=officer,
            ledger="supplies-delivery-lists",
            region=city.community,
            inline=True,
            filters=YESTERDAY,
        )
    )
    assert deliveries[0][:4] == ["楼栋代码", "楼栋", "单元", "房号"]
    assert [row[3] for row in deliveries[1:]] == ["102", "101", "202"]
    assert deliveries[1][4] == "卧床" and deliveries[2][4] == ""

"""Importing the region-boundaries ledger (区域边界台账): a region's outline as GeoJSON, checked
row by row (shape, WGS84, size), created or replaced, each change audited without its points."""

import json

import pytest

from fangyi.core.models import ObjectChange
from fangyi.ledgers import services
from fangyi.regions.models import Boundary
from tests.ledgers.support import write_csv, write_xlsx

pytestmark = pytest.mark.usefixtures("ledger_dir")

HEADERS = ["区划代码", "边界"]


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def run(actor, path, **options):
    return services.import_path(actor=actor, ledger="region-boundaries", path=path, **options)


def errors_by_row(result) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for error in result.errors:
        found.setdefault(error["row"], []).append(error["message"])
    return found


def test_outlines_are_created_then_replaced_and_audited(city, officer, tmp_path):
    first = write_xlsx(
        tmp_path / "a.xlsx",
        [
            HEADERS,
            [city.street.code, json.dumps(square(119.29, 26.08))],
            [
                city.community.code,
                json.dumps({"type": "Feature", "geometry": square(119.3, 26.08)}),
            ],
        ],
    )
    job, result = run(officer, first)
    assert result.errors == [] and job.status == "done"
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    outline = Boundary.objects.get(region=city.community)
    assert outline.geometry == square(119.3, 26.08) and outline.path == city.community.path

    again = write_csv(
        tmp_path / "b.csv",
        [
            HEADERS,
            [city.street.code, json.dumps(square(119.29, 26.08))],
            [city.community.code, json.dumps(square(119.31, 26.08))],
        ],
    )
    _job, result = run(officer, again)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Boundary.objects.get(region=city.community).geometry == square(119.31, 26.08)
    changes = ObjectChange.objects.filter(object_type="regions.boundary").order_by("time")
    assert [c.action for c in changes].count(ObjectChange.UPDATE) == 1
    assert set(changes.last().after) == {"type", "sha256"}


def test_bad_rows_are_reported_with_their_row_and_reason(city, officer, tmp_path):
    projected = square(13_280_000, 3_010_000, 1000)
    point = {"type": "Point", "coordinates": [119.3, 26.08]}
    open_ring = {
        "type": "Polygon",
        "coordinates": [[[119.3, 26.0], [119.4, 26.0], [119.4, 26.1], [119.3, 26.1]]],
    }
    huge = square(119.3, 26.08)
    huge["coordinates"][0] = [[119.3 + i / 1e5, 26.08] for i in range(6000)] + [[119.3, 26.08]]
    path = write_csv(
        tmp_path / "bad.csv",
        [
            HEADERS,
            [city.street.code, json.dumps(projected)],
            [city.community.code, json.dumps(point)],
            [city.grid_a.code, json.dumps(open_ring)],
            [city.grid_b.code, "{not json"],
            [city.building_a.code, json.dumps(square(119.3, 26.08))],
            [city.district.code, json.dumps(square(119.3, 26.08))],
            [city.grid_a.code, json.dumps(huge)],
        ],
    )
    _job, result = run(officer, path)
    rows = errors_by_row(result)
    assert "WGS84" in rows[2][0]
    assert "Point" in rows[3][0]
    assert "闭合" in rows[4][0]
    assert "JSON" in rows[5][0]
    assert "不在您的辖区内" in rows[6][0]  # a building has no outline
    assert "权限" in rows[7][0] or "辖区" in rows[7][0]  # the officer works one street
    assert any("过大" in message for message in rows[8])
    assert not Boundary.objects.exists()


def test_the_outlines_are_exported_in_scope(city, officer, tmp_path):
    Boundary.objects.create(
        region=city.street, path=city.street.path, geometry=square(119.29, 26.08)
    )
    Boundary.objects.create(
        region=city.district, path=city.district.path, geometry=square(119.2, 26.0, 0.2)
    )
    ledger = services.LEDGERS["region-boundaries"](actor=officer)
    rows = list(ledger.export_rows(region=city.street, reveal=False, filters={}))
    assert rows == [[city.street.code, json.dumps(square(119.29, 26.08), separators=(",", ":"))]]

"""The screen's map: a region's children drawn from their outlines (served as GeoJSON by the
command area, in the user's scope), the treemap where none is known; the demo city's
synthetic outlines tile each region with its children."""

import io
import itertools
import json
import random

import pytest
from django.core.management import call_command

from fangyi.demo.boundaries import CITY, place, unit_tiles
from fangyi.regions.boundaries import clean_geometry
from fangyi.regions.models import Boundary, Level, Region
from tests.support import signed_in


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def outline(region, geometry) -> Boundary:
    return Boundary.objects.create(region=region, path=region.path, geometry=geometry)


def test_without_outlines_the_screen_keeps_the_treemap(city, commander):
    page = signed_in(commander).get(f"/command/?region={city.community.code}")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="region-map"' in body and "data-outlines" not in body


def test_with_outlines_the_screen_draws_the_map_from_the_scoped_outlines(city, commander):
    outline(city.grid_a, square(119.30, 26.08))
    client = signed_in(commander)
    body = client.get(f"/command/?region={city.community.code}").content.decode()
    assert f'data-outlines="/command/outlines/?region={city.community.code}"' in body
    assert 'id="map-missing"' in body  # one grid of two has an outline
    served = client.get(f"/command/outlines/?region={city.community.code}").json()
    assert served["type"] == "FeatureCollection"
    assert [f["properties"] for f in served["features"]] == [
        {"code": city.grid_a.code, "name": city.grid_a.name}
    ]
    assert served["features"][0]["geometry"] == square(119.30, 26.08)


def test_the_outlines_answer_in_json_outside_scope_and_without_right(city, officer, worker_a):
    outline(city.district, square(119.2, 26.0, 0.2))
    client = signed_in(officer)
    refused = client.get(f"/command/outlines/?region={city.city.code}")
    assert refused.status_code == 404 and "detail" in refused.json()
    assert client.get("/command/outlines/?region=%00").status_code == 404
    assert (
        signed_in(worker_a).get(f"/command/outlines/?region={city.grid_a.code}").status_code == 403
    )


def test_the_unit_tiles_cover_the_square_without_overlap():
    for count in (1, 2, 3, 5, 7, 12):
        tiles = unit_tiles(count, random.Random(count))
        assert len(tiles) == count
        area = 0.0
        for quad in tiles:
            ring = [*quad, quad[0]]
            area += sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2
        assert area == pytest.approx(1.0)
        assert all(0 <= u <= 1 and 0 <= v <= 1 for quad in tiles for u, v in quad)
    assert place(CITY, (0, 0)) == CITY[0] and place(CITY, (1, 1)) == CITY[2]


@pytest.mark.django_db
def test_the_demo_city_has_outlines_down_to_the_grids():
    out = io.StringIO()
    call_command("seed", "--residents", "400", "--seed", "7", "--demo-staff", "--json", stdout=out)
    written = json.loads(out.getvalue())["outlines"]
    regions = Region.objects.filter(level__gte=Level.CITY, level__lte=Level.GRID)
    assert written == regions.count() == Boundary.objects.count()
    for boundary in Boundary.objects.all():
        assert clean_geometry(boundary.geometry) == boundary.geometry

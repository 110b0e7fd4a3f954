"""Checking a region's outline before it is stored: GeoJSON, a Polygon or MultiPolygon (or a
Feature holding one), in WGS84 longitude/latitude, small enough for a spreadsheet cell and
for the screen to draw. Each refusal says what is wrong in words an officer can act on."""

import json
import math
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# An Excel cell holds 32,767 characters; an outline must survive a round trip through one.
MAX_CHARS = 32_000
# A district's outline simplified for a wall screen needs a few hundred points, not more.
MAX_POSITIONS = 5_000
SHAPES = ("Polygon", "MultiPolygon")
WGS84_NAMES = frozenset(
    {
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "urn:ogc:def:crs:EPSG::4326",
        "EPSG:4326",
    }
)


def _fail(message: str) -> NoReturn:
    raise ValidationError(message, code="boundary")


def _position(value) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) < 2:
        _fail(_("坐标应为 [经度, 纬度]。"))
    lon, lat = value[0], value[1]
    for number in (lon, lat):
        if isinstance(number, bool) or not isinstance(number, int | float):
            _fail(_("坐标应为数字：%(value)s") % {"value": json.dumps(value)[:60]})
        if not math.isfinite(number):
            _fail(_("坐标应为有限的数字。"))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        _fail(
            _("坐标 %(value)s 不是经纬度：边界须为 WGS84 经纬度（经度在前），而非投影坐标。")
            % {"value": json.dumps(value[:2])[:60]}
        )
    return float(lon), float(lat)


def _ring(value) -> int:
    if not isinstance(value, list) or len(value) < 4:
        _fail(_("多边形的每个环至少要有 4 个点（首尾相同）。"))
    positions = [_position(point) for point in value]
    if positions[0] != positions[-1]:
        _fail(_("多边形的环没有闭合：首尾两点应相同。"))
    return len(positions)


def _polygon(value) -> int:
    if not isinstance(value, list) or not value:
        _fail(_("多边形应为环的列表。"))
    return sum(_ring(ring) for ring in value)


def _parsed(value) -> dict:
    if isinstance(value, str):
        if len(value) > MAX_CHARS:
            _fail(_("边界过大：最多 %(n)d 个字符，请先简化。") % {"n": MAX_CHARS})
        try:
            value = json.loads(value)
        except ValueError:
            _fail(_("边界不是有效的 GeoJSON（JSON 格式错误）。"))
    if not isinstance(value, dict):
        _fail(_("边界应为 GeoJSON 对象。"))
    if value.get("type") == "Feature":
        value = value.get("geometry")
        if not isinstance(value, dict):
            _fail(_("Feature 没有几何图形。"))
    return value


def _check_crs(geometry: dict) -> None:
    crs = geometry.get("crs")
    if crs is None:
        return
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if name not in WGS84_NAMES:
        _fail(_("边界的坐标系不是 WGS84 经纬度：%(crs)s") % {"crs": str(name)[:60]})


def clean_geometry(value) -> dict:
    """The outline as it will be stored (the geometry alone, without a Feature's properties),
    or ValidationError saying why it cannot be."""
    geometry = _parsed(value)
    kind = geometry.get("type")
    if kind not in SHAPES:
        _fail(_("边界应为 Polygon 或 MultiPolygon，而不是 %(type)s。") % {"type": str(kind)[:40]})
    _check_crs(geometry)
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        positions = _polygon(coordinates)
    else:
        if not isinstance(coordinates, list) or not coordinates:
            _fail(_("MultiPolygon 应为多边形的列表。"))
        positions = sum(_polygon(polygon) for polygon in coordinates)
    if positions > MAX_POSITIONS:
        _fail(
            _("边界过大：%(n)d 个点，最多 %(max)d 个，请先简化。")
            % {"n": positions, "max": MAX_POSITIONS}
        )
    cleaned = {"type": kind, "coordinates": coordinates}
    if len(json.dumps(cleaned, separators=(",", ":"))) > MAX_CHARS:
        _fail(_("边界过大：最多 %(n)d 个字符，请先简化。") % {"n": MAX_CHARS})
    return cleaned

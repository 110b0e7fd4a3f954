"""Necessities: how many items of the basket show a red or a yellow light in the region. Lights
are stored per region already (markets computes them for the grid and every level above), so
they are read, not rolled up."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from fangyi.core.paths import under
from fangyi.markets.models import Colour, Light

from .base import Figure, Source

ITEMS = _("种")
GROUP = _("生活必需品")

RED = Figure(
    key="markets.red",
    name=_("红灯商品"),
    unit=ITEMS,
    group=GROUP,
    list_url="markets:lights",
    headline=True,
)
YELLOW = Figure(
    key="markets.yellow", name=_("黄灯商品"), unit=ITEMS, group=GROUP, list_url="markets:lights"
)


def compute(day, now, within: str) -> dict[str, dict[str, float]]:
    values: dict[str, dict[str, float]] = {RED.key: {}, YELLOW.key: {}}
    keys: dict[str, str] = {Colour.RED.value: RED.key, Colour.YELLOW.value: YELLOW.key}
    for path, colour, count in (
        Light.objects.filter(under("region_path", within), colour__in=keys)
        .order_by()
        .values("region_path", "colour")
        .annotate(n=Count("*"))
        .values_list("region_path", "colour", "n")
    ):
        values[keys[colour]][path] = count
    return values


SOURCE = Source(figures=(RED, YELLOW), compute=compute)

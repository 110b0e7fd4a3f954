"""Every figure of the command centre, defined once: one module per source area, each with its
figures and the function that counts them for every region at once.
"""

import datetime

from django.utils import timezone

from . import enterprises, health, hotline, investigations, isolation, markets, screening, supplies
from .base import Figure, Source, Values

SOURCES: tuple[Source, ...] = (
    health.SOURCE,
    investigations.SOURCE,
    isolation.SOURCE,
    screening.SOURCE,
    supplies.SOURCE,
    hotline.SOURCE,
    markets.SOURCE,
    enterprises.SOURCE,
)
FIGURES: tuple[Figure, ...] = tuple(figure for source in SOURCES for figure in source.figures)
BY_KEY: dict[str, Figure] = {figure.key: figure for figure in FIGURES}


def compute(
    day: datetime.date, *, within: str = "", now: datetime.datetime | None = None
) -> Values:
    """Every figure of `day` as the data stand now, for `within` and every region below it
    down to the grid: {path: {key: value}}. A path missing under a key counts 0."""
    now = now or timezone.now()
    by_path: Values = {}
    for source in SOURCES:
        for key, values in source.compute(day, now, within).items():
            for path, value in values.items():
                if len(path) <= 15:
                    by_path.setdefault(path, {})[key] = value
    return by_path


__all__ = ["BY_KEY", "FIGURES", "SOURCES", "Figure", "compute"]

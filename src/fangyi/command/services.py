"""The command centre's one reading of the figures (`board`: a region's figures for a day, as
the screen, the API and the morning briefing show them) and the snapshot that keeps them.

Today is counted live; any earlier day, yesterday's comparison and the 14-day trends are read
from snapshots only, so history stays as it was taken when later edits change the data.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.permissions import VIEW, require
from fangyi.regions.models import Level, Region

from . import figures
from .area import FIGURES
from .models import Snapshot, SnapshotDay

TREND_DAYS = 14


@dataclass
class FigureValue:
    figure: figures.Figure
    # None: the day has no snapshot (and is not today).
    value: float | None
    previous: float | None
    url: str | None
    trend: list[float | None] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 1)


@dataclass
class Board:
    region: Region
    day: datetime.date
    live: bool
    days: list[datetime.date]
    values: list[FigureValue]
    # Each child region (down to the grid) with its value of every figure.
    children: list[tuple[Region, dict[str, float]]]

    def by_key(self) -> dict[str, FigureValue]:
        return {item.figure.key: item for item in self.values}


def today() -> datetime.date:
    return timezone.localdate()


def take_snapshot(*, day: datetime.date | None = None, now: datetime.datetime | None = None) -> int:
    """Write the day's figures for every region down to the grid (today's, as the data stand
    now, by default): the day's earlier rows are replaced in one transaction, so taking it
    twice leaves the same rows. Returns the number of rows kept."""
    day = day or today()
    values = figures.compute(day, now=now)
    regions = set(Region.objects.filter(level__lte=Level.GRID).values_list("path", flat=True))
    rows = [
        Snapshot(day=day, region_path=path, key=key, value=value)
        for path, by_key in values.items()
        if path in regions
        for key, value in by_key.items()
        if value
    ]
    with transaction.atomic():
        Snapshot.objects.filter(day=day).delete()
        Snapshot.objects.bulk_create(rows, batch_size=5000)
        SnapshotDay.objects.update_or_create(day=day, defaults={"taken_at": timezone.now()})
    return len(rows)


def _snapshots(wanted: list[tuple[list[datetime.date], list[str]]]) -> dict:
    """{(day, path): {key: value}} for each (days, paths) wanted, read in one query (and one
    for the days taken); days never taken are absent."""
    taken = set(
        SnapshotDay.objects.filter(
            day__in={day for days, _paths in wanted for day in days}
        ).values_list("day", flat=True)
    )
    found: dict = {}
    rows = Q(pk__in=[])
    for days, paths in wanted:
        days = [day for day in days if day in taken]
        if days and paths:
            found.update({(day, path): {} for day in days for path in paths})
            rows |= Q(day__in=days, region_path__in=paths)
    if found:
        for day, path, key, value in Snapshot.objects.filter(rows).values_list(
            "day", "region_path", "key", "value"
        ):
            if (day, path) in found:
                found[(day, path)][key] = value
    return found


def board(*, user, region: Region, day: datetime.date | None = None) -> Board:
    """The figures of `region` for `day` (today by default), each with yesterday's value, the
    change, the 14 days up to `day` and the URL of its list; and the children's values."""
    require(user, FIGURES, VIEW, region.path)
    day = day or today()
    live = day == today()
    if day > today():
        raise ValueError(_("日期不能晚于今天。"))
    children = list(
        Region.objects.restrict(user, VIEW)
        .filter(parent=region, level__lte=Level.GRID)
        .order_by("path")
    )
    paths = [region.path, *(child.path for child in children)]
    days = [day - datetime.timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    # The region's past days and, for a past day, the day's values of the region and its
    # children: one read of the snapshots.
    wanted = [([*days[:-1], day - datetime.timedelta(days=1)], [region.path])]
    if not live:
        wanted.append(([day], paths))
    history = _snapshots(wanted)
    if live:
        counted = figures.compute(day, within=region.path)
        current = {path: counted.get(path, {}) for path in paths}
    else:
        current = {path: history[(day, path)] for path in paths if (day, path) in history}
    mine = current.get(region.path)
    yesterday = history.get((day - datetime.timedelta(days=1), region.path))
    values = []
    for figure in figures.FIGURES:
        value = None if mine is None else mine.get(figure.key, 0)
        trend = []
        for past in days:
            if past == day:
                trend.append(value)
            else:
                kept = history.get((past, region.path))
                trend.append(None if kept is None else kept.get(figure.key, 0))
        values.append(
            FigureValue(
                figure=figure,
                value=value,
                previous=None if yesterday is None else yesterday.get(figure.key, 0),
                url=figure.url(region.code, day),
                trend=trend,
            )
        )
    return Board(
        region=region,
        day=day,
        live=live,
        days=days,
        values=values,
        children=[(child, current.get(child.path, {})) for child in children],
    )

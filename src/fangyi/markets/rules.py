"""The warning rules of necessities monitoring, as pure functions of a region's daily series.

Nothing here imports Django: a series is a mapping of dates to `DayFigure`s (the average
price the region's points reported that day, and the stock and sales of the points that gave
both), the rules are a `Rules` built from the rule set in force, and every function answers
from those alone. Money and quantities are Decimals, so that a boundary (a rise of exactly
2 %) falls on the side the published rule says.

Three methods, each judging when the history allows it; the light is the worst of them:

- price: the average of the last `window` days against the average of the `window` days
  before (商务部's 10 days against 10 days), each window needing `min_days` days with a
  price. A rise of at least the category's yellow (red) percentage is yellow (red). Falls
  are not warnings: the rule watches for shortage.
- cover: stock in days of sales (the day's stock ÷ the day's sales, over the points that
  gave both; the latest day within `lookback` days) against the category's target: below the target yellow, below half of it red.
  Categories without a target (fresh vegetables and fruit are stocked for days) are not
  judged by cover.
- baseline: from the lockdown date on, the day's price against the mean of the
  `baseline_days` days before the lockdown, in standard deviations of that baseline (sample
  standard deviation, at least `sd_floor` of the mean, so that a flat baseline does not make
  every cent a warning); it needs `baseline_min_days` days with a price in the baseline.
"""

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

GREEN, YELLOW, RED, NONE = "green", "yellow", "red", "none"
_RANK = {NONE: 0, GREEN: 1, YELLOW: 2, RED: 3}
HUNDRED = Decimal(100)


@dataclasses.dataclass(frozen=True)
class DayFigure:
    price: Decimal | None = None
    stock: Decimal | None = None
    sales: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class Band:
    """Thresholds, as rises in percent (price) or standard deviations (baseline)."""

    yellow: Decimal
    red: Decimal


@dataclasses.dataclass(frozen=True)
class Rules:
    price: Mapping[str, Band]
    cover: Mapping[str, int]
    window: int = 10
    min_days: int = 5
    lockdown: datetime.date | None = None
    baseline_days: int = 28
    baseline_min_days: int = 14
    baseline: Band = Band(Decimal(2), Decimal(3))
    sd_floor: Decimal = Decimal("0.01")
    # Cover and the baseline read the latest day with figures up to this many days back:
    # in the morning, before today's reports, yesterday's stock still stands.
    lookback: int = 2


@dataclasses.dataclass(frozen=True)
class Change:
    current: Decimal  # average of the last window
    previous: Decimal  # average of the window before
    percent: Decimal


@dataclasses.dataclass(frozen=True)
class Deviation:
    price: Decimal
    mean: Decimal
    sd: Decimal
    z: Decimal


@dataclasses.dataclass(frozen=True)
class Verdict:
    colour: str
    change: Change | None = None
    change_colour: str = NONE
    cover: Decimal | None = None
    cover_colour: str = NONE
    deviation: Deviation | None = None
    deviation_colour: str = NONE


def worst(colours: Iterable[str]) -> str:
    return max(colours, key=_RANK.__getitem__, default=NONE)


def _days(end: datetime.date, count: int) -> list[datetime.date]:
    """The `count` days up to and including `end`."""
    return [end - datetime.timedelta(days=n) for n in range(count - 1, -1, -1)]


def _prices(series: Mapping[datetime.date, DayFigure], days: list[datetime.date]) -> list[Decimal]:
    found = (series.get(day) for day in days)
    return [figure.price for figure in found if figure is not None and figure.price is not None]


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


@dataclasses.dataclass(frozen=True)
class Sums:
    """What the methods read of a series on a day: the sums of daily prices over the two
    windows and the baseline (and of their squares there), and the latest price and stock.
    The services read these with one grouped query for a whole city; `sums` makes them from
    a series, so that both paths are judged by the same `judge`."""

    current_days: int = 0
    current_sum: Decimal = Decimal(0)
    previous_days: int = 0
    previous_sum: Decimal = Decimal(0)
    price: Decimal | None = None  # the latest within `lookback` days
    stock: Decimal | None = None  # the latest day with stock and sales within `lookback`
    sales: Decimal | None = None
    after_lockdown: bool = False
    baseline_days: int = 0
    baseline_sum: Decimal = Decimal(0)
    baseline_squares: Decimal = Decimal(0)


def windows(day: datetime.date, rules: Rules) -> dict[str, tuple[datetime.date, datetime.date]]:
    """The first and last day of each window judged on `day`."""
    found = {
        "current": (day - datetime.timedelta(days=rules.window - 1), day),
        "previous": (
            day - datetime.timedelta(days=2 * rules.window - 1),
            day - datetime.timedelta(days=rules.window),
        ),
    }
    if rules.lockdown is not None and day >= rules.lockdown:
        found["baseline"] = (
            rules.lockdown - datetime.timedelta(days=rules.baseline_days),
            rules.lockdown - datetime.timedelta(days=1),
        )
    return found


def _latest(
    series: Mapping[datetime.date, DayFigure], day: datetime.date, lookback: int, field: str
) -> DayFigure | None:
    for back in range(lookback + 1):
        figure = series.get(day - datetime.timedelta(days=back))
        if figure is not None and getattr(figure, field) is not None:
            return figure
    return None


def sums(series: Mapping[datetime.date, DayFigure], day: datetime.date, rules: Rules) -> Sums:
    ranges = windows(day, rules)

    def prices(name: str) -> list[Decimal]:
        first, last = ranges[name]
        return _prices(series, _days(last, (last - first).days + 1))

    current, previous = prices("current"), prices("previous")
    baseline = prices("baseline") if "baseline" in ranges else []
    latest = _latest(series, day, rules.lookback, "price")
    stocked = _latest(series, day, rules.lookback, "stock")
    return Sums(
        current_days=len(current),
        current_sum=sum(current, Decimal(0)),
        previous_days=len(previous),
        previous_sum=sum(previous, Decimal(0)),
        price=latest.price if latest else None,
        stock=stocked.stock if stocked else None,
        sales=stocked.sales if stocked else None,
        after_lockdown="baseline" in ranges,
        baseline_days=len(baseline),
        baseline_sum=sum(baseline, Decimal(0)),
        baseline_squares=sum((price * price for price in baseline), Decimal(0)),
    )


def change_of(found: Sums, rules: Rules) -> Change | None:
    """The last window's average price against the window before, or None when either
    window has fewer than `min_days` days with a price."""
    if found.current_days < rules.min_days or found.previous_days < rules.min_days:
        return None
    now = found.current_sum / found.current_days
    before = found.previous_sum / found.previous_days
    if before <= 0:
        return None
    return Change(current=now, previous=before, percent=(now - before) * HUNDRED / before)


def price_change(
    series: Mapping[datetime.date, DayFigure], day: datetime.date, rules: Rules
) -> Change | None:
    return change_of(sums(series, day, rules), rules)


def band_colour(value: Decimal, band: Band) -> str:
    """At or above red is red, at or above yellow yellow: the thresholds belong to the
    warning."""
    if value >= band.red:
        return RED
    if value >= band.yellow:
        return YELLOW
    return GREEN


def cover_days(figure: DayFigure | Sums | None) -> Decimal | None:
    if figure is None or figure.stock is None or not figure.sales:
        return None
    return figure.stock / figure.sales


def cover_colour(days: Decimal, target: int) -> str:
    """Below half the target is red, below the target yellow; exactly the target is green."""
    if days * 2 < target:
        return RED
    if days < target:
        return YELLOW
    return GREEN


def deviation_of(found: Sums, rules: Rules) -> Deviation | None:
    """The latest price in standard deviations above the pre-lockdown baseline, or None
    before the lockdown, without a lockdown date, without a recent price, or with too few
    days in the baseline."""
    n = found.baseline_days
    if not found.after_lockdown or found.price is None or n < max(rules.baseline_min_days, 2):
        return None
    mean = found.baseline_sum / n
    # Sample variance from the sums: (Σx² − (Σx)²/n) / (n − 1), never below 0 by rounding.
    variance = max((found.baseline_squares - found.baseline_sum**2 / n) / (n - 1), Decimal(0))
    sd = max(variance.sqrt(), mean * rules.sd_floor)
    if sd <= 0:
        return None
    return Deviation(price=found.price, mean=mean, sd=sd, z=(found.price - mean) / sd)


def baseline_deviation(
    series: Mapping[datetime.date, DayFigure], day: datetime.date, rules: Rules
) -> Deviation | None:
    return deviation_of(sums(series, day, rules), rules)


def judge(category: str, found: Sums, rules: Rules) -> Verdict:
    """The light of one item in one region, with what each method found."""
    change = change_of(found, rules)
    band = rules.price.get(category)
    change_light = band_colour(change.percent, band) if change and band else NONE
    cover = cover_days(found)
    target = rules.cover.get(category)
    cover_light = cover_colour(cover, target) if cover is not None and target else NONE
    deviation = deviation_of(found, rules)
    deviation_light = band_colour(deviation.z, rules.baseline) if deviation else NONE
    return Verdict(
        colour=worst((change_light, cover_light, deviation_light)),
        change=change,
        change_colour=change_light,
        cover=cover,
        cover_colour=cover_light,
        deviation=deviation,
        deviation_colour=deviation_light,
    )


def evaluate(
    category: str, series: Mapping[datetime.date, DayFigure], day: datetime.date, rules: Rules
) -> Verdict:
    """The light of one item in one region on `day`."""
    return judge(category, sums(series, day, rules), rules)


@dataclasses.dataclass(frozen=True)
class ChartPoint:
    day: datetime.date
    price: Decimal | None
    average: Decimal | None  # of the last window, when the window has min_days prices
    yellow: Decimal | None  # the price the average reaches at the yellow threshold
    red: Decimal | None
    cover: Decimal | None


def chart(
    category: str,
    series: Mapping[datetime.date, DayFigure],
    first: datetime.date,
    last: datetime.date,
    rules: Rules,
) -> list[ChartPoint]:
    """Each day's price, window average and the two threshold lines it is judged against
    (the previous window's average raised by the yellow and red percentages), and cover."""
    band = rules.price.get(category)
    points = []
    day = first
    while day <= last:
        figure = series.get(day)
        change = price_change(series, day, rules)
        current = _prices(series, _days(day, rules.window))
        average = _mean(current) if len(current) >= rules.min_days else None
        yellow = red = None
        if change is not None and band is not None:
            yellow = change.previous * (HUNDRED + band.yellow) / HUNDRED
            red = change.previous * (HUNDRED + band.red) / HUNDRED
        points.append(
            ChartPoint(
                day=day,
                price=figure.price if figure else None,
                average=average,
                yellow=yellow,
                red=red,
                cover=cover_days(figure),
            )
        )
        day += datetime.timedelta(days=1)
    return points

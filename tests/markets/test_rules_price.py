"""The published price rule on hand-computed series: the last 10 days' average against the
10 before, thresholds at their boundaries, and too little history."""

import datetime
from decimal import Decimal as D

from fangyi.markets import presets, rules

DAY = datetime.date(2022, 4, 20)
RULES = rules.Rules(
    price={category: rules.Band(D(y), D(r)) for category, (y, r) in presets.PRICE_BANDS.items()},
    cover=presets.COVER_TARGETS,
)


def series(previous: list[str], current: list[str]) -> dict:
    """Ten (or fewer) prices ending 10 days before DAY, then ten ending on DAY."""
    found = {}
    for n, price in enumerate(reversed(current)):
        if price:
            found[DAY - datetime.timedelta(days=n)] = rules.DayFigure(price=D(price))
    for n, price in enumerate(reversed(previous)):
        if price:
            found[DAY - datetime.timedelta(days=10 + n)] = rules.DayFigure(price=D(price))
    return found


def test_grain_rising_exactly_two_percent_is_yellow():
    # Previous: 5.00 for ten days, average 5.00; current averages 5.10: +2.00 %.
    figures = series(["5.00"] * 10, ["5.00"] * 5 + ["5.20"] * 5)
    change = rules.price_change(figures, DAY, RULES)
    assert change.previous == D("5.00")
    assert change.current == D("5.10")
    assert change.percent == D("2")
    assert rules.evaluate(presets.GRAIN, figures, DAY, RULES).colour == rules.YELLOW


def test_grain_just_under_two_percent_is_green():
    # 5.00 → average 5.099 (nine days 5.10, one 5.09): +1.98 %.
    figures = series(["5.00"] * 10, ["5.09"] + ["5.10"] * 9)
    assert rules.price_change(figures, DAY, RULES).percent == D("1.98")
    assert rules.evaluate(presets.GRAIN, figures, DAY, RULES).colour == rules.GREEN


def test_grain_five_percent_is_red():
    figures = series(["4.00"] * 10, ["4.20"] * 10)
    assert rules.price_change(figures, DAY, RULES).percent == D("5")
    assert rules.evaluate(presets.GRAIN, figures, DAY, RULES).colour == rules.RED


def test_the_same_rise_differs_by_category():
    # +4 %: red for oil (2/3), yellow for grain (2/5) and eggs (3/5), green for pork (5/10).
    figures = series(["10.00"] * 10, ["10.40"] * 10)
    assert rules.evaluate(presets.OIL, figures, DAY, RULES).colour == rules.RED
    assert rules.evaluate(presets.GRAIN, figures, DAY, RULES).colour == rules.YELLOW
    assert rules.evaluate(presets.PORK, figures, DAY, RULES).colour == rules.GREEN
    assert rules.evaluate(presets.EGGS, figures, DAY, RULES).colour == rules.YELLOW


def test_vegetables_boundaries():
    base = ["2.00"] * 10
    assert rules.evaluate(presets.VEGETABLES, series(base, ["2.19"] * 10), DAY, RULES).colour == (
        rules.GREEN
    )
    assert rules.evaluate(presets.VEGETABLES, series(base, ["2.20"] * 10), DAY, RULES).colour == (
        rules.YELLOW
    )
    assert rules.evaluate(presets.VEGETABLES, series(base, ["2.30"] * 10), DAY, RULES).colour == (
        rules.RED
    )


def test_a_fall_is_no_warning():
    figures = series(["30.00"] * 10, ["20.00"] * 10)
    assert rules.price_change(figures, DAY, RULES).percent < 0
    assert rules.evaluate(presets.PORK, figures, DAY, RULES).colour == rules.GREEN


def test_averages_use_the_days_with_a_price():
    # Days without reports are left out of the average, not counted as zero:
    # previous 6.00 (five days), current 6.00×2 and 6.60×3 (five days) → 6.36, +6 %.
    figures = series(["6.00", ""] * 5, ["6.00", "", "6.00", "", "6.60", "", "6.60", "", "6.60", ""])
    change = rules.price_change(figures, DAY, RULES)
    assert change.current == D("6.36")
    assert change.percent == D("6")
    assert rules.evaluate(presets.PORK, figures, DAY, RULES).colour == rules.YELLOW


def test_too_few_days_is_no_light():
    # Four days in the current window: fewer than the five the rule needs.
    figures = series(["5.00"] * 10, ["5.50", "", "5.50", "", "5.50", "", "5.50", "", "", ""])
    assert rules.price_change(figures, DAY, RULES) is None
    assert rules.evaluate(presets.GRAIN, figures, DAY, RULES).colour == rules.NONE


def test_chart_lines_are_the_previous_average_raised_by_the_thresholds():
    figures = series(["5.00"] * 10, ["5.00"] * 10)
    [point] = rules.chart(presets.GRAIN, figures, DAY, DAY, RULES)
    assert point.average == D("5.00")
    assert point.yellow == D("5.10")
    assert point.red == D("5.25")

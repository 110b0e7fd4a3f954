"""Stock in days of cover against the targets, and the second method: deviation from the 28
days before a lockdown in standard deviations, on hand-computed series."""

import dataclasses
import datetime
from decimal import Decimal as D

from fangyi.markets import presets, rules

DAY = datetime.date(2022, 4, 20)
LOCKDOWN = datetime.date(2022, 4, 10)
RULES = rules.Rules(
    price={category: rules.Band(D(y), D(r)) for category, (y, r) in presets.PRICE_BANDS.items()},
    cover=presets.COVER_TARGETS,
    lockdown=LOCKDOWN,
)


def stock(days_of_cover: str, *, on: datetime.date = DAY) -> dict:
    return {on: rules.DayFigure(price=D("5"), stock=D(days_of_cover) * 100, sales=D(100))}


def test_cover_at_and_around_the_grain_target():
    # Grain: 30 days. Exactly 30 green, 29.9 yellow, exactly 15 yellow, 14.9 red.
    for cover, colour in (("30", "green"), ("29.9", "yellow"), ("15", "yellow"), ("14.9", "red")):
        verdict = rules.evaluate(presets.GRAIN, stock(cover), DAY, RULES)
        assert verdict.cover == D(cover)
        assert verdict.cover_colour == colour, cover


def test_cover_targets_of_meat_eggs_and_milk_are_twenty_days():
    for category in (presets.PORK, presets.EGGS, presets.MILK):
        assert rules.evaluate(category, stock("20"), DAY, RULES).cover_colour == rules.GREEN
        assert rules.evaluate(category, stock("19"), DAY, RULES).cover_colour == rules.YELLOW
        assert rules.evaluate(category, stock("9"), DAY, RULES).cover_colour == rules.RED


def test_vegetables_are_not_judged_by_cover():
    verdict = rules.evaluate(presets.VEGETABLES, stock("1"), DAY, RULES)
    assert verdict.cover == D("1")
    assert verdict.cover_colour == rules.NONE


def test_yesterdays_stock_stands_in_the_morning_but_not_for_ever():
    assert (
        rules.evaluate(
            presets.OIL, stock("10", on=DAY - datetime.timedelta(days=1)), DAY, RULES
        ).cover_colour
        == rules.RED
    )
    assert (
        rules.evaluate(
            presets.OIL, stock("10", on=DAY - datetime.timedelta(days=3)), DAY, RULES
        ).cover
        is None
    )


def test_no_sales_is_no_cover():
    figures = {DAY: rules.DayFigure(price=D("5"), stock=D(100), sales=D(0))}
    assert rules.evaluate(presets.GRAIN, figures, DAY, RULES).cover is None


def baseline(prices: list[str]) -> dict:
    """Prices on the days before the lockdown, the last one the day before it."""
    return {
        LOCKDOWN - datetime.timedelta(days=n + 1): rules.DayFigure(price=D(price))
        for n, price in enumerate(reversed(prices))
        if price
    }


def test_deviation_in_standard_deviations_of_the_baseline():
    # Baseline 14 days alternating 9 and 11: mean 10, sample variance 14/13,
    # sd = sqrt(14/13) = 1.0377…; 12.08 is (2.08 / 1.0377) = 2.0044 sd: yellow.
    figures = baseline(["9", "11"] * 7) | {DAY: rules.DayFigure(price=D("12.08"))}
    found = rules.baseline_deviation(figures, DAY, RULES)
    assert found.mean == D(10)
    assert abs(found.sd - D("1.037749")) < D("0.000001")
    assert D("2.004") < found.z < D("2.005")
    assert rules.evaluate(presets.PORK, figures, DAY, RULES).colour == rules.YELLOW
    # 13.12 is 3.0031 sd: red; 12.07 is 1.9947: green.
    figures[DAY] = rules.DayFigure(price=D("13.12"))
    assert rules.evaluate(presets.PORK, figures, DAY, RULES).deviation_colour == rules.RED
    figures[DAY] = rules.DayFigure(price=D("12.07"))
    assert rules.evaluate(presets.PORK, figures, DAY, RULES).deviation_colour == rules.GREEN


def test_deviation_exactly_at_the_thresholds():
    # A flat baseline of 10 has sd 0, floored at 1 % of the mean = 0.10, so 10.20 is
    # exactly 2 sd (yellow) and 10.30 exactly 3 (red); 10.19 is green.
    figures = baseline(["10"] * 28)
    for price, colour in (("10.19", "green"), ("10.20", "yellow"), ("10.30", "red")):
        figures[DAY] = rules.DayFigure(price=D(price))
        found = rules.baseline_deviation(figures, DAY, RULES)
        assert found.sd == D("0.10")
        assert rules.band_colour(found.z, RULES.baseline) == colour, price


def test_deviation_needs_history_and_a_lockdown():
    short = baseline(["10"] * 13) | {DAY: rules.DayFigure(price=D("20"))}
    assert rules.baseline_deviation(short, DAY, RULES) is None
    enough = baseline(["10"] * 14) | {DAY: rules.DayFigure(price=D("20"))}
    assert rules.baseline_deviation(enough, DAY, RULES) is not None
    without = dataclasses.replace(RULES, lockdown=None)
    assert rules.baseline_deviation(enough, DAY, without) is None
    # Before the lockdown there is nothing to compare with yet.
    assert rules.baseline_deviation(enough, LOCKDOWN - datetime.timedelta(days=1), RULES) is None


def test_days_outside_the_28_before_the_lockdown_are_not_baseline():
    figures = {
        LOCKDOWN - datetime.timedelta(days=29 + n): rules.DayFigure(price=D("10"))
        for n in range(20)
    } | {DAY: rules.DayFigure(price=D("20"))}
    assert rules.baseline_deviation(figures, DAY, RULES) is None


def test_the_light_is_the_worst_method():
    # Price flat (green), cover below half the target (red), no lockdown baseline.
    figures = {
        DAY - datetime.timedelta(days=n): rules.DayFigure(price=D("5"), stock=D(10), sales=D(1))
        for n in range(20)
    }
    verdict = rules.evaluate(presets.GRAIN, figures, DAY, dataclasses.replace(RULES, lockdown=None))
    assert (verdict.change_colour, verdict.cover_colour, verdict.deviation_colour) == (
        "green",
        "red",
        "none",
    )
    assert verdict.colour == rules.RED

"""The other two shipped plans, line by line where they differ from the 9th edition.

2022-03: four colours; close contacts 14 days orange then 7 days yellow; sealed zones orange,
controlled yellow, precaution none. 2022-11-20m (the 20 measures): close contacts 5 days red
then 3 days yellow; secondary contacts are not traced; high and low risk areas only.
"""

import pytest

from fangyi.health.rules import ZoneRef
from tests.health.strategies import (
    DAY,
    MARCH,
    MINUTE,
    NINTH,
    RULES,
    TWENTY,
    T,
    codes,
    fact,
    positive,
    run,
)

CLOSE = fact("cc", "close_contact", T)
SECONDARY = fact("sc", "secondary_contact", T)


def test_the_plans_colours():
    assert MARCH.colours == ["green", "yellow", "orange", "red"]
    assert NINTH.colours == TWENTY.colours == ["green", "yellow", "red"]


@pytest.mark.parametrize(
    ("rules", "now", "colour", "code", "until"),
    [
        (MARCH, T, "orange", "close_contact_quarantine", T + 14 * DAY),
        (MARCH, T + 14 * DAY - MINUTE, "orange", "close_contact_quarantine", T + 14 * DAY),
        (MARCH, T + 14 * DAY, "yellow", "close_contact_monitoring", T + 21 * DAY),
        (MARCH, T + 21 * DAY - MINUTE, "yellow", "close_contact_monitoring", T + 21 * DAY),
        (MARCH, T + 21 * DAY, "green", None, None),
        (TWENTY, T, "red", "close_contact_quarantine", T + 5 * DAY),
        (TWENTY, T + 5 * DAY - MINUTE, "red", "close_contact_quarantine", T + 5 * DAY),
        (TWENTY, T + 5 * DAY, "yellow", "close_contact_monitoring", T + 8 * DAY),
        (TWENTY, T + 8 * DAY - MINUTE, "yellow", "close_contact_monitoring", T + 8 * DAY),
        (TWENTY, T + 8 * DAY, "green", None, None),
    ],
)
def test_close_contacts(rules, now, colour, code, until):
    result = run([CLOSE], now, rules=rules)
    assert result.colour == colour
    assert codes(result) == ([code] if code else [])
    assert result.valid_until == until


@pytest.mark.parametrize(
    ("now", "colour", "until"),
    [(T, "yellow", T + 7 * DAY), (T + 7 * DAY - MINUTE, "yellow", T + 7 * DAY)],
)
def test_secondary_contacts_under_the_march_plan(now, colour, until):
    result = run([SECONDARY], now, rules=MARCH)
    assert (result.colour, codes(result), result.valid_until) == (
        colour,
        ["secondary_contact"],
        until,
    )
    assert run([SECONDARY], T + 7 * DAY, rules=MARCH) == ("green", (), None)


def test_secondary_contacts_are_not_coloured_under_the_twenty_measures():
    assert run([SECONDARY], T, rules=TWENTY) == ("green", (), None)


@pytest.mark.parametrize(
    ("rules", "kind", "colour"),
    [
        (MARCH, "sealed", "orange"),
        (MARCH, "controlled", "yellow"),
        (MARCH, "precaution", "green"),
        (MARCH, "high", "green"),
        (TWENTY, "high", "red"),
        (TWENTY, "low", "green"),
        (TWENTY, "medium", "green"),
    ],
)
def test_zones(rules, kind, colour):
    result = run(zones=[ZoneRef("z", kind, T - DAY)], now=T, rules=rules)
    assert result.colour == colour
    assert codes(result) == (["zone"] if colour != "green" else [])


@pytest.mark.parametrize(
    ("rules", "setting", "colour"),
    [
        (MARCH, "centralised", "orange"),
        (MARCH, "home", "yellow"),
        (MARCH, "home_monitoring", "yellow"),
        (TWENTY, "centralised", "red"),
        (TWENTY, "home", "yellow"),
        (TWENTY, "home_monitoring", "yellow"),
    ],
)
def test_quarantine_settings(rules, setting, colour):
    facts = [fact("s", "quarantine_start", T, variant=setting)]
    assert run(facts, T + DAY, rules=rules).colour == colour


@pytest.mark.parametrize("code", sorted(RULES))
@pytest.mark.parametrize(
    ("facts", "colour", "code_expected"),
    [
        ([fact("c", "case_confirmed", T)], "red", "case"),
        ([positive("p", T)], "red", "positive_test"),
        ([positive("p", T, "pooled")], "yellow", "pooled_positive"),
        ([fact("a", "arrival_from_risk_area", T)], "yellow", "arrival"),
        ([fact("v", "fever_clinic_visit", T)], "yellow", "fever_clinic"),
    ],
)
def test_the_lines_all_plans_share(code, facts, colour, code_expected):
    result = run(facts, T + DAY, rules=RULES[code])
    assert (result.colour, codes(result)) == (colour, [code_expected])


def test_orange_outranks_yellow_and_red_outranks_orange():
    facts = [CLOSE, fact("a", "arrival_from_risk_area", T)]
    assert run(facts, T, rules=MARCH).colour == "orange"
    result = run([*facts, fact("c", "case_suspected", T)], T, rules=MARCH)
    assert codes(result) == ["case", "close_contact_quarantine", "arrival"]

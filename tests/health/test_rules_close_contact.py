"""9th edition, close contacts (密接): 7 days of centralised quarantine, then 3 of home monitoring.

Both periods are counted from the last exposure and are half-open: red up to the minute before
day 7 ends, yellow from that moment, green from the end of day 10.
"""

import pytest

from tests.health.strategies import DAY, HOUR, MINUTE, T, codes, fact, run

EXPOSURE = fact("cc", "close_contact", T)
QUARANTINE_END = T + 7 * DAY
MONITORING_END = T + 10 * DAY


@pytest.mark.parametrize(
    ("now", "colour", "code", "until"),
    [
        (T, "red", "close_contact_quarantine", QUARANTINE_END),
        (T + 3 * DAY, "red", "close_contact_quarantine", QUARANTINE_END),
        (QUARANTINE_END - MINUTE, "red", "close_contact_quarantine", QUARANTINE_END),
        (QUARANTINE_END, "yellow", "close_contact_monitoring", MONITORING_END),
        (QUARANTINE_END + MINUTE, "yellow", "close_contact_monitoring", MONITORING_END),
        (MONITORING_END - MINUTE, "yellow", "close_contact_monitoring", MONITORING_END),
    ],
)
def test_a_close_contact_is_red_for_seven_days_then_yellow_for_three(now, colour, code, until):
    result = run([EXPOSURE], now)
    assert result.colour == colour
    assert codes(result) == [code]
    reason = result.reasons[0]
    assert reason.colour == colour
    assert reason.facts == ("cc",)
    assert reason.until == until
    assert result.valid_until == until


@pytest.mark.parametrize("now", [MONITORING_END, MONITORING_END + MINUTE, T + 30 * DAY])
def test_a_close_contact_is_green_once_monitoring_ends(now):
    result = run([EXPOSURE], now)
    assert (result.colour, result.reasons, result.valid_until) == ("green", (), None)


def test_the_periods_count_from_the_last_exposure():
    again = fact("cc2", "close_contact", T + 3 * DAY)
    result = run([EXPOSURE, again], QUARANTINE_END + MINUTE)
    assert result.colour == "red"
    assert result.reasons[0].facts == ("cc2",)
    assert result.valid_until == T + 10 * DAY
    later = run([EXPOSURE, again], T + 10 * DAY)
    assert later.colour == "yellow" and later.valid_until == T + 13 * DAY


def test_an_exposure_during_monitoring_starts_quarantine_again():
    again = fact("cc2", "close_contact", T + 8 * DAY)
    assert run([EXPOSURE], T + 8 * DAY).colour == "yellow"
    result = run([EXPOSURE, again], T + 8 * DAY)
    assert result.colour == "red" and result.valid_until == T + 15 * DAY


def test_an_exposure_recorded_for_later_does_not_count_yet_but_bounds_the_result():
    result = run([fact("cc", "close_contact", T + HOUR)], T)
    assert (result.colour, result.reasons, result.valid_until) == ("green", (), T + HOUR)
    assert run([fact("cc", "close_contact", T + HOUR)], T + HOUR).colour == "red"

"""9th edition, secondary contacts (次密接): yellow for 7 days of home quarantine."""

import pytest

from tests.health.strategies import DAY, MINUTE, T, codes, fact, run

CONTACT = fact("sc", "secondary_contact", T)
END = T + 7 * DAY


@pytest.mark.parametrize("now", [T, T + 6 * DAY, END - MINUTE])
def test_a_secondary_contact_is_yellow_for_seven_days(now):
    result = run([CONTACT], now)
    assert result.colour == "yellow"
    assert codes(result) == ["secondary_contact"]
    assert result.reasons[0].facts == ("sc",)
    assert result.reasons[0].until == END
    assert result.valid_until == END


@pytest.mark.parametrize("now", [END, END + MINUTE])
def test_a_secondary_contact_is_green_after_seven_days(now):
    assert run([CONTACT], now) == ("green", (), None)


def test_the_seven_days_count_from_the_last_contact():
    again = fact("sc2", "secondary_contact", T + 2 * DAY)
    result = run([CONTACT, again], END + MINUTE)
    assert result.colour == "yellow"
    assert result.reasons[0].facts == ("sc2",)
    assert result.valid_until == T + 9 * DAY


def test_before_the_contact_the_person_is_green_until_it():
    assert run([CONTACT], T - MINUTE) == ("green", (), T)

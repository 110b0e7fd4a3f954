"""Quarantine by setting (隔离方式): started and ended by facts, coloured per plan.

9th edition: centralised red, home and home health monitoring yellow. An end with a setting
ends that setting; an end with none ends all; an end counts only strictly after the start.
"""

import pytest

from tests.health.strategies import DAY, MINUTE, T, codes, fact, run


def start(fact_id, setting, at=T):
    return fact(fact_id, "quarantine_start", at, variant=setting)


def end(fact_id, setting, at):
    return fact(fact_id, "quarantine_end", at, variant=setting)


@pytest.mark.parametrize(
    ("setting", "colour"),
    [("centralised", "red"), ("home", "yellow"), ("home_monitoring", "yellow")],
)
def test_a_quarantine_colours_until_it_ends(setting, colour):
    facts = [start("s", setting), end("e", setting, T + 5 * DAY)]
    during = run(facts, T + 5 * DAY - MINUTE)
    assert during.colour == colour
    assert codes(during) == ["quarantine_" + setting]
    assert during.reasons[0].facts == ("s",)
    assert during.valid_until == T + 5 * DAY
    assert run(facts, T + 5 * DAY) == ("green", (), None)


def test_a_quarantine_has_no_end_of_its_own():
    assert run([start("s", "home")], T + 60 * DAY) == (
        "yellow",
        run([start("s", "home")], T).reasons,
        None,
    )


def test_an_end_of_another_setting_leaves_the_quarantine_running():
    facts = [start("s", "centralised"), end("e", "home", T + DAY)]
    assert codes(run(facts, T + 2 * DAY)) == ["quarantine_centralised"]


def test_an_end_without_a_setting_ends_every_quarantine_begun_before_it():
    facts = [
        start("s1", "centralised"),
        start("s2", "home_monitoring", T + DAY),
        end("e", "", T + 2 * DAY),
        start("s3", "home", T + 2 * DAY),
    ]
    assert codes(run(facts, T + 2 * DAY - MINUTE)) == [
        "quarantine_centralised",
        "quarantine_home_monitoring",
    ]
    assert codes(run(facts, T + 3 * DAY)) == ["quarantine_home"]


@pytest.mark.parametrize("at", [T - DAY, T], ids=["before", "same moment"])
def test_an_end_before_or_at_the_start_does_not_end_it(at):
    assert run([end("e", "home", at), start("s", "home")], T + DAY).colour == "yellow"


def test_an_end_at_the_moment_of_the_start_does_not_end_it_whichever_is_listed_first():
    for facts in (
        [start("s", "home"), end("e", "home", T)],
        [end("e", "home", T), start("s", "home")],
    ):
        assert run(facts, T + DAY).colour == "yellow"


def test_moving_from_centralised_to_home_changes_the_colour():
    facts = [
        start("s1", "centralised"),
        end("e1", "centralised", T + 7 * DAY),
        start("s2", "home_monitoring", T + 7 * DAY),
    ]
    assert run(facts, T + 7 * DAY - MINUTE).colour == "red"
    result = run(facts, T + 7 * DAY)
    assert result.colour == "yellow" and result.reasons[0].facts == ("s2",)

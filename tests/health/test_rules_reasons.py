"""Every reason the engine can give, under every plan, reads as a Chinese and an English
sentence that names the facts or the zone behind it."""

import uuid

import pytest

from fangyi.health.reasons import describe
from fangyi.health.rules import Manual, ZoneRef
from tests.health.strategies import DAY, RULES, T, fact, positive, run


def _id(n: int) -> str:
    return str(uuid.UUID(int=n))


def _every_reason(rules):
    zones = [
        ZoneRef(_id(100 + n), kind, T - DAY, "三坊社区") for n, kind in enumerate(rules.zone_kinds)
    ]
    facts = [
        fact(_id(1), "case_confirmed", T),
        fact(_id(2), "close_contact", T),
        fact(_id(4), "secondary_contact", T),
        fact(_id(5), "pooled_positive", T),
        fact(_id(6), "arrival_from_risk_area", T),
        fact(_id(7), "fever_clinic_visit", T),
        *[
            fact(_id(8 + n), "quarantine_start", T, variant=setting)
            for n, setting in enumerate(["centralised", "home", "home_monitoring"])
        ],
    ]
    reasons = list(run(facts, T, zones=zones, rules=rules).reasons)
    reasons += run([positive(_id(20), T)], T, rules=rules).reasons
    reasons += run(
        [fact(_id(21), "close_contact", T)], T + rules.close_quarantine + DAY, rules=rules
    ).reasons
    reasons += run([], T, rules=rules, manual=Manual(_id(22), "yellow", T + DAY)).reasons
    return reasons, {zone.id: zone for zone in zones}


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_reason_has_both_sentences_and_its_grounds(code):
    rules = RULES[code]
    reasons, zones = _every_reason(rules)
    given = {reason.code for reason in reasons}
    assert {
        "case",
        "positive_test",
        "close_contact_quarantine",
        "close_contact_monitoring",
    } <= given
    assert {"manual", "zone"} <= given
    assert {"pooled_positive", "arrival", "fever_clinic", "quarantine_home"} <= given
    for reason in reasons:
        described = describe(reason, rules, zones=zones, note="核实有误")
        assert described["zh"] and described["en"] and "{" not in described["zh"] + described["en"]
        assert described["colour"] == reason.colour
        if reason.code == "zone":
            assert described["zone"] == reason.zone and "三坊社区" in described["zh"]
        elif reason.code != "manual":
            assert described["facts"] == list(reason.facts) and described["facts"]
        if reason.until is not None:
            assert described["until"] and described["until"] in described["zh"]

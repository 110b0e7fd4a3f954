"""The colour rules: a pure function of a person's facts, their zones, the policy and the time.

No database here, so it is cheap to test exhaustively and fast to run over a city: times are
Unix seconds (floats) and facts are plain tuples. `evaluate` is the hot loop of every
recompute; keep it free of allocations it does not need.

Periods are half-open: a 7-day quarantine from t is in force at t and ends at t + 7 days
exactly, when the next rule (if any) takes over.
"""

from collections.abc import Sequence
from typing import Any, NamedTuple

DAY = 86400.0
HOUR = 3600.0
INFINITY = float("inf")
RANK = {"green": 0, "yellow": 1, "orange": 2, "red": 3}

TEST_RESULT = "test_result"
POOLED_POSITIVE = "pooled_positive"
CASE_CONFIRMED = "case_confirmed"
CASE_SUSPECTED = "case_suspected"
RECOVERED = "recovered"
CLOSE_CONTACT = "close_contact"
SECONDARY_CONTACT = "secondary_contact"
ARRIVAL = "arrival_from_risk_area"
FEVER_CLINIC = "fever_clinic_visit"
QUARANTINE_START = "quarantine_start"
QUARANTINE_END = "quarantine_end"
RETRACTION = "retraction"
NEGATIVE = "negative"
POSITIVE = "positive"
POOLED = "pooled"


class Fact(NamedTuple):
    id: object
    kind: str
    at: float
    outcome: str = ""
    # test_result: "single" or "pooled"; quarantine_start / _end: centralised, home or
    # home_monitoring
    variant: str = ""
    retracts: object = None


class ZoneRef(NamedTuple):
    id: object
    kind: str
    starts_at: float
    name: str = ""


class Manual(NamedTuple):
    id: object
    colour: str
    expires_at: float
    reason: str = ""


class Reason(NamedTuple):
    code: str
    colour: str
    facts: tuple[object, ...] = ()
    zone: object = None
    until: float | None = None


class Result(NamedTuple):
    colour: str
    reasons: tuple[Reason, ...]
    valid_until: float | None


GREEN = Result("green", (), None)


class Rules:
    """A policy's parameters, read once into attributes the hot loop can use directly."""

    def __init__(self, parameters: dict[str, Any], version: str = "") -> None:
        self.version = version
        self.colours = list(parameters.get("colours") or ["green", "yellow", "red"])
        self.case_colour = parameters["case"]["colour"]
        close = parameters.get("close_contact") or {}
        self.close_quarantine = close.get("quarantine_days", 0) * DAY
        self.close_quarantine_colour = close.get("quarantine_colour")
        self.close_monitoring = close.get("monitoring_days", 0) * DAY
        self.close_monitoring_colour = close.get("monitoring_colour")
        secondary = parameters.get("secondary_contact") or {}
        self.secondary = secondary.get("quarantine_days", 0) * DAY
        self.secondary_colour = secondary.get("quarantine_colour")
        self.pooled_colour = (parameters.get("pooled_positive") or {}).get("colour")
        arrival = parameters.get("arrival") or {}
        self.arrival_colour = arrival.get("colour")
        self.arrival_tests = arrival.get("negative_tests", 2)
        self.arrival_gap = arrival.get("hours_apart", 24) * HOUR
        self.fever_colour = (parameters.get("fever_clinic") or {}).get("colour")
        self.quarantine_colours = dict(parameters.get("quarantine") or {})
        self.zone_kinds = {kind["code"]: kind for kind in parameters.get("zone_kinds", [])}
        self.zone_colours = {code: kind.get("colour") for code, kind in self.zone_kinds.items()}


def evaluate(
    facts: Sequence[Fact],
    zones: Sequence[ZoneRef],
    rules: Rules,
    now: float,
    manual: Manual | None = None,
) -> Result:
    """Colour, reasons and the moment until which they hold, for one person.

    `facts` must be in order of `at`; facts dated after `now` are not yet in effect but bound
    `valid_until`. An approved manual decision, while it lasts, is the colour and its only reason.
    """
    if manual is not None and manual.expires_at > now:
        reason = Reason("manual", manual.colour, (), None, manual.expires_at)
        return Result(manual.colour, (reason,), manual.expires_at)
    if not facts and not zones:
        return GREEN

    retracted = None
    for fact in facts:
        if fact.kind == RETRACTION:
            if retracted is None:
                retracted = set()
            retracted.add(fact.retracts)
            # A retraction acts at once and for all time: its own date neither counts nor
            # bounds valid_until, so it is skipped along with what it retracts.
            retracted.add(fact.id)

    next_change = INFINITY
    case = None
    close = None
    secondary = None
    pooled = None
    arrival = None
    arrival_counted = 0
    arrival_last = 0.0
    fever = None
    quarantines = None
    for fact in facts:
        # Before the date test: a retracted fact dated later must not bound valid_until either.
        if retracted is not None and fact.id in retracted:
            continue
        at = fact.at
        if at > now:
            if at < next_change:
                next_change = at
            continue
        kind = fact.kind
        if kind == TEST_RESULT:
            outcome = fact.outcome
            if outcome == NEGATIVE:
                if fever is not None and at > fever.at:
                    fever = None
                if pooled is not None and fact.variant != POOLED and at > pooled.at:
                    pooled = None
                if (
                    arrival is not None
                    and at > arrival.at
                    and (arrival_counted == 0 or at - arrival_last >= rules.arrival_gap)
                ):
                    arrival_counted += 1
                    arrival_last = at
                    if arrival_counted >= rules.arrival_tests:
                        arrival = None
            elif outcome == POSITIVE:
                if fact.variant == POOLED:
                    pooled = fact
                else:
                    case = fact
        elif kind == CLOSE_CONTACT:
            close = fact
        elif kind == ARRIVAL:
            arrival = fact
            arrival_counted = 0
        elif kind == POOLED_POSITIVE:
            pooled = fact
        elif kind in (CASE_CONFIRMED, CASE_SUSPECTED):
            case = fact
        elif kind == RECOVERED:
            if case is not None and at > case.at:
                case = None
        elif kind == SECONDARY_CONTACT:
            secondary = fact
        elif kind == FEVER_CLINIC:
            fever = fact
        elif kind == QUARANTINE_START:
            if quarantines is None:
                quarantines = {}
            quarantines[fact.variant] = fact
        elif kind == QUARANTINE_END and quarantines:
            if fact.variant:
                started = quarantines.get(fact.variant)
                if started is not None and at > started.at:
                    del quarantines[fact.variant]
            else:
                for setting, started in list(quarantines.items()):
                    if at > started.at:
                        del quarantines[setting]

    reasons = []
    if case is not None and rules.case_colour:
        code = "positive_test" if case.kind == TEST_RESULT else "case"
        reasons.append(Reason(code, rules.case_colour, (case.id,)))
    if close is not None:
        quarantine_end = close.at + rules.close_quarantine
        if now < quarantine_end and rules.close_quarantine_colour:
            reasons.append(
                Reason(
                    "close_contact_quarantine",
                    rules.close_quarantine_colour,
                    (close.id,),
                    None,
                    quarantine_end,
                )
            )
        else:
            monitoring_end = quarantine_end + rules.close_monitoring
            if now < monitoring_end and rules.close_monitoring_colour:
                reasons.append(
                    Reason(
                        "close_contact_monitoring",
                        rules.close_monitoring_colour,
                        (close.id,),
                        None,
                        monitoring_end,
                    )
                )
    if secondary is not None and rules.secondary_colour:
        end = secondary.at + rules.secondary
        if now < end:
            reasons.append(
                Reason("secondary_contact", rules.secondary_colour, (secondary.id,), None, end)
            )
    if quarantines:
        for setting, started in quarantines.items():
            colour = rules.quarantine_colours.get(setting)
            if colour:
                reasons.append(Reason("quarantine_" + setting, colour, (started.id,)))
    if pooled is not None and rules.pooled_colour:
        reasons.append(Reason("pooled_positive", rules.pooled_colour, (pooled.id,)))
    if arrival is not None and rules.arrival_colour:
        reasons.append(Reason("arrival", rules.arrival_colour, (arrival.id,)))
    if fever is not None and rules.fever_colour:
        reasons.append(Reason("fever_clinic", rules.fever_colour, (fever.id,)))
    for zone in zones:
        colour = rules.zone_colours.get(zone.kind)
        if not colour:
            continue
        if zone.starts_at > now:
            if zone.starts_at < next_change:
                next_change = zone.starts_at
            continue
        reasons.append(Reason("zone", colour, (), zone.id))

    if not reasons:
        if next_change == INFINITY:
            return GREEN
        return Result("green", (), next_change)
    colour = "green"
    rank = 0
    for reason in reasons:
        until = reason.until
        if until is not None and until < next_change:
            next_change = until
        reason_rank = RANK[reason.colour]
        if reason_rank > rank:
            rank = reason_rank
            colour = reason.colour
    reasons.sort(key=_severity)
    return Result(colour, tuple(reasons), None if next_change == INFINITY else next_change)


def _severity(reason: Reason) -> int:
    return -RANK[reason.colour]

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangyi.investigations import services
from fangyi.investigations.home import late_clocks
from fangyi.investigations.models import Investigation

from .support import hours_ago, opened


def states(investigation, now=None):
    return {clock.stage: clock.state for clock in services.clocks(investigation, now)}


def test_the_four_clocks_run_one_after_the_other(city, tracer):
    case = opened(city.person_a, actor=tracer, at=hours_ago(0.5))
    found = case.found_at
    # Swab half an hour before the result: in time. Report not confirmed yet, 10 minutes in.
    now = found + datetime.timedelta(minutes=10)
    assert states(case, now) == {
        "result": "done",
        "report": "running",
        "transfer": "waiting",
        "consultation": "waiting",
    }
    # Past its hour the report clock turns red.
    assert states(case, found + datetime.timedelta(minutes=61))["report"] == "late"


def test_a_result_recorded_more_than_an_hour_after_the_swab_is_red(city, tracer):
    case = opened(city.person_a, actor=tracer, at=hours_ago(3))
    assert states(case)["result"] == "done_late"
    assert next(c for c in services.clocks(case) if c.stage == "result").red


def test_recording_each_stage_stops_its_clock_and_starts_the_next(city, tracer):
    case = opened(city.person_a, actor=tracer, at=hours_ago(0.2))
    now = timezone.now()
    services.record_clock(actor=tracer, investigation=case, stage="report", at=now)
    services.record_transfer_arrived(actor=tracer, investigation=case, at=now)
    assert states(case)["consultation"] == "running"
    services.record_clock(actor=tracer, investigation=case, stage="consultation", at=now)
    assert set(states(case).values()) == {"done"}


def test_stages_are_recorded_in_order(city, tracer):
    case = opened(city.person_a, actor=tracer, at=hours_ago(0.2))
    with pytest.raises(ValidationError):
        services.record_transfer_arrived(actor=tracer, investigation=case, at=timezone.now())
    with pytest.raises(ValidationError):
        services.record_clock(
            actor=tracer, investigation=case, stage="consultation", at=timezone.now()
        )
    with pytest.raises(ValidationError) as early:
        services.record_clock(
            actor=tracer,
            investigation=case,
            stage="report",
            at=case.found_at - datetime.timedelta(hours=1),
        )
    assert "at" in early.value.message_dict
    with pytest.raises(ValidationError):
        services.record_clock(
            actor=tracer,
            investigation=case,
            stage="report",
            at=timezone.now() + datetime.timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        services.record_clock(actor=tracer, investigation=case, stage="transfer", at=timezone.now())


def test_transfer_arrival_needs_the_right_to_change_the_investigation(city, tracer, worker_a):
    case = opened(city.person_a, actor=tracer, at=hours_ago(0.2))
    services.record_clock(actor=tracer, investigation=case, stage="report", at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.record_transfer_arrived(actor=worker_a, investigation=case, at=timezone.now())


def test_limits_come_from_settings(city, tracer, settings):
    case = opened(city.person_a, actor=tracer, at=hours_ago(0.5))
    later = case.found_at + datetime.timedelta(minutes=20)
    assert states(case, later)["report"] == "running"
    settings.FANGYI_CASE_CLOCK_MINUTES = {"report": 15}
    assert states(case, later)["report"] == "late"


def test_the_home_card_counts_open_cases_with_a_late_clock(city, tracer):
    case = opened(city.person_a, actor=tracer, at=hours_ago(3))
    Investigation.objects.filter(pk=case.pk).update(found_at=hours_ago(2))
    assert late_clocks(tracer).count == 1
    services.update(actor=tracer, investigation=case, state="closed")
    assert late_clocks(tracer).count == 0


def test_a_clock_at_exactly_its_limit_is_not_yet_red(city, tracer):
    case = opened(city.person_a, actor=tracer, at=hours_ago(0.5))
    limit = case.found_at + datetime.timedelta(hours=1)
    assert states(case, limit)["report"] == "running"
    assert states(case, limit + datetime.timedelta(seconds=1))["report"] == "late"

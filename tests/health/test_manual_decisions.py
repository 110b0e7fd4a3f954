"""Manual colours: officer or commander, written reason, ≤ 72 h, a second approver at the same
level or higher before it takes effect; shown as manual; revocable."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangyi.health import services
from fangyi.health.models import ManualDecision, Status
from tests.factories import staff

REASON = "居民从境外返回，系统尚无入境记录，待补录"


def _propose(actor, person, hours=24, colour="yellow", reason=REASON):
    return services.propose_decision(
        actor=actor,
        person=person,
        colour=colour,
        reason=reason,
        expires_at=timezone.now() + datetime.timedelta(hours=hours),
    )


def test_a_decision_takes_effect_only_once_approved(city, officer, second_officer):
    decision = _propose(officer, city.person_a)
    assert services.current_status(city.person_a).colour == "green"
    services.approve_decision(actor=second_officer, decision=decision, approve=True)
    status = Status.objects.get(person=city.person_a)
    assert status.colour == "yellow" and status.manual
    assert status.reasons[0]["code"] == "manual"
    assert status.reasons[0]["decision"] == str(decision.pk)
    assert REASON in status.reasons[0]["zh"]
    assert abs((status.valid_until - decision.expires_at).total_seconds()) < 1


def test_nobody_approves_their_own(city, officer):
    decision = _propose(officer, city.person_a)
    with pytest.raises(PermissionDenied):
        services.approve_decision(actor=officer, decision=decision, approve=True)


def test_the_approver_sits_at_the_same_level_or_higher(city, commander):
    community_officer = staff("officer", city.community, username="community_officer")
    grid_officer = staff("officer", city.grid_a, username="grid_officer")
    decision = _propose(community_officer, city.person_a)
    with pytest.raises(PermissionDenied, match="同级或更高"):
        services.approve_decision(actor=grid_officer, decision=decision, approve=True)
    services.approve_decision(actor=commander, decision=decision, approve=True)
    assert Status.objects.get(person=city.person_a).manual


def test_grid_staff_cannot_propose(city, worker_a):
    with pytest.raises(PermissionDenied):
        _propose(worker_a, city.person_a)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hours": 73}, "expires_at"),
        ({"hours": -1}, "expires_at"),
        ({"reason": "太短"}, "reason"),
        ({"colour": "purple"}, "colour"),
    ],
)
def test_limits_of_a_decision(city, officer, kwargs, field):
    with pytest.raises(ValidationError) as raised:
        _propose(officer, city.person_a, **kwargs)
    assert field in raised.value.message_dict


def test_a_rejection_needs_a_reason_and_changes_nothing(city, officer, second_officer):
    decision = _propose(officer, city.person_a)
    with pytest.raises(ValidationError):
        services.approve_decision(actor=second_officer, decision=decision, approve=False)
    services.approve_decision(
        actor=second_officer, decision=decision, approve=False, note="应走申诉流程"
    )
    decision.refresh_from_db()
    assert decision.state == ManualDecision.State.REJECTED
    assert services.current_status(city.person_a).colour == "green"


def test_revoking_returns_to_the_rules(city, officer, second_officer):
    decision = _propose(officer, city.person_a, colour="red")
    services.approve_decision(actor=second_officer, decision=decision, approve=True)
    assert Status.objects.get(person=city.person_a).colour == "red"
    services.revoke_decision(actor=officer, decision=decision, note="已补录入境记录")
    status = Status.objects.get(person=city.person_a)
    assert status.colour == "green" and not status.manual


def test_an_expired_decision_ends_at_the_sweep(city, officer, second_officer):
    from fangyi.health import recompute

    decision = _propose(officer, city.person_a, hours=1)
    services.approve_decision(actor=second_officer, decision=decision, approve=True)
    later = timezone.now() + datetime.timedelta(hours=2)
    outcome = recompute.recompute_due(now=later)
    assert outcome.persons >= 1
    assert Status.objects.get(person=city.person_a).colour == "green"


def test_the_colour_must_be_one_the_plan_uses(city, officer):
    with pytest.raises(ValidationError) as raised:
        _propose(officer, city.person_a, colour="orange")
    assert "green, yellow, red" in raised.value.message_dict["colour"][0]

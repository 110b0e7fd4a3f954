"""Appeals (纠错): filed on behalf of a resident, decided by an officer who did not record the fact."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangyi.core.models import ObjectChange
from fangyi.health import services
from fangyi.health.models import Appeal, FactKind, Status


@pytest.fixture
def wrong_visit(city, worker_a):
    return services.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind=FactKind.FEVER_CLINIC_VISIT,
        occurred_at=timezone.now() - datetime.timedelta(hours=6),
    )


def test_an_accepted_appeal_retracts_the_fact_and_recomputes(city, worker_a, officer, wrong_visit):
    assert Status.objects.get(person=city.person_a).colour == "yellow"
    appeal = services.file_appeal(
        actor=worker_a, person=city.person_a, fact=wrong_visit, reason="当天本人在外地出差"
    )
    assert appeal.state == Appeal.State.OPEN and appeal.on_behalf
    decided = services.decide_appeal(actor=officer, appeal=appeal, accept=True, note="核实为误录")
    assert decided.state == Appeal.State.ACCEPTED
    assert decided.retraction.retracts == wrong_visit
    assert decided.retraction.source == "appeal"
    assert decided.retraction.source_ref == str(appeal.pk)
    assert Status.objects.get(person=city.person_a).colour == "green"
    assert ObjectChange.objects.filter(object_id=str(appeal.pk)).count() == 2


def test_a_rejected_appeal_keeps_the_fact(city, worker_a, officer, wrong_visit):
    appeal = services.file_appeal(
        actor=worker_a, person=city.person_a, fact=wrong_visit, reason="不认可"
    )
    decided = services.decide_appeal(actor=officer, appeal=appeal, accept=False, note="有就诊记录")
    assert decided.state == Appeal.State.REJECTED and decided.retraction is None
    assert Status.objects.get(person=city.person_a).colour == "yellow"
    with pytest.raises(ValidationError, match="已经处理"):
        services.decide_appeal(actor=officer, appeal=appeal, accept=True, note="再议")


def test_whoever_recorded_the_fact_cannot_decide_its_appeal(city, officer, second_officer):
    fact = services.record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind=FactKind.CLOSE_CONTACT,
        occurred_at=timezone.now() - datetime.timedelta(days=1),
    )
    appeal = services.file_appeal(actor=officer, person=city.person_a, fact=fact, reason="未接触")
    with pytest.raises(PermissionDenied):
        services.decide_appeal(actor=officer, appeal=appeal, accept=True, note="自己批")
    services.decide_appeal(actor=second_officer, appeal=appeal, accept=True, note="流调更正")
    assert Status.objects.get(person=city.person_a).colour == "green"


def test_grid_workers_file_but_do_not_decide(city, worker_a, wrong_visit):
    appeal = services.file_appeal(
        actor=worker_a, person=city.person_a, fact=wrong_visit, reason="误录"
    )
    with pytest.raises(PermissionDenied):
        services.decide_appeal(actor=worker_a, appeal=appeal, accept=True, note="x")


def test_an_appeal_may_contest_living_in_a_zone(city, officer, second_officer, worker_a):
    zone = services.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="x")
    appeal = services.file_appeal(
        actor=worker_a, person=city.person_a, zone=zone, reason="已于上月搬离该楼"
    )
    with pytest.raises(PermissionDenied):
        services.decide_appeal(actor=officer, appeal=appeal, accept=True, note="自己划的")
    decided = services.decide_appeal(
        actor=second_officer, appeal=appeal, accept=True, note="已更正住址"
    )
    assert decided.state == Appeal.State.ACCEPTED and decided.retraction is None


@pytest.mark.parametrize("problem", ["both", "neither", "other_person", "duplicate", "no_reason"])
def test_bad_appeals_are_refused(city, worker_a, officer, wrong_visit, problem):
    zone = services.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="x")
    kwargs = {"actor": worker_a, "person": city.person_a, "reason": "理由"}
    if problem == "both":
        kwargs |= {"fact": wrong_visit, "zone": zone}
    elif problem == "other_person":
        kwargs |= {
            "zone": services.draw_zone(
                actor=officer, kind="high", regions=[city.building_b], reason="y"
            )
        }
    elif problem == "duplicate":
        services.file_appeal(actor=worker_a, person=city.person_a, fact=wrong_visit, reason="1")
        kwargs |= {"fact": wrong_visit}
    elif problem == "no_reason":
        kwargs |= {"fact": wrong_visit, "reason": "  "}
    with pytest.raises(ValidationError):
        services.file_appeal(**kwargs)


def test_a_worker_cannot_appeal_for_another_grid(city, worker_a, officer):
    fact = services.record_fact(
        actor=officer,
        source="manual",
        person=city.person_b,
        kind=FactKind.FEVER_CLINIC_VISIT,
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
    )
    with pytest.raises(PermissionDenied):
        services.file_appeal(actor=worker_a, person=city.person_b, fact=fact, reason="x")

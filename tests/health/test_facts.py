"""Recording facts: validation per kind, scope, all-or-nothing lists, retraction, append-only."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangyi.core.models import AuditRowIsImmutable, ObjectChange
from fangyi.health import services
from fangyi.health.models import Fact, FactKind, Status
from fangyi.health.services import FactInput


def _ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


def test_a_negative_test_is_recorded_with_its_source_and_actor(city, worker_a):
    fact = services.record_fact(
        actor=worker_a,
        source="manual",
        source_ref="tube-0001",
        person=city.person_a,
        kind=FactKind.TEST_RESULT,
        occurred_at=_ago(hours=3),
        outcome="negative",
        variant="pooled",
    )
    fact.refresh_from_db()
    assert fact.actor == worker_a and fact.actor_name == "worker_a"
    assert fact.region_path == city.person_a.region_path
    assert fact.source == "manual" and fact.source_ref == "tube-0001"
    # The fact row is its own audit record (docs/health.md, "Audit").
    assert fact.recorded_at is not None
    assert not ObjectChange.objects.filter(object_id=str(fact.pk)).exists()
    assert Status.objects.get(person=city.person_a).colour == "green"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "test_result", "outcome": "maybe", "variant": "single"}, "outcome"),
        ({"kind": "test_result", "outcome": "negative", "variant": "bucket"}, "variant"),
        ({"kind": "close_contact", "outcome": "negative"}, "outcome"),
        ({"kind": "quarantine_start", "variant": ""}, "variant"),
        ({"kind": "arrival_from_risk_area", "details": {"area": "  "}}, "details.area"),
        ({"kind": "health_declaration", "details": {"temperature": 60}}, "details.temperature"),
        ({"kind": "health_declaration", "details": {"temperature": True}}, "details.temperature"),
        ({"kind": "health_declaration", "details": {"symptoms": "cough"}}, "details.symptoms"),
        ({"kind": "retraction", "details": {"reason": "x"}}, "retracts"),
        ({"kind": "no_such_kind"}, "kind"),
    ],
)
def test_a_bad_fact_names_its_field(city, worker_a, fields, field):
    with pytest.raises(ValidationError) as raised:
        services.record_fact(
            actor=worker_a,
            source="manual",
            person=city.person_a,
            occurred_at=_ago(hours=1),
            **fields,
        )
    assert field in raised.value.message_dict
    assert not Fact.objects.exists()


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC), "2019"),
        (timezone.now() + datetime.timedelta(hours=1), "晚于现在"),
    ],
)
def test_impossible_times_are_refused(city, worker_a, moment, message):
    with pytest.raises(ValidationError) as raised:
        services.record_fact(
            actor=worker_a,
            source="manual",
            person=city.person_a,
            kind=FactKind.FEVER_CLINIC_VISIT,
            occurred_at=moment,
        )
    assert message in raised.value.message_dict["occurred_at"][0]


def test_a_list_is_refused_whole_and_names_the_bad_item(city, worker_a):
    good = FactInput(
        person=city.person_a,
        kind=FactKind.TEST_RESULT,
        occurred_at=_ago(hours=2),
        outcome="negative",
        variant="single",
    )
    bad = FactInput(person=city.person_a, kind=FactKind.TEST_RESULT, occurred_at=_ago(hours=2))
    with pytest.raises(ValidationError) as raised:
        services.record_facts(actor=worker_a, items=[good, good, bad], source="api")
    assert set(raised.value.message_dict) == {"2.outcome", "2.variant"}
    assert not Fact.objects.exists()


def test_a_worker_cannot_record_facts_about_another_grid(city, worker_a):
    with pytest.raises(PermissionDenied):
        services.record_fact(
            actor=worker_a,
            source="manual",
            person=city.person_b,
            kind=FactKind.FEVER_CLINIC_VISIT,
            occurred_at=_ago(hours=1),
        )
    assert not Fact.objects.exists()


def test_facts_are_never_changed_or_deleted(city, worker_a):
    fact = services.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind=FactKind.FEVER_CLINIC_VISIT,
        occurred_at=_ago(hours=1),
    )
    with pytest.raises(AuditRowIsImmutable):
        fact.save()
    with pytest.raises(AuditRowIsImmutable):
        fact.delete()
    with pytest.raises(AuditRowIsImmutable):
        Fact.objects.filter(pk=fact.pk).update(kind="recovered")
    with pytest.raises(AuditRowIsImmutable):
        Fact.objects.filter(pk=fact.pk).delete()


def test_retracting_a_fact_restores_the_colour(city, worker_a, officer):
    visit = services.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind=FactKind.FEVER_CLINIC_VISIT,
        occurred_at=_ago(hours=5),
    )
    assert Status.objects.get(person=city.person_a).colour == "yellow"
    retraction = services.retract_fact(actor=officer, fact=visit, reason="录入错误，非本人")
    assert retraction.retracts == visit
    assert retraction.details == {"reason": "录入错误，非本人"}
    assert Status.objects.get(person=city.person_a).colour == "green"


def test_a_fact_is_retracted_once_and_retractions_are_not_retracted(city, worker_a, officer):
    visit = services.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind=FactKind.FEVER_CLINIC_VISIT,
        occurred_at=_ago(hours=5),
    )
    retraction = services.retract_fact(actor=officer, fact=visit, reason="录入错误")
    with pytest.raises(ValidationError, match="已被撤销"):
        services.retract_fact(actor=officer, fact=visit, reason="again")
    with pytest.raises(ValidationError, match="不能再被撤销"):
        services.retract_fact(actor=officer, fact=retraction, reason="undo")
    with pytest.raises(ValidationError, match="原因"):
        services.retract_fact(actor=officer, fact=visit, reason="  ")


def test_a_retraction_must_point_at_the_same_person(city, officer):
    other = services.record_fact(
        actor=officer,
        source="manual",
        person=city.person_b,
        kind=FactKind.FEVER_CLINIC_VISIT,
        occurred_at=_ago(hours=5),
    )
    with pytest.raises(ValidationError, match="同一居民"):
        services.record_fact(
            actor=officer,
            source="manual",
            person=city.person_a,
            kind=FactKind.RETRACTION,
            occurred_at=_ago(minutes=1),
            retracts=other,
            details={"reason": "wrong person"},
        )


def test_statuses_asked_for_together_are_recomputed_as_the_block_ends(city, worker_a):
    with services.recomputed_together():
        services.record_fact(
            actor=worker_a,
            source="manual",
            person=city.person_a,
            kind=FactKind.FEVER_CLINIC_VISIT,
            occurred_at=_ago(hours=5),
        )
        assert not Status.objects.filter(person=city.person_a, colour="yellow").exists()
    assert Status.objects.get(person=city.person_a).colour == "yellow"

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.investigations import services
from fangyi.investigations.models import Investigation

from .support import contact_of, hours_ago, make_case, opened, resident


def test_a_positive_person_gets_one_investigation_however_often_it_is_opened(city, tracer):
    fact = make_case(city.person_a, actor=tracer, at=hours_ago(5))
    first, created = services.open_investigation(actor=tracer, person=city.person_a)
    again, created_again = services.open_investigation(actor=tracer, person=city.person_a)
    assert created and not created_again
    assert first.pk == again.pk
    assert first.case_fact_id == fact.pk
    assert first.occurred_at == fact.occurred_at
    assert first.found_at == fact.recorded_at
    assert first.chain_root_id == first.pk and first.generation == 0
    assert Investigation.objects.count() == 1
    assert ObjectChange.objects.filter(object_id=str(first.pk), action="create").count() == 1


def test_a_confirmed_case_without_a_test_may_be_investigated(city, tracer):
    make_case(city.person_a, actor=tracer, kind="case_confirmed")
    investigation, created = services.open_investigation(actor=tracer, person=city.person_a)
    assert created and investigation.person == city.person_a


def test_someone_who_is_not_a_case_is_refused(city, tracer):
    with pytest.raises(ValidationError) as refused:
        services.open_investigation(actor=tracer, person=city.person_a)
    assert "person" in refused.value.message_dict


def test_a_negative_test_does_not_make_a_case(city, tracer):
    from fangyi.health import services as health

    health.record_fact(
        actor=tracer,
        source="manual",
        person=city.person_a,
        kind="test_result",
        outcome="negative",
        variant="single",
        occurred_at=hours_ago(2),
    )
    with pytest.raises(ValidationError):
        services.open_investigation(actor=tracer, person=city.person_a)


def test_only_staff_of_the_region_may_open_one(city, worker_a, commander):
    make_case(city.person_a, actor=commander)
    for outsider in (worker_a, commander):
        with pytest.raises(PermissionDenied):
            services.open_investigation(actor=outsider, person=city.person_a)


def test_a_contact_who_becomes_a_case_joins_the_chain_one_generation_further(city, tracer):
    first = opened(city.person_a, actor=tracer)
    contact_of(first, city.person_b, actor=tracer)
    second = opened(city.person_b, actor=tracer, at=hours_ago(1))
    assert second.chain_root_id == first.pk
    assert second.generation == 1
    assert second.source_contact.investigation_id == first.pk
    grandchild = resident(city.building_b)
    contact_of(second, grandchild, actor=tracer, at=hours_ago(2))
    third = opened(grandchild, actor=tracer, at=hours_ago(0.5))
    assert third.chain_root_id == first.pk and third.generation == 2

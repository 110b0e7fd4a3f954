import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.fieldwork.models import Task, TaskKind, TaskStatus
from fangyi.health.models import Fact, Status
from fangyi.health.services import current_status
from fangyi.investigations import services
from fangyi.investigations.models import ContactState

from .support import contact_of, hours_ago, opened, resident


@pytest.fixture
def case(city, tracer):
    return opened(city.person_a, actor=tracer)


def test_a_registered_contact_is_linked_and_their_fact_written(city, tracer, case):
    contact = contact_of(case, city.person_b, actor=tracer, at=hours_ago(20))
    assert contact.state == ContactState.LINKED
    fact = Fact.objects.get(pk=contact.fact_id)
    assert fact.kind == "close_contact"
    assert fact.person == city.person_b
    assert fact.occurred_at == contact.exposure_at
    assert fact.source == "investigation" and fact.source_ref == str(contact.pk)
    # The colour follows by the existing rules.
    assert current_status(city.person_b).colour != "green"


def test_a_secondary_contact_gets_a_secondary_contact_fact(city, tracer, case):
    contact = contact_of(case, city.person_b, actor=tracer, category="secondary")
    assert Fact.objects.get(pk=contact.fact_id).kind == "secondary_contact"


def test_a_person_is_one_contact_of_a_case_and_never_the_case_itself(city, tracer, case):
    contact_of(case, city.person_b, actor=tracer)
    with pytest.raises(ValidationError) as twice:
        contact_of(case, city.person_b, actor=tracer)
    assert "person" in twice.value.message_dict
    with pytest.raises(ValidationError) as self_contact:
        contact_of(case, city.person_a, actor=tracer)
    assert "person" in self_contact.value.message_dict


def test_an_unregistered_contact_becomes_a_task_in_the_grid_of_their_address(city, tracer, case):
    contact = services.record_contact(
        actor=tracer,
        investigation=case,
        category="close",
        exposure_at=hours_ago(10),
        name="赵六",
        phone="13700000007",
        address="第二网格 3号楼 201",
        region=city.grid_b,
    )
    assert contact.state == ContactState.TO_LOCATE
    task = Task.objects.get(pk=contact.task_id)
    assert task.kind == TaskKind.LOCATE_CONTACT
    assert task.region == city.grid_b and task.region_path == city.grid_b.path
    assert task.person is None and task.household is None
    assert "13700000007" in task.notes
    assert "赵六" not in task.title
    assert not Fact.objects.filter(source="investigation").exists()


def test_an_unregistered_contact_needs_a_name_an_address_and_a_grid(city, tracer, case):
    with pytest.raises(ValidationError) as refused:
        services.record_contact(
            actor=tracer,
            investigation=case,
            category="close",
            exposure_at=hours_ago(1),
            phone="123",
        )
    assert {"name", "address", "region", "phone"} <= set(refused.value.message_dict)


def test_a_contact_found_is_linked_their_fact_written_and_the_task_done(city, tracer, case):
    contact = services.record_contact(
        actor=tracer,
        investigation=case,
        category="close",
        exposure_at=hours_ago(10),
        name="赵六",
        address="2号楼",
        region=city.grid_b,
    )
    found = resident(city.building_b)
    services.contact_found(actor=tracer, contact=contact, person=found)
    contact.refresh_from_db()
    assert contact.state == ContactState.LINKED and contact.person == found
    assert Fact.objects.get(pk=contact.fact_id).person == found
    task = Task.objects.get(pk=contact.task_id)
    assert task.status == TaskStatus.DONE
    assert task.result == {"person": str(found.pk)}


def test_a_contact_to_locate_may_be_dismissed_and_its_task_closes(city, tracer, case):
    contact = services.record_contact(
        actor=tracer,
        investigation=case,
        category="secondary",
        exposure_at=hours_ago(10),
        name="赵六",
        address="2号楼",
        region=city.grid_b,
    )
    services.dismiss_contact(actor=tracer, contact=contact, reason="号码错误，查无此人")
    assert Task.objects.get(pk=contact.task_id).status == TaskStatus.FAILED
    with pytest.raises(ValidationError):
        services.dismiss_contact(actor=tracer, contact=contact, reason="again")


def test_recording_contacts_takes_the_right_in_the_cases_region(city, worker_a, case):
    with pytest.raises(PermissionDenied):
        contact_of(case, city.person_b, actor=worker_a)
    assert not Status.objects.filter(person=city.person_b, colour="red").exists()


def test_a_contact_out_of_the_callers_fact_scope_is_refused_whole(city, case):
    from tests.factories import staff

    grid_a_investigator = staff("investigator", city.grid_a, username="grid_a_tracer")
    with pytest.raises(PermissionDenied):
        contact_of(case, city.person_b, actor=grid_a_investigator)
    assert not case.contacts.exists()

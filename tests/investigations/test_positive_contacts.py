"""A recorded contact who turns positive gets their own investigation from the periodic job,
in their chain one generation further, once."""

from fangyi.core.models import ObjectChange
from fangyi.investigations import services
from fangyi.investigations.models import Investigation
from fangyi.investigations.tasks import open_for_positive_contacts_task

from .support import contact_of, hours_ago, make_case, opened, resident


def test_contacts_who_turned_positive_are_investigated_once(city, tracer):
    case = opened(city.person_a, actor=tracer)
    contact_of(case, city.person_b, actor=tracer)
    negative = resident(city.building_a)
    contact_of(case, negative, actor=tracer)
    assert services.open_for_positive_contacts() == 0
    make_case(city.person_b, actor=tracer, at=hours_ago(1))
    assert services.open_for_positive_contacts() == 1
    second = Investigation.objects.get(person=city.person_b)
    assert second.chain_root_id == case.pk and second.generation == 1
    assert second.opened_by is None
    assert ObjectChange.objects.filter(object_id=str(second.pk), action="create").exists()
    assert services.open_for_positive_contacts() == 0


def test_a_proposal_nobody_confirmed_is_not_a_contact_yet(city, tracer):
    from fangyi.investigations.models import Contact

    case = opened(city.person_a, actor=tracer)
    Contact.objects.create(
        investigation=case,
        region_path=case.region_path,
        chain_root=case,
        person=city.person_b,
        category="close",
        exposure_at=hours_ago(5),
        state="proposed",
    )
    make_case(city.person_b, actor=tracer, at=hours_ago(1))
    assert services.open_for_positive_contacts() == 0


def test_the_periodic_task_runs_the_service(city, tracer):
    case = opened(city.person_a, actor=tracer)
    contact_of(case, city.person_b, actor=tracer)
    make_case(city.person_b, actor=tracer, at=hours_ago(1))
    assert open_for_positive_contacts_task.call() == 1

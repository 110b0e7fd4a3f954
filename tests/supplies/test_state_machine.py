import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.supplies import services
from fangyi.supplies.models import Request, RequestState

from .support import package_request, vegetables

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(city, officer, worker_a):
    item = vegetables(officer, city.community)
    return package_request(worker_a, city.household_a, item)


def move(actor, request, to_state, **kwargs):
    return services.transition(actor=actor, request=request, to_state=to_state, **kwargs)


def test_a_request_walks_to_delivered_with_an_event_and_audit_row_each_step(made, worker_a):
    for state in ("accepted", "sourcing", "out_for_delivery"):
        move(worker_a, made, state)
    move(worker_a, made, "delivered", delivery=services.Delivery("note", note="本人签收"))
    made.refresh_from_db()
    assert made.state == RequestState.DELIVERED and made.delivered_at is not None
    assert made.confirmation == "note" and made.confirmation_note == "本人签收"
    events = list(made.events.values_list("from_state", "to_state", "actor_name"))
    assert events == [
        ("", "submitted", "worker_a"),
        ("submitted", "accepted", "worker_a"),
        ("accepted", "sourcing", "worker_a"),
        ("sourcing", "out_for_delivery", "worker_a"),
        ("out_for_delivery", "delivered", "worker_a"),
    ]
    assert ObjectChange.objects.filter(object_id=str(made.pk)).count() == 5


def test_steps_cannot_be_skipped(made, worker_a):
    with pytest.raises(ValidationError) as refused:
        move(worker_a, made, "delivered", delivery=services.Delivery("note", note="x"))
    assert "已提交" in str(refused.value)
    with pytest.raises(ValidationError):
        move(worker_a, made, "out_for_delivery")


def test_a_delivered_request_cannot_be_delivered_again_even_from_a_stale_copy(made, worker_a):
    stale = Request.objects.get(pk=made.pk)
    for state in ("accepted", "out_for_delivery"):
        move(worker_a, made, state)
    move(worker_a, made, "delivered", delivery=services.Delivery("note", note="签收"))
    stale.state = RequestState.OUT_FOR_DELIVERY
    with pytest.raises(ValidationError) as refused:
        move(worker_a, stale, "delivered", delivery=services.Delivery("note", note="签收"))
    assert "不能重复送达" in str(refused.value)
    assert made.events.filter(to_state="delivered").count() == 1


def test_nothing_ends_without_its_record(made, worker_a):
    with pytest.raises(ValidationError) as refused:
        move(worker_a, made, "cancelled")
    assert "reason" in refused.value.error_dict
    move(worker_a, made, "accepted")
    move(worker_a, made, "out_for_delivery")
    with pytest.raises(ValidationError) as refused:
        move(worker_a, made, "delivered")
    assert "confirmation" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        move(worker_a, made, "delivered", delivery=services.Delivery("note"))
    assert "note" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        move(worker_a, made, "delivered", delivery=services.Delivery("door"))
    assert "left_at" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        move(worker_a, made, "delivered", delivery=services.Delivery("code"))
    assert "code" in refused.value.error_dict


def test_contact_free_delivery_records_when_it_was_left(made, worker_a):
    move(worker_a, made, "accepted")
    move(worker_a, made, "out_for_delivery")
    future = made.submitted_at + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        move(worker_a, made, "delivered", delivery=services.Delivery("door", left_at=future))
    left = made.submitted_at
    move(worker_a, made, "delivered", delivery=services.Delivery("door", left_at=left))
    made.refresh_from_db()
    assert made.left_at == left and made.confirmation == "door"


def test_a_cancel_keeps_its_reason_and_ends_the_request(made, worker_a):
    move(worker_a, made, "cancelled", reason="居民已自行购买")
    made.refresh_from_db()
    assert made.cancel_reason == "居民已自行购买"
    with pytest.raises(ValidationError):
        move(worker_a, made, "accepted")


def test_a_worker_of_another_grid_and_a_volunteer_cannot_move_it(made, city, volunteer_a):
    from tests.factories import staff

    other = staff("grid_worker", city.grid_b)
    for actor in (other, volunteer_a):
        with pytest.raises(PermissionDenied):
            move(actor, made, "accepted")


def test_the_delivery_confirmation_by_code_needs_a_code_of_the_household(made, city, worker_a):
    from fangyi.codes.services import issue_display_code

    move(worker_a, made, "accepted")
    move(worker_a, made, "out_for_delivery")
    stranger = issue_display_code(person_id=city.person_b.pk).text
    with pytest.raises(ValidationError) as refused:
        move(worker_a, made, "delivered", delivery=services.Delivery("code", code=stranger))
    assert "不是本户" in str(refused.value)
    with pytest.raises(ValidationError):
        move(worker_a, made, "delivered", delivery=services.Delivery("code", code="FY1:junk"))
    own = issue_display_code(person_id=city.person_a.pk).text
    move(worker_a, made, "delivered", delivery=services.Delivery("code", code=own))
    made.refresh_from_db()
    assert made.state == "delivered" and made.confirmation == "code"

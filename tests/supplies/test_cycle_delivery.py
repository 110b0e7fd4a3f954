"""A batch's deliveries become field-work tasks in the pool of each household's grid; the
volunteer who claims one records the delivery at the door, which marks the request delivered
(with how it was confirmed) and the task done, together."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fangyi.fieldwork import services as fieldwork
from fangyi.fieldwork.models import Task
from fangyi.supplies import services as supplies
from fangyi.supplies.cycle import services
from fangyi.supplies.models import Request, RequestEvent, RequestState
from tests.supplies.cycle_support import accepted, cut_off_yesterday, package
from tests.supplies.support import vegetables
from tests.support import client_for, post, signed_in

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def ordered(city, officer):
    item = vegetables(officer, city.community)
    cut = cut_off_yesterday()
    request = accepted(officer, city.household_a, package(item, 2), at=cut - HOUR)
    (batch,) = services.form_due_batches(now=cut + HOUR)
    task = Task.objects.get(source=services.TASK_SOURCE, source_ref=str(request.pk))
    return batch, request, task


def test_each_delivery_is_a_task_in_its_grids_pool(ordered, volunteer_a, worker_b):
    batch, request, task = ordered
    assert task.kind == "delivery" and task.household_id == request.household_id
    assert task.assignee is None and task.title == "配送：蔬菜包 × 2份"
    assert task.due_at == batch.deliver_from + services.NORMAL_WINDOW
    assert list(Task.objects.pool(volunteer_a)) == [task]
    assert not Task.objects.pool(worker_b).exists()
    services.form_batch(actor=None, region=batch.region, day=batch.day, authorised=True)
    assert Task.objects.filter(source=services.TASK_SOURCE).count() == 1


def test_the_claimer_delivers_with_a_note(ordered, volunteer_a):
    _batch, request, task = ordered
    fieldwork.claim(actor=volunteer_a, task=task)
    services.deliver(
        actor=volunteer_a,
        task=Task.objects.get(pk=task.pk),
        delivery=supplies.Delivery(confirmation="note", note="本人签收"),
    )
    request = Request.objects.get(pk=request.pk)
    assert request.state == RequestState.DELIVERED and request.confirmation == "note"
    events = list(request.events.order_by("at", "id").values_list("to_state", "actor"))
    assert events[-2:] == [
        (RequestState.OUT_FOR_DELIVERY, volunteer_a.pk),
        (RequestState.DELIVERED, volunteer_a.pk),
    ]
    task = Task.objects.get(pk=task.pk)
    assert task.status == "done" and task.result["request"] == str(request.pk)
    assert task.note == "本人签收"


def test_nobody_but_the_claimer_delivers(ordered, volunteer_a, worker_a):
    _batch, request, task = ordered
    fieldwork.claim(actor=volunteer_a, task=task)
    with pytest.raises(PermissionDenied):
        services.deliver(
            actor=worker_a,
            task=Task.objects.get(pk=task.pk),
            delivery=supplies.Delivery(confirmation="note", note="x"),
        )
    assert Request.objects.get(pk=request.pk).state == RequestState.ACCEPTED


def test_without_a_confirmation_nothing_changes(ordered, volunteer_a):
    _batch, request, task = ordered
    fieldwork.claim(actor=volunteer_a, task=task)
    with pytest.raises(ValidationError):
        services.deliver(
            actor=volunteer_a,
            task=Task.objects.get(pk=task.pk),
            delivery=supplies.Delivery(confirmation="note", note=""),
        )
    assert Request.objects.get(pk=request.pk).state == RequestState.ACCEPTED
    assert not RequestEvent.objects.filter(
        request=request, to_state=RequestState.OUT_FOR_DELIVERY
    ).exists()
    assert Task.objects.get(pk=task.pk).status == "assigned"


def test_delivering_from_the_phone_and_the_api(ordered, volunteer_a, city, officer):
    _batch, request, task = ordered
    phone = signed_in(volunteer_a)
    phone.post(reverse("fieldwork:claim", args=[task.pk]))
    page = phone.get(reverse("supplies_cycle:deliver", args=[task.pk]))
    assert page.status_code == 200 and "蔬菜包 × 2份" in page.content.decode()
    left = (cut_off_yesterday() - 2 * HOUR).strftime("%Y-%m-%dT%H:%M")
    response = phone.post(
        reverse("supplies_cycle:deliver", args=[task.pk]),
        {"confirmation": "door", "left_at": left},
    )
    # Left at the door before it was made is refused, on the form.
    assert response.status_code == 400
    response = phone.post(
        reverse("supplies_cycle:deliver", args=[task.pk]),
        {"confirmation": "note", "note": "放门口已电话告知"},
    )
    assert response.status_code == 302
    assert Request.objects.get(pk=request.pk).state == RequestState.DELIVERED
    again = post(
        client_for(volunteer_a),
        f"/api/v1/supplies/batches/deliveries/{task.pk}/deliver",
        {"confirmation": "note", "note": "again"},
    )
    assert again.status_code == 422


def test_the_api_delivers(ordered, volunteer_a):
    _batch, request, task = ordered
    fieldwork.claim(actor=volunteer_a, task=task)
    response = post(
        client_for(volunteer_a),
        f"/api/v1/supplies/batches/deliveries/{task.pk}/deliver",
        {"confirmation": "note", "note": "本人签收"},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "delivered" and data["task_status"] == "done"
    assert data["request"] == str(request.pk)


def test_the_task_is_done_on_the_delivery_page_only(ordered, volunteer_a):
    _batch, request, task = ordered
    fieldwork.claim(actor=volunteer_a, task=task)
    phone = signed_in(volunteer_a)
    page = phone.get(reverse("fieldwork:detail", args=[task.pk])).content.decode()
    assert reverse("supplies_cycle:deliver", args=[task.pk]) in page
    assert 'id="complete-form"' not in page
    mine = phone.get(reverse("fieldwork:deliveries")).content.decode()
    assert reverse("supplies_cycle:deliver", args=[task.pk]) in mine
    with pytest.raises(ValidationError):
        fieldwork.complete(actor=volunteer_a, task=Task.objects.get(pk=task.pk), note="送了")
    response = post(client_for(volunteer_a), f"/api/v1/tasks/{task.pk}/complete", {"note": "x"})
    assert response.status_code == 422
    assert Task.objects.get(pk=task.pk).status == "assigned"
    assert Request.objects.get(pk=request.pk).state == RequestState.ACCEPTED

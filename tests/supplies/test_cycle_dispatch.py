"""立即派送: urgent requests go to the grid's pool at once, due by their own limit, and the
community's batch leaves them out; a request sent twice has one task."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.fieldwork.models import Task, TaskStatus
from fangyi.supplies import services as supplies
from fangyi.supplies.cycle import services
from fangyi.supplies.cycle.models import BatchEntry
from fangyi.supplies.models import Request, RequestState
from tests.factories import PersonFactory, staff
from tests.supplies.cycle_support import accepted, cut_off_yesterday
from tests.supplies.support import medicine_draft
from tests.support import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def insulin(city, officer):
    PersonFactory(household=city.household_a, on_dialysis=True)
    return supplies.submit(
        actor=officer,
        household=city.household_a,
        draft=medicine_draft(),
        now=cut_off_yesterday() - datetime.timedelta(hours=1),
    )


def test_a_submitted_request_is_accepted_and_pooled_due_by_its_limit(insulin, officer):
    task = services.dispatch_now(actor=officer, request=insulin)
    insulin.refresh_from_db()
    assert insulin.state == RequestState.ACCEPTED and insulin.dispatched_at is not None
    assert task.kind == "delivery" and task.status == TaskStatus.OPEN and task.assignee is None
    assert task.due_at == insulin.due_at
    assert "【优先】" in task.title and "胰岛素笔芯" in task.title
    assert task.region_path == insulin.household.region_path


def test_sending_it_again_answers_the_same_task(insulin, officer):
    first = services.dispatch_now(actor=officer, request=insulin)
    second = services.dispatch_now(actor=officer, request=insulin)
    assert first.pk == second.pk
    assert Task.objects.filter(source=services.TASK_SOURCE).count() == 1


def test_the_batch_leaves_a_dispatched_request_out(insulin, officer, city):
    services.dispatch_now(actor=officer, request=insulin)
    services.form_due_batches()
    assert not BatchEntry.objects.filter(request=insulin).exists()
    assert Task.objects.filter(source=services.TASK_SOURCE).count() == 1


def test_a_batched_request_is_delivered_with_its_batch(insulin, officer, city):
    supplies.transition(actor=officer, request=insulin, to_state=RequestState.ACCEPTED)
    services.form_due_batches()
    with pytest.raises(ValidationError) as refused:
        services.dispatch_now(actor=officer, request=Request.objects.get(pk=insulin.pk))
    assert "批次" in refused.value.message_dict["request"][0]


def test_an_ended_request_is_not_sent(insulin, officer):
    supplies.transition(
        actor=officer, request=insulin, to_state=RequestState.CANCELLED, reason="家属已代购"
    )
    with pytest.raises(ValidationError):
        services.dispatch_now(actor=officer, request=Request.objects.get(pk=insulin.pk))
    assert not Task.objects.exists()


def test_only_who_changes_requests_there_sends_one(insulin, city):
    volunteer = staff("volunteer", city.grid_a)
    with pytest.raises(PermissionDenied):
        services.dispatch_now(actor=volunteer, request=insulin)
    outsider = staff("officer", city.grid_b)
    with pytest.raises(PermissionDenied):
        services.dispatch_now(actor=outsider, request=insulin)


def test_the_request_page_sends_it_and_says_so(insulin, officer):
    client = signed_in(officer)
    page = client.get(f"/supplies/{insulin.pk}/")
    assert "立即派送" in page.content.decode()
    done = client.post(f"/supplies/batches/dispatch/{insulin.pk}/", follow=True)
    html = done.content.decode()
    assert "已派送" in html and 'id="dispatched"' in html and 'id="dispatch-form"' not in html


def test_the_api_answers_the_task_and_refuses_a_batched_request(insulin, officer, city):
    client = signed_in(officer)
    answer = client.post(f"/api/v1/supplies/batches/dispatch/{insulin.pk}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["state"] == "accepted" and body["task_status"] == "open"
    # Made before a cut-off already passed, so that the batch takes it whatever the hour.
    other = accepted(
        officer,
        city.household_a,
        medicine_draft(),
        at=cut_off_yesterday() - datetime.timedelta(minutes=30),
    )
    services.form_batch(actor=officer, region=city.community)
    assert BatchEntry.objects.filter(request=other).exists()
    refused = client.post(f"/api/v1/supplies/batches/dispatch/{other.pk}")
    assert refused.status_code == 422, refused.content
    (problem,) = refused.json()["detail"]
    assert problem["field"] == "request" and "批次" in problem["message"]

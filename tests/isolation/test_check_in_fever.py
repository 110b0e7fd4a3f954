"""A fever or a listed symptom raises an alert for the officers and a fever-clinic referral,
once per check-in however often the slot is corrected."""

import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.fieldwork.models import Task, TaskKind
from fangyi.isolation.followup import services
from fangyi.isolation.followup.services import CheckInInput
from fangyi.isolation.models import CheckIn
from tests.support import client_for, post, signed_in

from .followup_support import running_order

ALERTS = "/api/v1/isolation/check-ins/alerts"


def fever(order, temperature="37.3", symptoms=()):
    return CheckInInput(
        order_id=order.pk, temperature=decimal.Decimal(temperature), symptoms=symptoms
    )


@pytest.mark.parametrize(
    ("temperature", "symptoms", "expected"),
    [("37.2", (), False), ("37.3", (), True), ("36.5", ("cough",), True), (None, (), False)],
)
def test_the_fever_rule(temperature, symptoms, expected):
    value = None if temperature is None else decimal.Decimal(temperature)
    assert services.is_fever(value, symptoms) is expected


def test_a_fever_raises_an_alert_and_one_referral_task(city, worker_a, officer):
    order = running_order(city.person_a)

    services.record(actor=worker_a, items=[fever(order)], slot=1)
    services.record(actor=worker_a, items=[fever(order, "38.1")], slot=1)

    check_in = CheckIn.objects.get(order=order)
    assert check_in.fever
    tasks = Task.objects.filter(kind=TaskKind.FEVER_REFERRAL, person=city.person_a)
    assert tasks.count() == 1
    assert tasks.get().source_ref == f"fever:{check_in.pk.hex}"
    listed = client_for(officer).get(ALERTS).json()["items"]
    assert [item["id"] for item in listed] == [str(check_in.pk)]


def test_a_symptom_alone_is_a_fever_alert(city, worker_a):
    order = running_order(city.person_a)

    services.record(
        actor=worker_a, items=[CheckInInput(order_id=order.pk, symptoms=("cough",))], slot=1
    )

    assert CheckIn.objects.get(order=order).fever
    assert Task.objects.filter(kind=TaskKind.FEVER_REFERRAL).count() == 1


def test_the_officer_handles_an_alert_and_it_leaves_the_list(city, worker_a, officer):
    order = running_order(city.person_a)
    services.record(actor=worker_a, items=[fever(order)], slot=1)
    check_in = CheckIn.objects.get(order=order)
    client = client_for(officer)

    response = post(client, f"{ALERTS}/{check_in.pk}/handle", {})

    assert response.status_code == 200
    assert response.json()["alert_handled_at"]
    assert client.get(ALERTS).json()["items"] == []
    again = post(client, f"{ALERTS}/{check_in.pk}/handle", {})
    assert again.status_code == 422


def test_a_grid_worker_may_not_handle_an_alert(city, worker_a):
    order = running_order(city.person_a)
    services.record(actor=worker_a, items=[fever(order)], slot=1)
    check_in = CheckIn.objects.get(order=order)

    with pytest.raises(PermissionDenied):
        services.handle_alert(actor=worker_a, check_in=check_in)


def test_a_new_fever_after_a_handled_one_is_a_new_alert(city, worker_a, officer):
    order = running_order(city.person_a)
    services.record(actor=worker_a, items=[fever(order)], slot=1)
    services.handle_alert(actor=officer, check_in=CheckIn.objects.get(order=order))
    services.record(actor=worker_a, items=[CheckInInput(order_id=order.pk)], slot=1)

    services.record(actor=worker_a, items=[fever(order, "38.5")], slot=1)

    assert services.open_alerts(officer).count() == 1


def test_a_normal_check_in_is_not_an_alert(city, worker_a, officer):
    order = running_order(city.person_a)
    services.record(actor=worker_a, items=[CheckInInput(order_id=order.pk)], slot=1)

    with pytest.raises(ValidationError):
        services.handle_alert(actor=officer, check_in=CheckIn.objects.get(order=order))


def test_the_alerts_page_lists_and_handles(city, worker_a, officer):
    order = running_order(city.person_a)
    services.record(actor=worker_a, items=[fever(order, "39.0")], slot=1)
    check_in = CheckIn.objects.get(order=order)
    client = signed_in(officer)

    page = client.get("/isolation/check-ins/alerts/")
    handled = client.post(f"/isolation/check-ins/alerts/{check_in.pk}/handle/")

    assert page.status_code == 200
    assert "王*明" in page.content.decode() and "39.0" in page.content.decode()
    assert handled.status_code == 302
    assert "没有待处理的发热预警" in client.get("/isolation/check-ins/alerts/").content.decode()

from django.urls import reverse

from fangyi.core.models import AccessEvent
from tests.support import signed_in


def test_reveal_needs_a_reason(city, worker_a):
    response = signed_in(worker_a).post(
        reverse("people:person-reveal", args=[city.person_a.pk]), {"reason": " "}
    )
    assert response.status_code == 200
    assert "13800000001" not in response.content.decode()
    assert not AccessEvent.objects.exists()


def test_reveal_shows_plain_values_once_and_logs_it(city, worker_a):
    client = signed_in(worker_a)
    response = client.post(
        reverse("people:person-reveal", args=[city.person_a.pk]), {"reason": "电话通知核酸检测"}
    )
    html = response.content.decode()
    assert "王小明" in html and "13800000001" in html and city.person_a.id_number in html
    event = AccessEvent.objects.get()
    assert event.actor == worker_a
    assert event.reason == "电话通知核酸检测"
    assert event.object_id == str(city.person_a.pk)
    assert event.fields == ["name", "id_number", "phone"]
    again = client.get(reverse("people:person-detail", args=[city.person_a.pk])).content.decode()
    assert "13800000001" not in again


def test_htmx_reveal_returns_the_card_only(city, worker_a):
    response = signed_in(worker_a).post(
        reverse("people:person-reveal", args=[city.person_a.pk]),
        {"reason": "上门送药"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert 'id="person-identity"' in html and "<html" not in html
    assert "13800000001" in html


def test_volunteer_may_not_reveal(city, volunteer_a):
    response = signed_in(volunteer_a).post(
        reverse("people:person-reveal", args=[city.person_a.pk]), {"reason": "想看看"}
    )
    assert response.status_code == 403
    assert not AccessEvent.objects.exists()


def test_reveal_needs_post(city, worker_a):
    response = signed_in(worker_a).get(reverse("people:person-reveal", args=[city.person_a.pk]))
    assert response.status_code == 405

from fangyi.core.models import AccessEvent
from tests.support import send

from ..factories import PersonFactory


def test_reveal_returns_plain_text_and_logs_it(as_worker_a, worker_a, city):
    person = city.person_a

    response = send(
        as_worker_a, "post", f"/api/v1/persons/{person.pk}/reveal", {"reason": "上门核酸采样"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": str(person.pk),
        "name": "王小明",
        "id_number": person.id_number,
        "phone": "13800000001",
    }
    event = AccessEvent.objects.get(object_id=str(person.pk))
    assert (event.actor, event.kind, event.reason) == (worker_a, "reveal", "上门核酸采样")
    assert event.fields == ["name", "id_number", "phone"]
    assert event.via == "api"


def test_reveal_only_the_fields_asked_for(as_worker_a, city):
    url = f"/api/v1/persons/{city.person_a.pk}/reveal"

    response = send(as_worker_a, "post", url, {"reason": "电话通知", "fields": ["phone"]})

    assert response.json() == {"id": str(city.person_a.pk), "phone": "13800000001"}
    assert AccessEvent.objects.get().fields == ["phone"]


def test_reveal_needs_a_reason(as_worker_a, city):
    url = f"/api/v1/persons/{city.person_a.pk}/reveal"

    response = send(as_worker_a, "post", url, {"reason": " "})

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "reason"
    assert not AccessEvent.objects.exists()


def test_household_reveal_logs_one_event_per_member(as_worker_a, city):
    second = PersonFactory(household=city.household_a, name="王芳", phone="13800000077")
    url = f"/api/v1/households/{city.household_a.pk}/reveal"

    response = send(as_worker_a, "post", url, {"reason": "送药上门"})

    assert response.status_code == 200
    members = {m["id"]: m for m in response.json()["members"]}
    assert members[str(second.pk)]["name"] == "王芳"
    assert members[str(city.person_a.pk)]["phone"] == "13800000001"
    logged = AccessEvent.objects.filter(reason="送药上门")
    assert sorted(e.object_id for e in logged) == sorted(members)

"""A resident appeals one of their own facts or a zone they live in."""

import datetime

from django.utils import timezone

from fangyi.health import services as health
from fangyi.health.models import Appeal, FactKind
from tests.support import as_resident, post


def _close_contact(person, actor):
    return health.record_fact(
        actor=actor,
        source="manual",
        person=person,
        kind=FactKind.CLOSE_CONTACT,
        occurred_at=timezone.now() - datetime.timedelta(hours=2),
    )


def test_appealing_my_own_fact(city, worker_a):
    fact = _close_contact(city.person_a, worker_a)

    response = post(
        as_resident(city.person_a),
        "/api/v1/me/appeals",
        {"fact": str(fact.pk), "reason": "当天我不在现场"},
    )

    assert response.status_code == 201
    appeal = Appeal.objects.get()
    assert appeal.person == city.person_a and appeal.fact == fact
    assert appeal.on_behalf is False and appeal.filed_by is None
    listed = as_resident(city.person_a).get("/api/v1/me/appeals").json()
    assert [item["id"] for item in listed] == [str(appeal.pk)]


def test_someone_else_s_fact_cannot_be_appealed(city, officer):
    fact = _close_contact(city.person_b, officer)

    response = post(
        as_resident(city.person_a),
        "/api/v1/me/appeals",
        {"fact": str(fact.pk), "reason": "不是我"},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "fact"
    assert not Appeal.objects.exists()


def test_appealing_a_zone_i_live_in(city, officer):
    zone = health.draw_zone(
        actor=officer, kind=_zone_kind(), regions=[city.building_a], reason="病例居住楼栋"
    )

    mine = post(
        as_resident(city.person_a),
        "/api/v1/me/appeals",
        {"zone": str(zone.pk), "reason": "我已搬离该楼"},
    )
    not_mine = post(
        as_resident(city.person_b),
        "/api/v1/me/appeals",
        {"zone": str(zone.pk), "reason": "我已搬离该楼"},
    )

    assert mine.status_code == 201
    assert not_mine.status_code == 422
    assert Appeal.objects.get().zone == zone


def test_an_appeal_needs_a_reason(city, worker_a):
    fact = _close_contact(city.person_a, worker_a)

    response = post(
        as_resident(city.person_a), "/api/v1/me/appeals", {"fact": str(fact.pk), "reason": " "}
    )

    assert response.status_code == 422


def _zone_kind() -> str:
    from fangyi.health.models import Policy

    return Policy.objects.in_force().parameters["zone_kinds"][0]["code"]

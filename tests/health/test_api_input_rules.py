"""What the health API says about input beyond refusing it: the size limit of a batch, the
zone kinds it knows, and a zone lifted twice. (Refusals of every route are in tests/scope.)"""

import datetime

from django.utils import timezone

from fangyi.health import services
from fangyi.health.models import Fact
from tests.support import client_for, send


def _fact(city, **fields):
    occurred_at = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    fact = {"person": str(city.person_a.pk), "kind": "close_contact", "occurred_at": occurred_at}
    return fact | fields


def test_a_body_over_the_size_limit_is_413(city, officer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = [_fact(city, source_ref=f"TUBE-{n}") for n in range(200)]

    response = send(client_for(officer), "post", "/api/v1/health/facts", body)

    assert response.status_code == 413
    assert "分批" in response.json()["detail"]
    assert not Fact.objects.exists()


def test_an_unknown_zone_kind_names_the_valid_ones(city, officer):
    body = {"kind": "sealed", "regions": [city.building_a.code], "reason": "新增阳性病例"}

    response = send(client_for(officer), "post", "/api/v1/zones", body)

    message = response.json()["detail"][0]["message"]
    for code in ("high", "medium", "low"):
        assert code in message


def test_lifting_twice_is_422(city, officer):
    zone = services.draw_zone(actor=officer, kind="low", regions=[city.grid_a], reason="邻近病例")
    client, url = client_for(officer), f"/api/v1/zones/{zone.pk}/lift"

    assert send(client, "post", url, {"reason": "风险解除"}).status_code == 200
    again = send(client, "post", url, {"reason": "风险解除"})

    assert again.status_code == 422
    assert again.json()["detail"][0]["message"] == "该区域已经解除。"

"""Nothing personal in Open311's public answers: no caller, no door, no psychological help,
and only the descriptions filers wrote for the public."""

import pytest
from django.test import Client

from fangyi.hotline.models import Ticket

from .support import NOON, now_is, partner_key, phone_ticket

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


@pytest.fixture
def tickets(city, superuser, monkeypatch):
    now_is(NOON, monkeypatch)
    phoned = phone_ticket(city.building_a)
    confidential = phone_ticket(
        city.building_b, category="psychological", description="独居老人情绪低落"
    )
    key = partner_key(city.district, superuser)
    Client().post(
        f"{BASE}/requests.json",
        {
            "api_key": key,
            "service_code": "utilities",
            "description": "三坊社区 2 号楼停水",
            "address_id": city.building_b.code,
            "first_name": "秀英",
            "last_name": "李",
            "phone": "13900000002",
        },
    )
    filed = Ticket.objects.get(channel="open311")
    return phoned, confidential, filed


def answers() -> list[str]:
    texts = []
    for fmt in ("json", "xml"):
        texts.append(Client().get(f"{BASE}/requests.{fmt}").content.decode())
        texts.append(Client().get(f"{BASE}/services.{fmt}").content.decode())
        for ticket in Ticket.objects.all():
            texts.append(Client().get(f"{BASE}/requests/{ticket.number}.{fmt}").content.decode())
    return texts


def test_no_caller_and_no_door_in_any_answer(tickets):
    phoned, _confidential, filed = tickets
    assert filed.caller_name == "李秀英" and filed.caller_phone == "13900000002"
    for text in answers():
        for secret in ("王小明", "13800000001", "李秀英", "13900000002", "1号楼", "2号楼", "101"):
            assert secret not in text


def test_psychological_help_is_neither_a_service_nor_a_request(tickets):
    _phoned, confidential, _filed = tickets
    codes = [service["service_code"] for service in Client().get(f"{BASE}/services.json").json()]
    assert "psychological" not in codes
    listed = Client().get(f"{BASE}/requests.json").json()
    assert confidential.number not in [request["service_request_id"] for request in listed]
    assert Client().get(f"{BASE}/requests/{confidential.number}.json").status_code == 404
    assert Client().get(f"{BASE}/services/psychological.json").status_code == 404
    for text in answers():
        assert "情绪低落" not in text


def test_only_open311_filers_descriptions_are_public_and_places_stop_at_the_community(
    tickets, city
):
    phoned, _confidential, filed = tickets
    by_id = {
        request["service_request_id"]: request
        for request in Client().get(f"{BASE}/requests.json").json()
    }
    assert by_id[phoned.number]["description"] == "食品和生活物资"
    assert by_id[filed.number]["description"] == "三坊社区 2 号楼停水"
    for request in by_id.values():
        assert request["address_id"] == city.community.code
        assert request["address"] == "福州市鼓楼区东街街道三坊社区"
        assert request["status_notes"] == "已受理，待派单"

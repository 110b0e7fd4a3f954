"""Every Open311 answer against GeoReport v2's field lists, in JSON and in XML."""

from xml.etree import ElementTree

import pytest
from django.test import Client

from fangyi.hotline.open311.public import REQUEST_FIELDS, SERVICE_FIELDS

from .support import NOON, now_is, partner_key, phone_ticket

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
ERROR_FIELDS = ("code", "description")
POST_FIELDS = ("service_request_id", "service_notice", "account_id")


@pytest.fixture
def filed(city, superuser, monkeypatch):
    now_is(NOON, monkeypatch)
    phone_ticket(city.building_a)
    key = partner_key(city.district, superuser)
    response = Client().post(
        f"{BASE}/requests.json",
        {
            "api_key": key,
            "service_code": "utilities",
            "description": "三坊社区停水",
            "address_id": city.community.code,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()[0]["service_request_id"]


def xml_items(response, root: str, item: str) -> list[dict]:
    assert response["Content-Type"].startswith("text/xml")
    tree = ElementTree.fromstring(response.content)
    assert tree.tag == root
    assert all(child.tag == item for child in tree)
    return [{field.tag: field.text for field in child} for child in tree]


def test_services_have_the_standard_fields():
    services = Client().get(f"{BASE}/services.json").json()
    assert services and all(tuple(service) == SERVICE_FIELDS for service in services)
    assert all(
        service["type"] == "realtime" and service["metadata"] is False for service in services
    )
    listed = xml_items(Client().get(f"{BASE}/services.xml"), "services", "service")
    assert [tuple(service) for service in listed] == [SERVICE_FIELDS] * len(services)
    assert [service["service_code"] for service in listed] == [s["service_code"] for s in services]


def test_a_service_definition_has_its_code_and_attributes():
    assert Client().get(f"{BASE}/services/food.json").json() == {
        "service_code": "food",
        "attributes": [],
    }
    tree = ElementTree.fromstring(Client().get(f"{BASE}/services/food.xml").content)
    assert tree.tag == "service_definition"
    assert [child.tag for child in tree] == ["service_code", "attributes"]


def test_requests_have_the_standard_fields_in_json_and_xml(filed):
    listed = Client().get(f"{BASE}/requests.json").json()
    assert len(listed) == 2 and all(tuple(request) == REQUEST_FIELDS for request in listed)
    assert {request["status"] for request in listed} == {"open"}
    as_xml = xml_items(Client().get(f"{BASE}/requests.xml"), "service_requests", "request")
    assert [tuple(request) for request in as_xml] == [REQUEST_FIELDS] * 2
    assert [r["service_request_id"] for r in as_xml] == [r["service_request_id"] for r in listed]
    one = Client().get(f"{BASE}/requests/{filed}.json").json()
    assert len(one) == 1 and tuple(one[0]) == REQUEST_FIELDS
    assert one[0]["service_code"] == "utilities"
    assert one[0]["requested_datetime"] == "2026-12-02T10:00:00+08:00"
    assert one[0]["expected_datetime"] > one[0]["requested_datetime"]
    assert one[0]["service_notice"] == "3 个工作日内办结"
    single = xml_items(Client().get(f"{BASE}/requests/{filed}.xml"), "service_requests", "request")
    assert single[0]["service_request_id"] == filed


def test_the_answer_to_a_post_has_its_three_fields_in_json_and_xml(city, superuser):
    key = partner_key(city.district, superuser)
    body = {
        "api_key": key,
        "service_code": "food",
        "description": "缺米",
        "lat": "26.08",
        "long": "119.29",
    }
    answer = Client().post(f"{BASE}/requests.json", body).json()
    assert tuple(answer[0]) == POST_FIELDS and answer[0]["service_request_id"].startswith("12345-")
    as_xml = xml_items(Client().post(f"{BASE}/requests.xml", body), "service_requests", "request")
    assert tuple(as_xml[0]) == POST_FIELDS


@pytest.mark.parametrize(
    "method, url, body, status",
    [
        ("get", "/services/nothing", None, 404),
        ("get", "/requests/12345-20000101-000001", None, 404),
        ("get", "/requests", {"status": "pending"}, 400),
        ("get", "/requests", {"page_size": "101"}, 400),
        ("get", "/requests", {"start_date": "yesterday"}, 400),
        ("post", "/requests", {"api_key": "wrong", "service_code": "food"}, 403),
    ],
)
def test_errors_are_a_list_of_code_and_description(db, method, url, body, status):
    response = getattr(Client(), method)(f"{BASE}{url}.json", body or {})
    assert response.status_code == status
    errors = response.json()
    assert [tuple(error) for error in errors] == [ERROR_FIELDS]
    assert errors[0]["code"] == status and errors[0]["description"]
    as_xml = getattr(Client(), method)(f"{BASE}{url}.xml", body or {})
    assert as_xml.status_code == status
    assert [tuple(error) for error in xml_items(as_xml, "errors", "error")] == [ERROR_FIELDS]

"""A service request's field names against GeoReport v2's own list, written out here rather
than read from the code's constant: a name that drifts from the standard (as
`agency_responded` once did for `agency_responsible`) fails here, in JSON and in XML."""

from xml.etree import ElementTree

import pytest
from django.test import Client

from .support import NOON, now_is, phone_ticket, unit_of

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
# GeoReport v2, GET Service Requests: the response's fields, in the standard's order.
GEOREPORT_V2_REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def dispatched(city, monkeypatch):
    now_is(NOON, monkeypatch)
    unit = unit_of(city.district)
    return phone_ticket(city.building_a, state="dispatched", unit=unit), unit


def xml_requests(response) -> list[ElementTree.Element]:
    tree = ElementTree.fromstring(response.content)
    assert tree.tag == "service_requests"
    return list(tree)


def test_json_requests_carry_exactly_the_standard_names(dispatched):
    ticket, unit = dispatched
    listed = Client().get(f"{BASE}/requests.json").json()
    one = Client().get(f"{BASE}/requests/{ticket.number}.json").json()
    for answer in (listed, one):
        assert len(answer) == 1
        assert list(answer[0]) == GEOREPORT_V2_REQUEST_FIELDS
        assert answer[0]["agency_responsible"] == unit.name


def test_xml_requests_carry_exactly_the_standard_names(dispatched):
    ticket, unit = dispatched
    for url in (f"{BASE}/requests.xml", f"{BASE}/requests/{ticket.number}.xml"):
        (request,) = xml_requests(Client().get(url))
        assert [field.tag for field in request] == GEOREPORT_V2_REQUEST_FIELDS
        assert request.findtext("agency_responsible") == unit.name


def test_a_ticket_not_yet_dispatched_names_no_agency(city, monkeypatch):
    now_is(NOON, monkeypatch)
    ticket = phone_ticket(city.building_a)
    (answer,) = Client().get(f"{BASE}/requests/{ticket.number}.json").json()
    assert answer["agency_responsible"] is None

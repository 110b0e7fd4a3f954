"""An Open311 client library, used unchanged, against a live server: `georeport` (PyPI,
maintained, Python 3.9-3.13) reads services, a definition, filtered requests and one request
in JSON and in XML. It has no call to file a request (nor have the others on PyPI that run
on Python 3: `open311` 1.1 and `three` 0.8 are Python 2 code), so filing is posted as the
standard says, form-encoded, with `requests`, the library's own HTTP client."""

import pytest
import requests
from georeport import GeoReport

from fangyi.hotline.open311.public import REQUEST_FIELDS

from .support import partner_key, phone_ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(live_server, city, superuser):
    phone_ticket(city.building_a)
    key = partner_key(city.district, superuser)
    answer = requests.post(
        f"{live_server.url}/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": "utilities",
            "description": "停水",
            "address_id": city.community.code,
        },
        timeout=10,
    )
    assert answer.status_code == 201
    return f"{live_server.url}/open311/v2", answer.json()[0]["service_request_id"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_every_resource(endpoint, fmt):
    root, filed = endpoint
    client = GeoReport(root, output_format=fmt)
    services = client.get_service_list()
    assert "utilities" in [service["service_code"] for service in services]
    definition = client.get_service_definition("utilities")
    assert definition["service_code"] == "utilities"
    listed = client.get_service_requests()
    assert len(listed) == 2 and all(set(request) == set(REQUEST_FIELDS) for request in listed)
    only = client.get_service_requests(service_code="utilities", status="open")
    # xmltodict gives one element as a dict, several as a list.
    only = only if isinstance(only, list) else [only]
    assert [request["service_request_id"] for request in only] == [filed]
    one = client.get_service_request(filed)
    assert one["service_request_id"] == filed and one["status"] == "open"
    with pytest.raises(requests.HTTPError):
        client.get_service_definition("psychological")

"""The lab's API: receive, results and the tube list; hostile input is 4xx JSON, never 500;
labs never see a name; only the lab may write."""

import pytest

from fangyi.health.models import Fact
from fangyi.screening.models import Tube
from tests.support import client_for, send

from .lab_support import ago, filled_tube, lab_user, residents

pytestmark = pytest.mark.django_db

RECEIVE = "/api/v1/screening/lab/receive"
RESULTS = "/api/v1/screening/results"
TUBES = "/api/v1/screening/lab/tubes"
GOOD = {"tube": "N0001", "result": "negative", "tested_at": "2022-04-01T08:00:00+08:00"}


@pytest.fixture
def tubes(city, sampler, site, round_now):
    members = residents(city, 10)
    filled_tube(sampler, site, "N0001", members)
    filled_tube(sampler, site, "P0001", residents(city, 5))
    return members


def test_receive_then_results_then_list(city, tubes):
    client = client_for(lab_user(city))
    response = send(client, "post", RECEIVE, {"barcodes": ["N0001", "N0001"]})
    assert response.status_code == 200 and response.json() == {"received": 1, "unchanged": 0}
    assert send(client, "post", RECEIVE, {"barcodes": ["N0001"]}).json()["unchanged"] == 1
    tested_at = ago(minutes=5).isoformat()
    response = send(
        client,
        "post",
        RESULTS,
        {
            "results": [
                {"tube": "N0001", "result": "negative", "tested_at": tested_at, "ct_value": 37},
                {"tube": "P0001", "result": "positive", "tested_at": tested_at},
            ]
        },
    )
    assert response.status_code == 200, response.content
    counts = response.json()
    assert (counts["resulted"], counts["negative"], counts["positive"]) == (2, 1, 1)
    assert (counts["facts"], counts["tasks"], counts["recomputed"]) == (15, 5, 5)
    listed = client.get(TUBES, {"state": "resulted"}).json()
    assert {item["barcode"] for item in listed["items"]} == {"N0001", "P0001"}
    item = next(item for item in listed["items"] if item["barcode"] == "N0001")
    assert (item["result"], item["ct_value"], item["pool_size"], item["kind"]) == (
        "negative",
        37.0,
        10,
        "pooled",
    )
    assert item["state_name"] == "已出结果" and item["received_at"] is not None


def test_the_list_pages_and_names_no_one(city, tubes, round_now):
    client = client_for(lab_user(city))
    first = client.get(TUBES, {"limit": 1, "round": str(round_now.pk)}).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = client.get(TUBES, {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert {first["items"][0]["barcode"], second["items"][0]["barcode"]} == {"N0001", "P0001"}
    body = client.get(TUBES).content.decode()
    for person in tubes:
        assert person.name not in body and str(person.pk) not in body
    assert "person" not in body and "members" not in body
    # The samplers' tube API shows members: not to a lab.
    assert client.get("/api/v1/screening/tubes/N0001").status_code == 404


def test_only_the_lab_writes(city, tubes, sampler, worker_a, officer):
    for user in (sampler, worker_a, officer):
        client = client_for(user)
        assert send(client, "post", RECEIVE, {"barcodes": ["N0001"]}).status_code == 403
        assert send(client, "post", RESULTS, {"results": [GOOD]}).status_code == 403
    assert client_for(worker_a).get(TUBES).status_code == 403
    assert client_for(officer).get(TUBES).json()["items"] != []
    assert Tube.objects.get(barcode="N0001").state == "closed"


def test_service_errors_name_the_body_field(city, tubes):
    client = client_for(lab_user(city))
    response = send(
        client,
        "post",
        RESULTS,
        {
            "results": [
                GOOD | {"tested_at": ago(minutes=5).isoformat()},
                GOOD | {"tube": "X0001", "tested_at": ago(minutes=5).isoformat()},
                GOOD | {"tube": "P0001", "tested_at": ago(days=1).isoformat()},
            ]
        },
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["detail"]}
    assert fields == {"results.1.tube", "results.2.tested_at"}
    response = send(client, "post", RECEIVE, {"barcodes": ["N0001", "X0001", "bad code"]})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["barcodes.2"]
    assert not Fact.objects.filter(source="lab").exists()


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"results": None},
        {"results": []},
        {"results": "all negative"},
        {"results": [None]},
        {"results": [{}]},
        {"results": [GOOD | {"result": "positive-ish"}]},
        {"results": [GOOD | {"result": None}]},
        {"results": [GOOD | {"tube": "\x00"}]},
        {"results": [GOOD | {"tube": "x" * 100}]},
        {"results": [GOOD | {"tube": 12345}]},
        {"results": [GOOD | {"ct_value": -1}]},
        {"results": [GOOD | {"ct_value": 51}]},
        {"results": [GOOD | {"ct_value": "NaN"}]},
        {"results": [GOOD | {"ct_value": "high"}]},
        {"results": [GOOD | {"tested_at": "yesterday"}]},
        {"results": [GOOD | {"tested_at": "0001-01-01T00:00:00+08:00"}]},
        {"results": [GOOD | {"tested_at": "9999-12-31T23:59:59"}]},
        {"results": [GOOD | {"person": "王小明"}]},
        {"results": [GOOD] * 10_001},
    ],
)
def test_malformed_result_batches_are_422(city, tubes, body):
    response = send(client_for(lab_user(city)), "post", RESULTS, body)
    assert response.status_code == 422, response.content[:300]
    assert isinstance(response.json()["detail"], list)
    assert not Tube.objects.filter(state="resulted").exists()


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        {"barcodes": []},
        {"barcodes": "N0001"},
        {"barcodes": [None]},
        {"barcodes": [1]},
        {"barcodes": ["\x00"]},
        {"barcodes": ["x" * 10_000]},
        {"barcodes": ["N0001"] * 10_001},
        {"barcodes": ["N0001"], "lab": "x"},
    ],
)
def test_malformed_receive_batches_are_422(city, tubes, body):
    response = send(client_for(lab_user(city)), "post", RECEIVE, body)
    assert response.status_code == 422, response.content[:300]
    assert not Tube.objects.filter(state="received").exists()


@pytest.mark.parametrize(
    "query",
    [
        {"state": "lost"},
        {"round": "not-a-uuid"},
        {"limit": 0},
        {"limit": 100_000},
        {"cursor": "garbage"},
        {"cursor": "WyJ4IiwgInkiXQ"},
    ],
)
def test_bad_list_queries_are_422(city, tubes, query):
    response = client_for(lab_user(city)).get(TUBES, query)
    assert response.status_code == 422, response.content[:300]


def test_junk_bodies_are_4xx(city, tubes):
    client = client_for(lab_user(city))
    for url in (RECEIVE, RESULTS):
        for raw in ("{not json", "\x00", "9" * 1000, '{"results": [' * 500):
            response = client.post(url, raw, content_type="application/json")
            assert 400 <= response.status_code < 500, (url, raw[:20], response.status_code)

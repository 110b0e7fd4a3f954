"""Hostile or careless input to the health API answers 4xx JSON, never a 500, never a write."""

import datetime

import pytest
from django.utils import timezone

from fangyi.health import services
from fangyi.health.models import Fact, Zone
from tests.support import client_for, send

FACTS = "/api/v1/health/facts"


@pytest.fixture
def client(officer):
    return client_for(officer)


def _fact(city, **fields):
    occurred_at = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    return {
        "person": str(city.person_a.pk),
        "kind": "close_contact",
        "occurred_at": occurred_at,
    } | (fields)


def _fields(response) -> set[str | None]:
    assert response.status_code == 422, response.content
    return {error["field"] for error in response.json()["detail"]}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"person": 5}, "person"),
        ({"person": "not-a-uuid"}, "person"),
        ({"kind": "sneeze"}, "kind"),
        ({"kind": 5}, "kind"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": []}, "occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00"}, "occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00+08:00"}, "occurred_at"),
        ({"occurred_at": "9999-12-31T23:59:59"}, "occurred_at"),
        ({"occurred_at": "2019-06-01T08:00:00"}, "occurred_at"),
        ({"outcome": True}, "outcome"),
        ({"details": "发热"}, "details"),
        ({"details": {"note": "a\x00b"}}, "details"),
        ({"details": {"a\x00": 1}}, "details"),
        ({"details": {"deep": [[{"x": float("nan")}]]}}, "details"),
        ({"source_ref": "TUBE\x00"}, "source_ref"),
        ({"source_ref": "x" * 101}, "source_ref"),
        ({"colour": "red"}, "colour"),
        ({"retracts": "not-a-uuid"}, "retracts"),
    ],
)
def test_a_bad_fact_field_is_422_on_that_field(city, client, fields, field):
    response = send(client, "post", FACTS, _fact(city, **fields))

    assert field in _fields(response)
    assert not Fact.objects.exists()


@pytest.mark.parametrize("raw", ['"hello"', "5", "null", "[null]", "[[]]", "true"])
def test_a_body_that_is_neither_a_fact_nor_a_list_of_facts_is_422(city, client, raw):
    response = client.post(FACTS, raw, content_type="application/json")

    assert response.status_code == 422


@pytest.mark.parametrize("raw", ["{", "[" * 100_000, '{"person": ' + "9" * 5_000 + "}", "\x00"])
def test_a_body_that_is_not_json_is_400(city, client, raw):
    response = client.post(FACTS, raw, content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.json()


def test_a_body_over_the_size_limit_is_413(city, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = [_fact(city, source_ref=f"TUBE-{n}") for n in range(200)]

    response = send(client, "post", FACTS, body)

    assert response.status_code == 413
    assert "分批" in response.json()["detail"]
    assert not Fact.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "sealed"}, "kind"),
        ({"kind": "high\x00"}, "kind"),
        ({"regions": []}, "regions"),
        ({"regions": "350102"}, "regions"),
        ({"regions": ["\x00"]}, "regions.0"),
        ({"regions": ["999999"]}, "regions"),
        ({"regions": ["1"] * 1001}, "regions"),
        ({"reason": "x" * 2001}, "reason"),
        ({"starts_at": "0001-01-01T00:00:00"}, "starts_at"),
        ({"starts_at": "9999-12-31T23:59:59+08:00"}, "starts_at"),
        ({"name": 5}, "name"),
        ({"radius": 500}, "radius"),
    ],
)
def test_a_bad_zone_is_422_on_that_field(city, client, fields, field):
    body = {"kind": "high", "regions": [city.building_a.code], "reason": "新增阳性病例"} | fields

    response = send(client, "post", "/api/v1/zones", body)

    assert field in _fields(response)
    assert not Zone.objects.exists()


def test_an_unknown_zone_kind_names_the_valid_ones(city, client):
    body = {"kind": "sealed", "regions": [city.building_a.code], "reason": "新增阳性病例"}

    message = send(client, "post", "/api/v1/zones", body).json()["detail"][0]["message"]

    for code in ("high", "medium", "low"):
        assert code in message


def test_lifting_twice_is_422(city, client, officer):
    zone = services.draw_zone(actor=officer, kind="low", regions=[city.grid_a], reason="邻近病例")
    url = f"/api/v1/zones/{zone.pk}/lift"

    assert send(client, "post", url, {"reason": "风险解除"}).status_code == 200
    again = send(client, "post", url, {"reason": "风险解除"})

    assert again.status_code == 422
    assert again.json()["detail"][0]["message"] == "该区域已经解除。"


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/health/appeals", {"person": None, "reason": "x"}, "person"),
        ("/api/v1/health/appeals", {"person": "x", "reason": "x"}, "person"),
        ("/api/v1/health/decisions", {"colour": "purple"}, "colour"),
        ("/api/v1/health/decisions", {"expires_at": "0001-01-01T00:00:00"}, "expires_at"),
        ("/api/v1/health/decisions", {"expires_at": "9999-12-31T23:59:59"}, "expires_at"),
        ("/api/v1/health/decisions", {"reason": "理由\x00很长很长很长很长"}, "reason"),
    ],
)
def test_bad_appeals_and_decisions_are_422(city, client, url, body, field):
    defaults = {
        "person": str(city.person_a.pk),
        "colour": "red",
        "reason": "居民从境外返回，尚无入境记录",
        "expires_at": (timezone.now() + datetime.timedelta(hours=24)).isoformat(),
    }
    if url.endswith("appeals"):
        defaults = {"person": defaults["person"]}

    assert field in _fields(send(client, "post", url, defaults | body))


PAGING = [
    ({"cursor": "\x00"}, "cursor"),
    ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
    ({"limit": 10**30}, "limit"),
]
STATE = [({"state": "\x00"}, "state"), ({"state": "everything"}, "state")]


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (url, params, field)
        for url in ("/api/v1/zones", "/api/v1/health/appeals", "/api/v1/health/decisions")
        for params, field in PAGING + STATE
    ]
    + [("{facts}", params, field) for params, field in PAGING],
)
def test_bad_list_parameters_are_422(city, client, url, params, field):
    url = url.format(facts=f"/api/v1/persons/{city.person_a.pk}/facts")

    assert field in _fields(client.get(url, params))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/persons/not-a-uuid/facts",
        "/api/v1/persons/not-a-uuid/status",
        "/api/v1/zones/not-a-uuid",
        "/api/v1/zones/%00",
    ],
)
def test_a_malformed_id_in_the_url_is_404(city, client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/health/facts/not-a-uuid/retract", {"reason": "x"}),
        ("/api/v1/zones/not-a-uuid/lift", {"reason": "x"}),
        ("/api/v1/health/policies/not-a-uuid/activate", None),
        ("/api/v1/health/appeals/not-a-uuid/decide", {"accept": True, "note": "x"}),
        ("/api/v1/health/decisions/not-a-uuid/approve", {"approve": True}),
        ("/api/v1/health/decisions/not-a-uuid/revoke", {"note": "x"}),
    ],
)
def test_a_malformed_id_in_an_action_is_404(city, client, url, body):
    response = client.post(url, body, content_type="application/json") if body else client.post(url)

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"accept": "maybe", "note": "x"}, "accept"),
        ({"accept": [], "note": "x"}, "accept"),
        ({"accept": True}, "note"),
        ({"accept": True, "note": "  "}, "note"),
    ],
)
def test_a_bad_appeal_decision_is_422(city, client, second_officer, body, field):
    fact = services.record_fact(
        actor=second_officer,
        source="manual",
        person=city.person_a,
        kind="close_contact",
        occurred_at=timezone.now() - datetime.timedelta(hours=3),
    )
    appeal = services.file_appeal(
        actor=second_officer, person=city.person_a, fact=fact, reason="未接触"
    )

    response = send(client, "post", f"/api/v1/health/appeals/{appeal.pk}/decide", body)

    assert field in _fields(response)

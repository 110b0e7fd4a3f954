"""Filing a request with a partner's key: the key kept hashed, bounded to its region, refused
when wrong or revoked (and counted, then limited), and the ticket taken in as any new one and
routed by the rules at once."""

import pytest
from django.test import Client

from fangyi.core.models import ObjectChange
from fangyi.hotline import services as hotline
from fangyi.hotline.models import Category, Channel, EventKind, Open311Key, State, Ticket
from fangyi.hotline.open311 import services

from .support import NOON, now_is, partner_key

pytestmark = pytest.mark.django_db

URL = "/open311/v2/requests.json"


def body(key: str, **extra) -> dict:
    return {"api_key": key, "service_code": "food", "description": "家里缺米", **extra}


def test_a_filed_request_is_a_new_ticket_with_channel_open311(city, superuser, monkeypatch):
    now_is(NOON, monkeypatch)
    key = partner_key(city.district, superuser)
    stored = Open311Key.objects.get()
    assert key not in (stored.digest, stored.prefix) and stored.digest == services.digest_of(key)
    response = Client().post(URL, body(key, address_id=city.community.code, phone="138-0000-0009"))
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.state, ticket.region) == (
        Channel.OPEN311,
        State.NEW,
        city.community,
    )
    assert ticket.number == response.json()[0]["service_request_id"] == "12345-20261202-000001"
    assert ticket.caller_phone == "13800000009"
    assert ticket.received_at == NOON and ticket.warn_at < ticket.due_at
    assert ticket.events.get().kind == EventKind.INTAKE
    assert Open311Key.objects.get().last_used_at == NOON


def test_a_filed_request_goes_to_the_unit_the_rules_give(city, superuser):
    team = hotline.create_unit(
        actor=superuser,
        code="community-team",
        name="三坊社区专班",
        kind="community",
        region=city.community,
    )
    hotline.create_rule(actor=superuser, region=city.district, place_level="community")
    key = partner_key(city.district, superuser)
    assert Client().post(URL, body(key, address_id=city.community.code)).status_code == 201
    ticket = Ticket.objects.get()
    assert (ticket.state, ticket.unit) == (State.DISPATCHED, team)
    assert ticket.dispatched_at is not None
    dispatched = ticket.events.get(kind=EventKind.DISPATCH)
    assert (dispatched.actor, dispatched.actor_name, dispatched.unit) == (None, "open311", team)
    change = ObjectChange.objects.filter(object_id=str(ticket.pk), action="update").get()
    assert change.via == "open311" and change.after["state"] == State.DISPATCHED


def test_a_filed_request_no_rule_applies_to_waits_for_a_dispatcher(city, superuser):
    health = hotline.create_unit(
        actor=superuser, code="health", name="区卫健局", kind="department", region=city.district
    )
    hotline.create_rule(
        actor=superuser,
        region=city.district,
        category=Category.objects.get(code="medical"),
        unit=health,
    )
    key = partner_key(city.district, superuser)
    assert Client().post(URL, body(key, address_string="三坊七巷")).status_code == 201
    ticket = Ticket.objects.get()
    assert (ticket.state, ticket.unit) == (State.NEW, None)
    assert not ticket.events.filter(kind=EventKind.DISPATCH).exists()


def test_without_an_address_id_the_ticket_is_in_the_keys_region_to_be_placed(city, superuser):
    key = partner_key(city.district, superuser)
    assert Client().post(URL, body(key, address_string="三坊七巷")).status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.region == city.district and ticket.address == "三坊七巷"
    assert not ticket.place_resolved


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"service_code": "psychological", "address_string": "x"}, "service_code"),
        ({"service_code": "nothing", "address_string": "x"}, "service_code"),
        ({"description": " ", "address_string": "x"}, "description"),
        ({}, "address_string"),
        ({"address_id": "350100"}, "address_id"),
        ({"address_id": "abc"}, "address_id"),
        ({"lat": "north", "long": "east"}, "lat"),
        ({"address_string": "x", "phone": "call me"}, "phone"),
        ({"address_string": "x" * 201}, "address_string"),
    ],
)
def test_bad_requests_are_400s_naming_the_field(city, superuser, extra, field):
    key = partner_key(city.district, superuser)
    response = Client().post(URL, body(key, **extra))
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith(field)
    assert not Ticket.objects.exists()


def test_a_revoked_key_is_refused(city, superuser):
    key = partner_key(city.district, superuser)
    services.revoke_key(actor=superuser, key=Open311Key.objects.get())
    assert Client().post(URL, body(key, address_string="x")).status_code == 403


def test_only_who_sets_up_the_hotline_issues_keys(city, officer, commander):
    with pytest.raises(Exception, match="接口密钥"):
        services.issue_key(actor=officer, partner="App", region=city.district)
    _key, raw = services.issue_key(actor=commander, partner="App", region=city.district)
    assert services.key_for(raw) is not None and services.key_for(raw + "x") is None


def test_wrong_keys_are_limited_by_address(city, superuser, settings):
    settings.FANGYI_RATE_LIMITS = {**settings.FANGYI_RATE_LIMITS, "token-failures": (3, 300)}
    key = partner_key(city.district, superuser)
    for _attempt in range(3):
        assert Client().post(URL, body("guess")).status_code == 403
    refused = Client().post(URL, body(key, address_string="x"))
    assert refused.status_code == 429 and refused["Retry-After"]
    assert refused.json()[0]["code"] == 429
    assert not Ticket.objects.exists()

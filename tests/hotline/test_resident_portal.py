"""A resident's requests to the hotline on the portal: filing one from the page (/me/tickets/)
and through the API (/api/v1/me/tickets), what is refused, whose tickets are listed, and the
limit on filing."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from fangyi.core.models import ObjectChange
from fangyi.hotline import services
from fangyi.hotline.models import Category, EventKind, State, Ticket
from tests.hotline.support import category, take
from tests.support import as_resident, client_for, post, resident_client

pytestmark = pytest.mark.django_db

PAGE = "/me/tickets/"
API = "/api/v1/me/tickets"


def filed_on_page(client, **fields):
    return client.post(PAGE, {"category": "food", "description": "家里没有米了"} | fields)


def local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


# The page


def test_the_first_screen_links_to_the_page(city):
    page = resident_client(city.person_a).get("/me/")
    assert page.status_code == 200
    assert f'href="{PAGE}"' in page.content.decode()


def test_the_page_offers_the_active_tree_with_psychological_help_marked_confidential(city):
    Category.objects.filter(code="return_to_work").update(active=False)
    page = resident_client(city.person_a).get(PAGE)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'value="psychological"' in text and 'value="hospital_line"' in text
    assert 'value="return_to_work"' not in text
    assert "心理援助类诉求保密：只有热线接线员和承办单位能看到。" in text
    assert "还没有提交过诉求。" in text


def test_a_resident_files_from_the_page_and_the_rules_route_it(city, hotline):
    client = resident_client(city.person_a)
    response = filed_on_page(client, address="3单元楼道灯坏了旁边")
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?filed={ticket.pk}"
    assert ticket.channel == "portal"
    assert ticket.caller == city.person_a
    assert ticket.region == city.building_a and ticket.place_resolved
    assert ticket.address == "3单元楼道灯坏了旁边"
    assert ticket.intake_by is None
    # The place's street team, as services.route gives it.
    assert ticket.state == State.DISPATCHED and ticket.unit == hotline.team
    assert ticket.unit == services.route(ticket)
    kinds = list(ticket.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [EventKind.INTAKE, EventKind.DISPATCH]
    changes = ObjectChange.objects.filter(object_id=str(ticket.pk))
    # Both audit rows say a resident acted through the portal.
    assert changes.count() == 2 and {c.via for c in changes} == {"resident"}
    shown = client.get(response["Location"]).content.decode()
    assert f"工单号：{ticket.number}" in shown
    assert f"办理时限：{local(ticket.due_at)} 前" in shown
    assert f'id="my-ticket-{ticket.pk}"' in shown


def test_psychological_help_goes_to_its_unit_and_stays_confidential(city, hotline):
    client = resident_client(city.person_a)
    filed_on_page(client, category="psychological", description="隔离在家，整夜睡不着，很焦虑")
    ticket = Ticket.objects.get()
    assert ticket.confidential and ticket.unit == hotline.health
    # An emergency: due the same day, as the category's kind says.
    deadlines = services.deadlines_for(category("psychological"), "normal", ticket.received_at)
    assert (ticket.warn_at, ticket.due_at) == tuple(deadlines)
    assert ticket.due_at - ticket.received_at <= datetime.timedelta(hours=24)
    assert not Ticket.objects.restrict(hotline.street_officer).filter(pk=ticket.pk).exists()
    assert not Ticket.objects.restrict(hotline.commander).filter(pk=ticket.pk).exists()
    assert Ticket.objects.restrict(hotline.health_officer).filter(pk=ticket.pk).exists()
    assert f'id="my-ticket-{ticket.pk}"' in client.get(PAGE).content.decode()


def test_without_a_rule_the_request_waits_for_the_dispatchers(city):
    filed_on_page(resident_client(city.person_a))
    ticket = Ticket.objects.get()
    assert ticket.state == State.NEW and ticket.unit is None


def test_the_page_in_english(city, hotline):
    client = resident_client(city.person_a)
    client.cookies["django_language"] = "en"
    response = filed_on_page(client, description="")
    text = response.content.decode()
    assert "Ask the 12345 hotline" in text and "Please describe your request." in text
    assert "Place (optional)" in text and "are confidential" in text
    filed = client.get(filed_on_page(client)["Location"]).content.decode()
    ticket = Ticket.objects.get()
    assert f"Ticket number: {ticket.number}" in filed
    assert f"To be handled by {local(ticket.due_at)}" in filed


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": "   "}, "请写明您的诉求。"),
        ({"description": "x" * 2001}, "最多 2000 个字（现有 2001 个）。"),
        ({"category": "weather"}, "没有这个类别，请从列表中选择。"),
        ({"category": ""}, "请选择类别。"),
        ({"address": "楼" * 201}, "最多 200 个字（现有 201 个）。"),
        ({"description": "有\x00空字符"}, "invalid-feedback"),
    ],
)
def test_bad_input_on_the_page_is_said_and_nothing_is_written(city, hotline, fields, message):
    response = filed_on_page(resident_client(city.person_a), **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_stopped_category_is_refused_on_the_page(city, hotline):
    client = resident_client(city.person_a)
    page = client.get(PAGE)
    assert 'value="food"' in page.content.decode()
    # Stopped between showing the form and sending it.
    Category.objects.filter(code="food").update(active=False)
    response = filed_on_page(client)
    assert "没有这个类别，请从列表中选择。" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_resident_sees_only_the_requests_they_filed(city, hotline):
    mine = services.intake_for_resident(
        holder=city.person_a, category=category("utilities"), description="暖气不热"
    )
    neighbours = services.intake_for_resident(
        holder=city.person_b, category=category("food"), description="缺少蔬菜"
    )
    # A call an operator linked to the resident is not theirs to read on the portal.
    called = take(
        hotline.operator,
        city.building_a,
        caller=services.CallerInput(person=city.person_a),
        description="邻居代为来电",
    )
    page = resident_client(city.person_a).get(PAGE).content.decode()
    assert f'id="my-ticket-{mine.pk}"' in page and "暖气不热" in page
    assert str(neighbours.pk) not in page and "缺少蔬菜" not in page
    assert str(called.pk) not in page and "邻居代为来电" not in page
    listed = as_resident(city.person_a).get(API).json()["items"]
    assert [item["id"] for item in listed] == [str(mine.pk)]
    # ?filed= names only one's own ticket.
    other = resident_client(city.person_a).get(f"{PAGE}?filed={neighbours.pk}")
    assert neighbours.number not in other.content.decode()


def test_not_signed_in_is_sent_to_the_login_and_nothing_is_written(city, client):
    shown = client.get(PAGE)
    assert shown.status_code == 302 and shown["Location"].startswith("/me/login/?next=")
    sent = client.post(PAGE, {"category": "food", "description": "家里没有米了"})
    assert sent.status_code == 302 and sent["Location"].startswith("/me/login/")
    assert not Ticket.objects.exists()


# The API


def test_a_resident_files_through_the_api(city, hotline):
    client = as_resident(city.person_b)
    response = post(client, API, {"category": "medicines", "description": "降压药快吃完了"})
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get()
    assert body["id"] == str(ticket.pk) and body["number"] == ticket.number
    assert body["category"] == "medicines" and body["category_name"] == "购药和慢病用药"
    assert body["state"] == "dispatched" and body["address"] == ""
    # The API writes times to the millisecond (Django's JSON encoder); the test failed
    # whenever the limit had microseconds finer than that.
    due_at = ticket.due_at.replace(microsecond=ticket.due_at.microsecond // 1000 * 1000)
    assert datetime.datetime.fromisoformat(body["due_at"]) == due_at
    assert ticket.channel == "portal" and ticket.caller == city.person_b
    assert ticket.region == city.building_b and ticket.unit == hotline.health
    listed = client.get(API).json()
    assert [item["number"] for item in listed["items"]] == [ticket.number]
    assert listed["next_cursor"] is None


def test_the_api_lists_the_categories_in_use(city):
    Category.objects.filter(code="testing").update(active=False)
    response = as_resident(city.person_a).get(f"{API}/categories")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert "testing" not in rows
    assert rows["psychological"]["confidential"] is True
    assert rows["hospital_line"]["parent"] == "medical"
    codes = list(rows)
    assert codes.index("medical") < codes.index("hospital_line")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "food", "description": ""}, "description"),
        ({"category": "food", "description": "  "}, "description"),
        ({"category": "food", "description": "x" * 2001}, "description"),
        ({"category": "weather", "description": "需要帮助"}, "category"),
        ({"category": "food", "description": "需要帮助", "address": "楼" * 201}, "address"),
        ({"category": "food", "description": "需要帮助", "urgency": "urgent"}, "urgency"),
        ({"description": "需要帮助"}, "category"),
    ],
)
def test_bad_input_through_the_api_is_a_422_naming_the_field(city, hotline, body, field):
    response = post(as_resident(city.person_a), API, body)
    assert response.status_code == 422, response.content
    named = {error["field"] for error in response.json()["detail"]}
    assert any(field in (name or "") for name in named), named
    assert not Ticket.objects.exists()


def test_the_api_needs_a_resident_token(city, officer):
    body = {"category": "food", "description": "需要帮助"}
    assert post(Client(), API, body).status_code == 401
    assert Client().get(API).status_code == 401
    # A staff token opens no resident endpoint.
    assert post(client_for(officer), API, body).status_code == 401
    assert not Ticket.objects.exists()


# The limit


def test_filing_is_limited_per_resident_and_refusals_count_nothing(city, hotline, settings):
    settings.FANGYI_RATE_LIMITS = settings.FANGYI_RATE_LIMITS | {"resident-tickets": (2, 3600)}
    client = as_resident(city.person_a)
    assert post(client, API, {"category": "food", "description": ""}).status_code == 422
    for text in ("第一件", "第二件"):
        assert post(client, API, {"category": "food", "description": text}).status_code == 201
    refused = post(client, API, {"category": "food", "description": "第三件"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0 and refused.json()["retry_after"] > 0
    page = filed_on_page(resident_client(city.person_a), description="第三件")
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    assert "您提交诉求过于频繁" in page.content.decode()
    assert Ticket.objects.count() == 2
    # Another resident has a limit of their own.
    other = post(as_resident(city.person_b), API, {"category": "food", "description": "第一件"})
    assert other.status_code == 201

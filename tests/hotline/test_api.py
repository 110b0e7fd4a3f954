"""The hotline's API: a ticket's way from the call to the callback, lists and their paging,
the lookup, and bad input answered with a reason."""

import pytest

from fangyi.hotline import services
from tests.hotline.support import take
from tests.support import client_for, post

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hotline"


def test_a_ticket_from_the_call_to_the_callback(city, hotline):
    operator = client_for(hotline.operator)
    team = client_for(hotline.street_officer)
    body = {
        "channel": "phone",
        "category": "food",
        "description": "封控楼栋，家里没有菜了",
        "region": city.building_a.code,
        "caller": {"person": str(city.person_a.pk)},
        "dispatch": True,
    }
    created = post(operator, f"{BASE}/tickets", body)
    assert created.status_code == 201, created.content
    ticket = created.json()
    assert ticket["number"].startswith("12345-")
    assert ticket["state"] == "dispatched" and ticket["unit_name"] == "东街街道专班"
    assert ticket["caller_name"] == "王*明" and ticket["caller_phone"] == "138****0001"
    url = f"{BASE}/tickets/{ticket['id']}"
    assert post(team, f"{url}/accept", {}).status_code == 200
    assert post(team, f"{url}/notes", {"note": "已联系志愿者"}).status_code == 200
    assert post(team, f"{url}/reply", {"text": "蔬菜包已送到门口"}).status_code == 200
    resolved = post(team, f"{url}/resolve", {})
    assert resolved.json()["state"] == "resolved"
    callbacks = operator.get(f"{BASE}/callbacks").json()["items"]
    assert [c["about"] for c in callbacks] == [ticket["number"]]
    answered = post(
        operator,
        f"{BASE}/callbacks/{callbacks[0]['id']}",
        {"result": "not_satisfied", "note": "菜不新鲜"},
    )
    assert answered.status_code == 200
    detail = operator.get(url).json()
    assert detail["state"] == "dispatched" and detail["reopen_count"] == 1
    kinds = [event["kind"] for event in detail["events"]]
    assert kinds == [
        "intake",
        "dispatch",
        "accept",
        "note",
        "reply",
        "resolve",
        "callback",
        "reopen",
    ]


def test_a_second_call_lists_the_first_as_a_possible_duplicate(city, hotline):
    operator = client_for(hotline.operator)
    first = take(hotline.operator, city.building_a, "utilities", description="停水")
    body = {
        "channel": "chat",
        "category": "utilities",
        "description": "楼里没水",
        "region": city.building_a.code,
    }
    second = post(operator, f"{BASE}/tickets", body).json()
    assert [t["number"] for t in second["suggested_duplicates"]] == [first.number]
    merged = post(operator, f"{BASE}/tickets/{second['id']}/merge", {"into": str(first.pk)})
    assert merged.json()["state"] == "merged" and merged.json()["duplicate_of"] == first.number
    assert (
        operator.get(f"{BASE}/tickets/{first.pk}").json()["duplicates"][0]["number"]
        == (second["number"])
    )


def test_lists_filter_and_page_by_keyset(city, hotline):
    operator = client_for(hotline.operator)
    made = [take(hotline.operator, city.building_a, dispatch=True) for _ in range(5)]
    take(hotline.operator, city.building_b, "medical", dispatch=True)
    first = operator.get(f"{BASE}/tickets", {"limit": 2, "category": "food"}).json()
    second = operator.get(
        f"{BASE}/tickets", {"limit": 2, "category": "food", "cursor": first["next_cursor"]}
    ).json()
    third = operator.get(
        f"{BASE}/tickets", {"limit": 2, "category": "food", "cursor": second["next_cursor"]}
    ).json()
    numbers = [t["number"] for page in (first, second, third) for t in page["items"]]
    assert numbers == [t.number for t in reversed(made)]
    assert third["next_cursor"] is None
    by_unit = operator.get(f"{BASE}/tickets", {"unit": str(hotline.health.pk)}).json()
    assert len(by_unit["items"]) == 1
    inbox = client_for(hotline.street_officer).get(f"{BASE}/tickets", {"order": "due"}).json()
    assert len(inbox["items"]) == 5
    due = [t["due_at"] for t in inbox["items"]]
    assert due == sorted(due)


def test_the_lookup_shows_the_household_and_earlier_tickets_masked(city, hotline):
    earlier = take(
        hotline.operator, city.building_a, caller=services.CallerInput(person=city.person_a)
    )
    found = client_for(hotline.operator).get(f"{BASE}/lookup", {"phone": "13800000"}).json()
    assert len(found) == 1
    assert found[0]["name"] == "王*明" and found[0]["phone"] == "138****0001"
    assert found[0]["region"] == city.building_a.code
    assert [m["name"] for m in found[0]["members"]] == ["王*明"]
    assert [t["number"] for t in found[0]["earlier"]] == [earlier.number]


def test_escalations_show_on_the_ticket_and_in_the_escalated_list(city, hotline):
    from tests.hotline.support import beijing

    ticket = take(
        hotline.operator,
        city.building_a,
        received_at=beijing("2026-03-09 09:00"),
        dispatch=True,
    )
    services.escalate_due(now=beijing("2026-03-12 09:00"))
    chief = client_for(hotline.street_chief).get(f"{BASE}/escalated").json()["items"]
    assert [t["number"] for t in chief] == [ticket.number]
    command = client_for(hotline.commander).get(f"{BASE}/escalated").json()["items"]
    assert command[0]["escalation"] == 2 and command[0]["overdue"]
    detail = client_for(hotline.operator).get(f"{BASE}/tickets/{ticket.pk}").json()
    assert [e["level"] for e in detail["events"] if e["kind"] == "escalate"] == [1, 2]


def test_placing_a_ticket_locates_it_and_says_so(city, hotline):
    told = take(hotline.operator, city.street, address="东街某小区", dispatch=True)
    operator = client_for(hotline.operator)
    url = f"{BASE}/tickets/{told.pk}/place"
    placed = post(operator, url, {"region": city.building_b.code, "address": "2号楼 202 室"})
    assert placed.status_code == 200, placed.content
    answer = placed.json()
    assert (answer["region"], answer["region_name"], answer["place_resolved"]) == (
        city.building_b.code,
        "2号楼",
        True,
    )
    assert answer["address"] == "2号楼 202 室" and answer["state"] == "dispatched"
    assert [(e["kind"], e["note"]) for e in answer["events"]][-1] == ("place", "2号楼")
    told.refresh_from_db()
    assert (told.region, told.region_path, told.place_resolved, told.address) == (
        city.building_b,
        city.building_b.path,
        True,
        "2号楼 202 室",
    )
    # The province lies above the operator's city: a 422 naming the field, the place unchanged.
    refused = post(operator, url, {"region": city.province.code})
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["detail"]] == ["region"]
    told.refresh_from_db()
    assert told.region_path == city.building_b.path and told.place_resolved


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"category": "astrology"}, "category"),
        ({"region": "350200"}, "region"),
        ({"caller": {"person": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}}, "caller.person"),
        ({"caller": {"phone": "call me"}}, "caller_phone"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"description": ""}, "description"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(city, hotline, patch, field):
    body = {
        "channel": "phone",
        "category": "food",
        "description": "需要帮助",
        "region": city.building_a.code,
    } | patch
    response = post(client_for(hotline.operator), f"{BASE}/tickets", body)
    assert response.status_code == 422, response.content
    assert field in {error["field"] for error in response.json()["detail"]}

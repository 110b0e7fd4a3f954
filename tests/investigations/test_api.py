import datetime

import pytest
from django.utils import timezone

from fangyi.checkpoints import services as checkpoints
from fangyi.fieldwork.models import Task
from tests.checkpoints.support import visit
from tests.support import client_for, post, send

from .support import hours_ago, make_case, opened, resident

BASE = "/api/v1/investigations"


@pytest.fixture
def api(tracer):
    return client_for(tracer)


def test_opening_is_idempotent_and_answers_the_detail_with_clocks(city, tracer, api):
    make_case(city.person_a, actor=tracer)
    first = post(api, BASE, {"person": str(city.person_a.pk)})
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["person_name"] != city.person_a.name
    assert [clock["stage"] for clock in body["clocks"]] == [
        "result",
        "report",
        "transfer",
        "consultation",
    ]
    again = post(api, BASE, {"person": str(city.person_a.pk)})
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_a_person_who_is_not_a_case_is_a_422_naming_the_field(city, api):
    response = post(api, BASE, {"person": str(city.person_b.pk)})
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["detail"]} == {"person"}


def test_the_list_is_paged_newest_first(city, tracer, api):
    opened(city.person_a, actor=tracer)
    opened(city.person_b, actor=tracer)
    page = api.get(BASE, {"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = api.get(BASE, {"limit": 1, "cursor": page["next_cursor"]}).json()
    assert rest["items"][0]["id"] != page["items"][0]["id"]
    assert api.get(BASE, {"cursor": "garbage"}).status_code == 422


def test_contacts_registered_and_to_locate(city, tracer, api):
    case = opened(city.person_a, actor=tracer)
    url = f"{BASE}/{case.pk}/contacts"
    exposure = hours_ago(12).isoformat()
    linked = post(
        api,
        url,
        {"category": "close", "exposure_at": exposure, "id_number": city.person_b.id_number},
    )
    assert linked.status_code == 201, linked.content
    assert linked.json()["state"] == "linked" and linked.json()["fact"]
    to_locate = post(
        api,
        url,
        {
            "category": "secondary",
            "exposure_at": exposure,
            "name": "赵六",
            "phone": "13700000007",
            "address": "2号楼 301",
            "region": city.grid_b.code,
        },
    )
    assert to_locate.status_code == 201, to_locate.content
    contact = to_locate.json()
    assert contact["state"] == "to_locate" and contact["region"] == city.grid_b.code
    assert Task.objects.get(pk=contact["task"]).region == city.grid_b
    listed = api.get(url).json()["items"]
    assert [item["state"] for item in listed] == ["linked", "to_locate"]
    found = resident(city.building_b)
    done = post(api, f"{BASE}/contacts/{contact['id']}/found", {"person": str(found.pk)})
    assert done.status_code == 200 and done.json()["person"] == str(found.pk)


def test_bad_contacts_are_422s(city, tracer, api):
    case = opened(city.person_a, actor=tracer)
    url = f"{BASE}/{case.pk}/contacts"
    unknown = post(
        api,
        url,
        {"category": "close", "exposure_at": hours_ago(1).isoformat(), "id_number": "X"},
    )
    assert unknown.status_code == 422
    future = post(
        api,
        url,
        {
            "category": "close",
            "exposure_at": (timezone.now() + datetime.timedelta(days=2)).isoformat(),
            "person": str(city.person_b.pk),
        },
    )
    assert {e["field"] for e in future.json()["detail"]} == {"exposure_at"}


def test_proposals_places_and_confirming(city, tracer, api, superuser):
    case = opened(city.person_a, actor=tracer)
    venue = checkpoints.create_venue(
        actor=superuser, name="菜市场", kind="market", region=city.grid_a
    )
    visit(city.person_a, venue, hours_ago(40))
    visit(city.person_b, venue, hours_ago(40))
    proposed = post(api, f"{BASE}/{case.pk}/proposals", {"days": 7, "window_minutes": 15})
    assert proposed.json() == {"places": 1, "contacts": 1, "truncated": False}
    places = api.get(f"{BASE}/{case.pk}/places").json()["items"]
    assert places[0]["venue_name"] == "菜市场"
    manual = post(
        api,
        f"{BASE}/{case.pk}/places",
        {
            "description": "家庭聚餐",
            "start": hours_ago(50).isoformat(),
            "end": hours_ago(48).isoformat(),
        },
    )
    assert manual.status_code == 201
    contact = api.get(f"{BASE}/{case.pk}/contacts", {"state": "proposed"}).json()["items"][0]
    confirmed = post(api, f"{BASE}/contacts/{contact['id']}/confirm", {"category": "close"})
    assert confirmed.json()["state"] == "linked"


def test_clocks_team_notes_and_closing(city, tracer, api):
    case = opened(city.person_a, actor=tracer, at=hours_ago(0.2))
    clock = post(api, f"{BASE}/{case.pk}/clocks", {"stage": "report"})
    assert clock.status_code == 200
    assert clock.json()["report_confirmed_at"]
    wrong = post(api, f"{BASE}/{case.pk}/clocks", {"stage": "consultation"})
    assert wrong.status_code == 422
    team = send(
        api,
        "put",
        f"{BASE}/{case.pk}/team",
        {"members": [{"user": str(tracer.pk), "role": "investigator"}]},
    )
    assert team.status_code == 200 and team.json()["team"][0]["role"] == "investigator"
    closed = send(api, "patch", f"{BASE}/{case.pk}", {"notes": "已完成", "state": "closed"})
    assert closed.json()["state"] == "closed" and closed.json()["closed_at"]


def test_chains_and_the_figure(city, tracer, api):
    case = opened(city.person_a, actor=tracer)
    post(
        api,
        f"{BASE}/{case.pk}/contacts",
        {
            "category": "close",
            "exposure_at": hours_ago(5).isoformat(),
            "person": str(city.person_b.pk),
        },
    )
    chains = api.get(f"{BASE}/chains").json()["items"]
    assert chains[0]["id"] == str(case.pk) and chains[0]["size"] == 2
    graph = api.get(f"{BASE}/chains/{case.pk}").json()
    assert len(graph["nodes"]) == 2 and len(graph["links"]) == 1
    assert api.get(f"{BASE}/chains", {"region": "999"}).status_code == 422
    figure = api.get(f"{BASE}/figures").json()
    assert figure["total"] == figure["controlled"] + figure["community"]


def test_other_regions_see_nothing(city, tracer):
    case = opened(city.person_a, actor=tracer)
    from tests.factories import staff

    outsider = client_for(staff("investigator", city.grid_b, username="grid_b_tracer"))
    assert outsider.get(f"{BASE}/{case.pk}").status_code == 404
    assert outsider.get(BASE).json()["items"] == []


def test_a_resident_is_found_by_name_and_phone(city, tracer, api):
    case = opened(city.person_a, actor=tracer)
    response = post(
        api,
        f"{BASE}/{case.pk}/contacts",
        {
            "category": "close",
            "exposure_at": hours_ago(3).isoformat(),
            "name": city.person_b.name,
            "phone": city.person_b.phone,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["person"] == str(city.person_b.pk)
    assert response.json()["name"] == city.person_b.masked_name

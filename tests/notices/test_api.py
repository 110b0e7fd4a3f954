"""The API end to end: an officer drafts, publishes and withdraws; a resident reads and
confirms; counts and told-in-person; bad input is a 4xx with a reason."""

import pytest

from fangyi.notices.models import NoticeRead
from tests.factories import HouseholdFactory
from tests.support import as_resident, client_for, post, send

pytestmark = pytest.mark.django_db


def test_officer_publishes_resident_confirms_counts_go_up(city, officer, worker_a):
    api = client_for(officer)
    made = post(
        api,
        "/api/v1/notices",
        {
            "title": "核酸通知",
            "body": "周六采样",
            "regions": [city.grid_a.code],
            "ask_confirm": True,
        },
    )
    assert made.status_code == 201, made.content
    notice_id = made.json()["id"]
    assert made.json()["state"] == "draft"
    resident = as_resident(city.person_a)
    assert resident.get("/api/v1/me/notices").json()["items"] == []
    published = post(api, f"/api/v1/notices/{notice_id}/publish", {})
    assert published.json()["state"] == "published"
    mine = resident.get("/api/v1/me/notices").json()["items"]
    assert [item["id"] for item in mine] == [notice_id] and mine[0]["read_at"] is None
    assert resident.get(f"/api/v1/me/notices/{notice_id}").json()["read_at"] is not None
    confirmed = post(resident, f"/api/v1/me/notices/{notice_id}/confirm", {})
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_at"] is not None
    counts = api.get(f"/api/v1/notices/{notice_id}/counts").json()
    assert counts["total"]["region"] == city.grid_a.code
    assert (counts["total"]["read"], counts["total"]["confirmed"]) == (1, 1)
    assert (counts["total"]["residents_reached"], counts["total"]["households_reached"]) == (1, 1)
    assert as_resident(city.person_b).get(f"/api/v1/me/notices/{notice_id}").status_code == 404
    withdrawn = post(api, f"/api/v1/notices/{notice_id}/withdraw", {"reason": "改期"})
    assert withdrawn.json()["withdrawal_reason"] == "改期"
    refused = post(resident, f"/api/v1/me/notices/{notice_id}/confirm", {})
    assert refused.status_code == 422
    assert resident.get("/api/v1/me/notices").json()["items"][0]["state"] == "withdrawn"
    assert NoticeRead.objects.count() == 1


def test_grid_worker_lists_unreached_and_marks_told(city, officer, worker_a, worker_b):
    api = client_for(officer)
    notice_id = post(
        api,
        "/api/v1/notices",
        {"title": "停水", "body": "明日停水", "regions": [city.community.code]},
    ).json()["id"]
    post(api, f"/api/v1/notices/{notice_id}/publish", {})
    worker = client_for(worker_a)
    unreached = worker.get(f"/api/v1/notices/{notice_id}/unreached").json()["items"]
    assert [row["id"] for row in unreached] == [str(city.household_a.pk)]
    told = post(
        worker, f"/api/v1/notices/{notice_id}/told", {"household": str(city.household_a.pk)}
    )
    assert told.status_code == 201 and told.json()["told_by"] == "worker_a"
    assert worker.get(f"/api/v1/notices/{notice_id}/unreached").json()["items"] == []
    other = post(
        client_for(worker_b),
        f"/api/v1/notices/{notice_id}/told",
        {"household": str(city.household_a.pk)},
    )
    assert other.status_code == 422 and other.json()["detail"][0]["field"] == "household"
    counts = client_for(worker_a).get(f"/api/v1/notices/{notice_id}/counts").json()
    assert counts["total"]["region"] == city.grid_a.code
    assert counts["total"]["told"] == 1


def test_bad_input_is_refused_with_a_reason(city, officer):
    api = client_for(officer)
    bad = post(api, "/api/v1/notices", {"title": "x", "body": "y", "regions": ["350202001"]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "regions"
    assert api.get("/api/v1/notices/not-a-uuid").status_code == 404
    made = post(api, "/api/v1/notices", {"title": "x", "body": "y", "regions": [city.grid_a.code]})
    changed = send(api, "patch", f"/api/v1/notices/{made.json()['id']}", {"title": "\x00"})
    assert changed.status_code == 422


def test_households_not_reached_page_by_building_and_room(city, officer, worker_a):
    for room in ("103", "102"):
        HouseholdFactory(building=city.building_a, room=room)
    api = client_for(officer)
    notice_id = post(
        api, "/api/v1/notices", {"title": "停水", "body": "明日停水", "regions": [city.grid_a.code]}
    ).json()["id"]
    post(api, f"/api/v1/notices/{notice_id}/publish", {})
    worker, rooms, cursor = client_for(worker_a), [], ""
    while True:
        query = f"?limit=1&cursor={cursor}" if cursor else "?limit=1"
        page = worker.get(f"/api/v1/notices/{notice_id}/unreached{query}").json()
        rooms += [item["address"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [address[-3:] for address in rooms] == ["101", "102", "103"]

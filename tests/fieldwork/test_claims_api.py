"""The pool through the API: the pool of one's grids, claiming (the second claimer gets 409
with the reason), unclaiming; a delivery of another grid does not exist for the caller."""

from fangyi.fieldwork import services
from tests.support import client_for, post

POOL = "/api/v1/tasks/pool"


def _claim(user, task):
    return post(client_for(user), f"/api/v1/tasks/{task.pk}/claim", {})


def test_the_pool_lists_the_open_deliveries_of_the_callers_grid(
    delivery_a, delivery_b, volunteer_a, officer
):
    items = client_for(volunteer_a).get(POOL).json()["items"]
    assert [item["id"] for item in items] == [str(delivery_a.pk)]
    assert items[0]["address"] == "1号楼1单元101" and items[0]["assignee"] is None
    assert client_for(officer).get(POOL).json()["items"] == []


def test_claim_then_the_second_claimer_gets_409(delivery_a, volunteer_a, worker_a2):
    first = _claim(volunteer_a, delivery_a)
    assert first.status_code == 200, first.content
    data = first.json()
    assert (
        data["assignee"] == str(volunteer_a.pk)
        and data["claimed_at"]
        and data["status"] == "assigned"
    )
    second = _claim(worker_a2, delivery_a)
    assert second.status_code == 409
    assert second.json() == {"detail": "手慢了：该任务已被他人认领。"}
    assert client_for(volunteer_a).get(POOL).json()["items"] == []
    mine = client_for(volunteer_a).get("/api/v1/tasks?assignee=me&kind=delivery").json()
    assert [item["id"] for item in mine["items"]] == [str(delivery_a.pk)]


def test_a_delivery_of_another_grid_is_404(delivery_b, volunteer_a):
    response = _claim(volunteer_a, delivery_b)
    assert response.status_code == 404 and response.json()["detail"]
    assert (
        post(client_for(volunteer_a), f"/api/v1/tasks/{delivery_b.pk}/unclaim", {}).status_code
        == 404
    )


def test_unclaim_returns_it_to_the_pool_with_the_record(delivery_a, volunteer_a, worker_a2):
    _claim(volunteer_a, delivery_a)
    response = post(client_for(volunteer_a), f"/api/v1/tasks/{delivery_a.pk}/unclaim", {})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "open" and data["assignee"] is None
    assert data["release_cause"] == "given_back" and data["release_cause_name"] == "认领人退回"
    assert data["released_from_name"] == volunteer_a.display_name()
    assert _claim(worker_a2, delivery_a).status_code == 200


def test_unclaiming_someone_elses_claim_is_refused(delivery_a, volunteer_a, worker_a2):
    _claim(volunteer_a, delivery_a)
    response = post(client_for(worker_a2), f"/api/v1/tasks/{delivery_a.pk}/unclaim", {})
    assert response.status_code == 403
    assert services.Task.objects.get(pk=delivery_a.pk).assignee == volunteer_a

"""Prevention plans through the API: everyone with the right reads them; commanders switch."""

from fangyi.health.models import Policy, Status
from tests.factories import staff
from tests.support import client_for


def test_every_plan_is_listed_with_the_one_in_force(city, worker_a):
    response = client_for(worker_a).get("/api/v1/health/policies")

    assert response.status_code == 200
    items = response.json()["items"]
    assert {item["code"] for item in items} >= {"2022-03", "2022-06-9th", "2022-11-20m"}
    assert [item["code"] for item in items if item["in_force"]] == ["2022-06-9th"]
    assert all(item["label"] == f"{item['code']}.v{item['version']}" for item in items)


def test_a_commander_puts_another_plan_in_force_and_colours_follow(city, commander):
    march = Policy.objects.get(code="2022-03")

    response = client_for(commander).post(f"/api/v1/health/policies/{march.pk}/activate")

    assert response.status_code == 200, response.content
    assert response.json()["in_force"] is True
    assert Policy.objects.in_force() == march
    assert Status.objects.get(person=city.person_a).policy_version == march.label


def test_an_officer_may_not_switch_plans(city, officer):
    march = Policy.objects.get(code="2022-03")

    response = client_for(officer).post(f"/api/v1/health/policies/{march.pk}/activate")

    assert response.status_code == 403
    assert Policy.objects.in_force().code == "2022-06-9th"


def test_staff_without_the_right_see_no_plans(city):
    volunteer = staff("volunteer", city.grid_a, username="volunteer")
    march = Policy.objects.get(code="2022-03")
    client = client_for(volunteer)

    assert client.get("/api/v1/health/policies").json()["items"] == []
    assert client.post(f"/api/v1/health/policies/{march.pk}/activate").status_code == 404

from django.test import Client

from fangyi.accounts.models import ApiToken
from fangyi.accounts.services import issue_token
from tests.support import send


def test_missing_token_is_401_json(city):
    response = Client().get("/api/v1/persons")

    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_unknown_token_is_401(city):
    response = Client(headers={"Authorization": "Bearer fy_not-a-real-token"}).get(
        "/api/v1/persons"
    )

    assert response.status_code == 401


def test_revoked_token_is_401(city, worker_a):
    token = issue_token(actor=None, user=worker_a)
    ApiToken.objects.filter(user=worker_a).update(revoked_at="2022-03-14T00:00:00Z")

    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/persons")

    assert response.status_code == 401


def test_valid_token_is_accepted(as_worker_a):
    assert as_worker_a.get("/api/v1/persons").status_code == 200


def test_post_without_token_is_401_not_a_csrf_error(city):
    response = send(Client(enforce_csrf_checks=True), "post", "/api/v1/households", {})

    assert response.status_code == 401


def test_logged_in_browser_may_read_through_its_session(city, worker_a):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(worker_a)

    assert browser.get("/api/v1/persons").status_code == 200


def test_session_writes_need_the_csrf_token(city, worker_a):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(worker_a)
    url = f"/api/v1/persons/{city.person_a.pk}"

    refused = send(browser, "patch", url, {"residence_status": "away"})
    browser.cookies.load({"csrftoken": "a" * 32})
    accepted = browser.patch(
        url,
        {"residence_status": "away"},
        content_type="application/json",
        headers={"X-CSRFToken": "a" * 32},
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200


def test_a_bad_token_is_refused_even_in_a_logged_in_browser(city, worker_a):
    browser = Client(headers={"Authorization": "Bearer fy_wrong"})
    browser.force_login(worker_a)

    assert browser.get("/api/v1/persons").status_code == 401

"""With DEBUG off, every error under /api/ is JSON `{"detail": …}`, including those answered
before the API's own handlers (an unknown path, a wrong method, a server error) and never
with a traceback; pages keep their HTML error pages, in Chinese."""

import pytest
from django.test import Client

from fangyi.codes import keys


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], str) and body["detail"]
    return body


def test_a_server_error_in_the_api_is_json_without_a_traceback(db, monkeypatch):
    def broken():
        raise RuntimeError("the signing key file is unreadable: /var/secret/path")

    monkeypatch.setattr(keys, "jwks", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/codes/keys")

    body = assert_json_error(response, 500)
    assert body["detail"] == "服务器出错了，请稍后再试。"
    assert b"Traceback" not in response.content and b"/var/secret" not in response.content
    assert response["Cache-Control"] == "no-store"
    assert response["X-Request-ID"]


def test_an_unknown_api_path_is_json(db):
    body = assert_json_error(Client().get("/api/v1/no-such-thing"), 404)
    assert body["detail"] == "未找到。"
    assert_json_error(Client().get("/api/nothing-here/"), 404)


def test_a_wrong_method_is_json_and_names_the_allowed_ones(db):
    response = Client().delete("/api/v1/codes/keys")

    assert_json_error(response, 405)
    assert response["Allow"] == "GET"


def test_a_session_without_csrf_is_refused_in_json(worker_a, city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker_a)

    refused = client.post(
        f"/api/v1/persons/{city.person_a.pk}/reveal",
        {"reason": "核对"},
        content_type="application/json",
    )

    body = assert_json_error(refused, 403)
    assert "CSRF" in body["detail"]


def test_pages_keep_their_html_error_pages(worker_a, city):
    client = Client()
    client.force_login(worker_a)

    missing = client.get("/no-such-page/")

    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("text/html")
    assert "未找到该页面" in missing.content.decode()


def test_a_page_csrf_failure_is_a_chinese_page(worker_a, city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker_a)

    response = client.post("/people/new/", {})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "CSRF 校验失败" in response.content.decode()

"""The headers every answer carries: a Content-Security-Policy without inline script, frame
denial, a referrer policy, a permissions policy that grants the camera to this site alone,
and HSTS on HTTPS requests, which behind the TLS proxy are the ones it marks as such."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import staff
from tests.support import signed_in

HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


def assert_common(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def assert_page_headers(response) -> None:
    assert_common(response)
    assert response["X-Frame-Options"] == "DENY"
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["worker-src"] == ["'self'", "blob:"]
    permissions = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    assert permissions["camera"] == "(self)"
    assert permissions["geolocation"] == permissions["microphone"] == "()"


def test_a_page_carries_the_headers(worker_a, city):
    response = signed_in(worker_a).get(reverse("people:person-list"))

    assert response.status_code == 200
    assert_page_headers(response)


def test_the_scan_page_may_use_the_camera(city):
    guard = staff("checkpoint", city.grid_a, username="headers_guard")
    response = signed_in(guard).get(reverse("checkpoints:scan"))

    assert response.status_code == 200
    assert_page_headers(response)


def test_an_api_answer_carries_the_headers(as_worker_a, city):
    response = as_worker_a.get("/api/v1/persons")

    assert response.status_code == 200
    assert_page_headers(response)


def test_a_static_file_carries_the_headers_and_stays_cacheable(settings):
    # Served as in the demo, from the finders (production serves the collected files alike).
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/core/fangyi.css")

    assert response.status_code == 200
    assert_common(response)
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/login/", "/api/v1/codes/keys"])
def test_hsts_is_sent_on_https_behind_the_proxy_only(settings, db, path):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    secure = Client().get(path, **HTTPS)
    plain = Client().get(path)

    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in plain


def test_plain_http_is_redirected_to_https_behind_the_proxy(settings, db):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True

    response = Client().get("/login/", HTTP_X_FORWARDED_PROTO="http")

    assert response.status_code == 301
    assert response["Location"].startswith("https://")

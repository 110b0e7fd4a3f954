"""Resident tokens open the /me endpoints and nothing else; staff tokens do not open them."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from fangyi.portal.models import ResidentToken
from tests.support import as_resident, client_for, resident_token


def _bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_a_resident_token_opens_my_status(city):
    assert as_resident(city.person_a).get("/api/v1/me/status").status_code == 200


@pytest.mark.parametrize("token", ["", "fyr_nonsense", "x" * 5000, "fy_" + "a" * 43])
def test_bad_tokens_are_401(city, token):
    response = _bearer(token).get("/api/v1/me/code")

    assert response.status_code == 401
    assert response.json()["detail"]


def test_no_token_is_401(city, client):
    assert client.get("/api/v1/me/code").status_code == 401


def test_an_expired_token_is_401(city):
    token = resident_token(city.person_a)
    ResidentToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert _bearer(token).get("/api/v1/me/code").status_code == 401


def test_a_revoked_token_is_401(city):
    token = resident_token(city.person_a)
    ResidentToken.objects.update(revoked_at=timezone.now())

    assert _bearer(token).get("/api/v1/me/code").status_code == 401


def test_logout_revokes_the_token(city):
    client = as_resident(city.person_a)

    assert client.post("/api/v1/me/logout").status_code == 204
    assert client.get("/api/v1/me/code").status_code == 401


def test_a_staff_token_does_not_open_resident_endpoints(city, worker_a):
    assert client_for(worker_a).get("/api/v1/me/code").status_code == 401


def test_a_staff_session_does_not_open_resident_endpoints(city, worker_a):
    client = Client()
    client.force_login(worker_a)

    assert client.get("/api/v1/me/status").status_code == 401


def test_a_resident_token_does_not_open_staff_endpoints(city):
    response = as_resident(city.person_a).get(f"/api/v1/persons/{city.person_a.pk}")

    assert response.status_code == 401

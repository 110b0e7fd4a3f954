"""One-time codes: sent only to registered numbers, hashed, 5 minutes, 5 tries, rate-limited
per number and per client address, counted in the database."""

import datetime

import pytest
from django.utils import timezone

from fangyi.portal import services
from fangyi.portal.models import OneTimeCode
from tests.portal.support import last_code, sent_to
from tests.support import post

OTP = "/api/v1/me/otp"
LOGIN = "/api/v1/me/login"


def test_a_registered_number_gets_a_six_digit_code_whose_hash_alone_is_kept(city, client, sms_file):
    response = post(client, OTP, {"phone": "13800000001"})

    assert response.status_code == 202
    assert response.json()["expires_in"] <= 300
    code = last_code(sms_file, "13800000001")
    assert len(code) == 6
    row = OneTimeCode.objects.get(phone="13800000001")
    assert row.sent and row.code_hash and code not in row.code_hash
    assert len(row.code_hash) == 64
    assert row.expires_at - row.created_at == datetime.timedelta(minutes=5)


def test_an_unknown_number_is_answered_alike_but_nothing_is_sent(city, client, sms_file):
    known = post(client, OTP, {"phone": "13800000001"})
    unknown = post(client, OTP, {"phone": "13700000009"})

    assert unknown.status_code == known.status_code == 202
    assert unknown.json()["detail"] == known.json()["detail"]
    assert sent_to(sms_file, "13700000009") == []
    assert OneTimeCode.objects.get(phone="13700000009").sent is False


def test_the_code_logs_in_once(city, client, sms_file):
    post(client, OTP, {"phone": "13800000001"})
    code = last_code(sms_file, "13800000001")

    first = post(client, LOGIN, {"phone": "13800000001", "code": code})
    again = post(client, LOGIN, {"phone": "13800000001", "code": code})

    assert first.status_code == 200
    assert first.json()["person"]["id"] == str(city.person_a.pk)
    assert again.status_code == 422


def test_an_expired_code_is_refused(city, client, sms_file):
    post(client, OTP, {"phone": "13800000001"})
    code = last_code(sms_file, "13800000001")
    OneTimeCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = post(client, LOGIN, {"phone": "13800000001", "code": code})

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "code"


def test_five_wrong_tries_void_the_code(city, client, sms_file):
    post(client, OTP, {"phone": "13800000001"})
    code = last_code(sms_file, "13800000001")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    messages = [
        post(client, LOGIN, {"phone": "13800000001", "code": wrong}).json()["detail"][0]["message"]
        for _ in range(5)
    ]
    right = post(client, LOGIN, {"phone": "13800000001", "code": code})

    assert "4" in messages[0] and "1" in messages[3]
    assert right.status_code == 422
    assert OneTimeCode.objects.get().attempts == 5


def test_an_unknown_number_counts_tries_like_a_known_one(city, client, sms_file):
    post(client, OTP, {"phone": "13700000009"})

    response = post(client, LOGIN, {"phone": "13700000009", "code": "123456"})

    assert response.status_code == 422
    assert "4" in response.json()["detail"][0]["message"]


def test_one_code_a_minute_per_number(city, client, sms_file):
    assert post(client, OTP, {"phone": "13800000001"}).status_code == 202

    response = post(client, OTP, {"phone": "13800000001"})

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    assert response.json()["retry_after"] == int(response["Retry-After"])
    assert response.json()["detail"]
    assert len(sent_to(sms_file, "13800000001")) == 1


def test_five_codes_an_hour_per_number(city, client, sms_file):
    now = timezone.now()
    OneTimeCode.objects.bulk_create(
        OneTimeCode(
            phone="13800000001",
            created_at=now - datetime.timedelta(minutes=50 - i * 10),
            expires_at=now,
        )
        for i in range(5)
    )

    response = post(client, OTP, {"phone": "13800000001"})

    assert response.status_code == 429
    # The oldest of the five leaves the hour in ten minutes.
    assert 590 <= int(response["Retry-After"]) <= 601


def test_twenty_codes_an_hour_per_address(city, client, sms_file):
    now = timezone.now()
    OneTimeCode.objects.bulk_create(
        OneTimeCode(
            phone=f"137{i:08d}",
            ip="127.0.0.1",
            created_at=now - datetime.timedelta(minutes=30),
            expires_at=now,
        )
        for i in range(20)
    )

    blocked = post(client, OTP, {"phone": "13800000001"})
    elsewhere = client.post(
        OTP, {"phone": "13800000001"}, content_type="application/json", REMOTE_ADDR="10.0.0.7"
    )

    assert blocked.status_code == 429
    assert elsewhere.status_code == 202


def test_the_limits_count_rows_not_process_memory(city, sms_file):
    services.request_code(phone="13800000001", ip="10.0.0.1")
    OneTimeCode.objects.update(created_at=timezone.now() - datetime.timedelta(seconds=61))

    services.request_code(phone="13800000001", ip="10.0.0.1")
    with pytest.raises(services.RateLimited):
        services.request_code(phone="13800000001", ip="10.0.0.1")
    assert OneTimeCode.objects.count() == 2


def test_a_new_code_replaces_the_previous_one(city, client, sms_file):
    post(client, OTP, {"phone": "13800000001"})
    old = last_code(sms_file, "13800000001")
    OneTimeCode.objects.update(created_at=timezone.now() - datetime.timedelta(seconds=61))
    post(client, OTP, {"phone": "13800000001"})
    new = last_code(sms_file, "13800000001")

    if old != new:
        assert post(client, LOGIN, {"phone": "13800000001", "code": old}).status_code == 422
    assert post(client, LOGIN, {"phone": "13800000001", "code": new}).status_code == 200

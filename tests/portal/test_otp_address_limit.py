"""Wrong one-time codes from one address are limited across numbers ("otp-address"): each
code allows five tries, but a script trying codes for number after number is refused with
429 and Retry-After, in the API and on the login page, while other addresses go on."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.support import last_code
from tests.support import post

OTP = "/api/v1/me/otp"
LOGIN = "/api/v1/me/login"
GUESSER = "203.0.113.9"


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.FANGYI_RATE_LIMITS = {**settings.FANGYI_RATE_LIMITS, "otp-address": (5, 900)}


def test_wrong_codes_across_numbers_are_refused_in_the_api(city, sms_file):
    guesser = Client(REMOTE_ADDR=GUESSER)
    resident = Client(REMOTE_ADDR="198.51.100.30")
    assert post(resident, OTP, {"phone": "13800000001"}).status_code == 202
    code = last_code(sms_file, "13800000001")

    answers = [
        post(guesser, LOGIN, {"phone": f"1390000000{n}", "code": "123456"}) for n in range(7)
    ]
    right_code_from_there = post(guesser, LOGIN, {"phone": "13800000001", "code": code})
    right_code_elsewhere = post(resident, LOGIN, {"phone": "13800000001", "code": code})

    assert [answer.status_code for answer in answers] == [422] * 5 + [429] * 2
    refused = answers[-1]
    assert 0 < int(refused["Retry-After"]) <= 901
    assert refused.json()["retry_after"] == int(refused["Retry-After"])
    assert "验证码错误次数过多" in refused.json()["detail"]
    assert right_code_from_there.status_code == 429
    assert right_code_elsewhere.status_code == 200


def test_wrong_codes_are_refused_on_the_login_page(city, sms_file):
    page = Client(REMOTE_ADDR=GUESSER)
    login = reverse("portal:login")
    page.post(login, {"action": "send", "phone": "13800000001"})

    answers = [
        page.post(login, {"action": "verify", "code": "000000", "id_tail": ""}) for _ in range(6)
    ]

    assert [answer.status_code for answer in answers] == [200] * 5 + [429]
    assert "验证码错误次数过多" in answers[-1].content.decode()
    assert int(answers[-1]["Retry-After"]) > 0

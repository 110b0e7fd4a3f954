"""Logging in with the code: a token for the person; a number shared by several residents
needs the last four of the chosen one's ID number."""

from fangyi.accounts.models import hash_token
from fangyi.portal.models import ResidentToken
from tests.factories import PersonFactory
from tests.portal.support import last_code
from tests.support import post

OTP = "/api/v1/me/otp"
LOGIN = "/api/v1/me/login"


def _code(client, sms_file, phone="13800000001") -> str:
    assert post(client, OTP, {"phone": phone}).status_code == 202
    return last_code(sms_file, phone)


def test_login_returns_a_token_of_which_only_the_hash_is_stored(city, client, sms_file):
    code = _code(client, sms_file)

    body = post(client, LOGIN, {"phone": "13800000001", "code": code}).json()

    assert body["token"].startswith("fyr_")
    assert body["person"] == {
        "id": str(city.person_a.pk),
        "masked_name": "王*明",
        "id_tail": city.person_a.id_tail,
    }
    token = ResidentToken.objects.get()
    assert token.key_hash == hash_token(body["token"])
    assert body["token"] not in token.key_hash
    assert (token.expires_at - token.created_at).days == 30


def test_a_shared_number_asks_which_resident(city, client, sms_file):
    child = PersonFactory(household=city.household_a, name="王小宝", phone="13800000001")
    code = _code(client, sms_file)

    unsure = post(client, LOGIN, {"phone": "13800000001", "code": code})
    wrong_tail = post(client, LOGIN, {"phone": "13800000001", "code": code, "id_tail": "0000"})
    chosen = post(client, LOGIN, {"phone": "13800000001", "code": code, "id_tail": child.id_tail})

    assert unsure.status_code == 409
    assert "后四位" in unsure.json()["detail"]
    assert wrong_tail.status_code == 422
    assert wrong_tail.json()["detail"][0]["field"] == "id_tail"
    assert chosen.status_code == 200
    assert chosen.json()["person"]["id"] == str(child.pk)


def test_a_wrong_code_names_the_field(city, client, sms_file):
    code = _code(client, sms_file)
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"

    response = post(client, LOGIN, {"phone": "13800000001", "code": wrong})

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "code"


def test_without_asking_for_a_code_nothing_logs_in(city, client):
    response = post(client, LOGIN, {"phone": "13800000001", "code": "123456"})

    assert response.status_code == 422

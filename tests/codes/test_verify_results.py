"""Each result `verify` can give, and the limits it enforces before parsing."""

import os
import time
import zlib

import base45
import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from fangyi.codes import Result, verify
from fangyi.codes import format as fmt
from fangyi.codes.base45 import b45decode

KEY = ec.generate_private_key(ec.SECP256R1())
OTHER = ec.generate_private_key(ec.SECP256R1())
NOW = 1_800_000_000


def claims_of(kind="display", colour="green", iat=NOW - 10, exp=NOW + 290, extra=None):
    claims = fmt.person_claims(
        issuer="test",
        subject="s" * 16,
        issued_at=iat,
        expires_at=exp,
        kind=kind,
        masked_name="李*英",
        id_tail="0021",
        policy_version="2022-06-9th.v1",
        colour=colour,
    )
    claims.update(extra or {})
    return claims


def code(key=KEY, prefix=fmt.PERSON_PREFIX, kid=None, **fields):
    return fmt.sign(claims_of(**fields), key, kid=kid, prefix=prefix)


def check(text, **kwargs):
    return verify(text, [KEY.public_key()], now=kwargs.pop("now", NOW), **kwargs)


def test_a_fresh_display_code_is_valid_with_its_claims():
    result = check(code().text)
    assert result.valid and result.signed
    assert result.claims["colour"] == "green"
    assert result.claims["name"] == "李*英"


def test_a_card_carries_no_colour():
    result = check(code(kind="card", colour=None).text)
    assert result.valid
    assert result.claims["kind"] == "card" and result.claims["colour"] is None


def test_expiry_is_exclusive():
    text = code(exp=NOW + 5).text
    assert check(text, now=NOW + 4).result is Result.VALID
    assert check(text, now=NOW + 5).result is Result.EXPIRED


def test_a_code_from_the_future_is_not_yet_valid_beyond_a_minute_of_clock_skew():
    text = code(iat=NOW + 100, exp=NOW + 400).text
    assert check(text, now=NOW + 40).result is Result.VALID
    assert check(text, now=NOW + 39).result is Result.NOT_YET_VALID


def test_a_code_signed_by_an_unpublished_key():
    assert check(code(key=OTHER).text).result is Result.UNKNOWN_KEY


def test_a_signature_from_another_key_with_the_same_kid_is_bad():
    signed = code(key=OTHER, kid=fmt.key_id(KEY.public_key()), colour="red")
    assert check(signed.text).result is Result.BAD_SIGNATURE


def test_revoked_by_the_hash_of_its_signature():
    signed = code()
    assert check(signed.text, revoked=[signed.revocation_hash]).result is Result.REVOKED
    as_text = fmt.b64url(signed.revocation_hash)
    assert check(signed.text, revoked=[as_text]).result is Result.REVOKED
    assert check(signed.text, revoked=[os.urandom(16)]).valid


def test_changing_a_claim_breaks_the_signature():
    signed = code(colour="red")
    message = cbor2.loads(zlib.decompress(b45decode(signed.text[4:].encode())))
    protected, unprotected, payload, signature = message.value
    claims = cbor2.loads(payload)
    claims[-65537][1] = "green"
    forged = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, cbor2.dumps(claims), signature]))
    text = "FY1:" + base45.b45encode(zlib.compress(forged)).decode()
    assert check(text).result is Result.BAD_SIGNATURE


@pytest.mark.parametrize(
    "claims_change",
    [
        {fmt.ISS: 5},
        {fmt.EXP: "soon"},
        {fmt.IAT: 1.5},
        {fmt.PRIVATE: {fmt.KIND: "display", fmt.COLOUR: "purple", 2: "a", 3: "1", 4: "p"}},
        {fmt.PRIVATE: {fmt.KIND: "card", fmt.COLOUR: "green", 2: "a", 3: "1", 4: "p"}},
        {fmt.PRIVATE: {fmt.KIND: "display", fmt.COLOUR: "green", 2: "a", 3: "1"}},
        {fmt.PRIVATE: "not a map"},
    ],
)
def test_claims_of_the_wrong_shape_are_malformed_even_when_signed(claims_change):
    assert check(code(extra=claims_change).text).result is Result.MALFORMED


def test_a_place_code_is_told_apart_from_a_person_code():
    place = fmt.sign(
        fmt.place_claims(
            issuer="t",
            subject="v1",
            issued_at=NOW,
            expires_at=NOW + 3600,
            venue_name="三坊菜市场",
            venue_kind="market",
            region_code="350102001001",
        ),
        KEY,
        prefix=fmt.PLACE_PREFIX,
    )
    assert place.text.startswith("FYP1:")
    result = check(place.text)
    assert result.valid and result.claims["venue_name"] == "三坊菜市场"
    assert check(place.text, place=False).result is Result.MALFORMED
    assert check(code().text, place=True).result is Result.MALFORMED
    # A person's claims under the place prefix do not pass as a place.
    person_as_place = code(prefix=fmt.PLACE_PREFIX)
    assert check(person_as_place.text).result is Result.MALFORMED


@pytest.mark.parametrize(
    "text",
    [
        None,
        42,
        "",
        "FY1:",
        "FY2:ABC",
        "fy1:" + "0" * 30,
        "FY1:%%%",
        "FY1:ab",
        "FY1:" + "A" * 2000,
    ],
)
def test_junk_is_malformed(text):
    assert check(text).result is Result.MALFORMED


def test_more_than_a_kibibyte_is_refused_before_decoding():
    text = code().text
    padded = text + "0" * (1025 - len(text))
    assert check(padded).reason == "longer than 1 KiB"


def test_a_zlib_bomb_is_refused_past_four_kibibytes():
    bomb = "FY1:" + base45.b45encode(zlib.compress(b"\x00" * 5000, 9)).decode()
    assert len(bomb) < 1024
    result = check(bomb)
    assert result.result is Result.MALFORMED and "4 KiB" in result.reason


def test_trailing_data_after_the_zlib_stream_is_malformed():
    compressed = zlib.compress(zlib.decompress(b45decode(code().text[4:].encode()))) + b"x"
    assert check("FY1:" + base45.b45encode(compressed).decode()).result is Result.MALFORMED


def test_keys_may_be_a_jwks_a_list_of_jwks_or_a_mapping():
    text = code().text
    jwk = fmt.jwk_of(KEY.public_key())
    for keys in ({"keys": [jwk]}, [jwk], {fmt.key_id(KEY.public_key()): KEY.public_key()}):
        assert verify(text, keys, now=NOW).valid


def test_now_defaults_to_the_clock():
    fresh = code(iat=int(time.time()), exp=int(time.time()) + 60).text
    assert verify(fresh, [KEY.public_key()]).valid

"""Hostile input never makes `verify` raise: random bytes and texts, truncated codes and codes
with flipped bits all come back as a result, and anything unsigned as malformed or worse."""

import os

from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from fangyi.codes import Result, verify
from fangyi.codes import format as fmt
from fangyi.codes.base45 import ALPHABET

KEY = ec.generate_private_key(ec.SECP256R1())
KEYS = {fmt.key_id(KEY.public_key()): KEY.public_key()}
NOW = 1_800_000_000
TEXT = fmt.sign(
    fmt.person_claims(
        issuer="fuzz",
        subject="f" * 16,
        issued_at=NOW,
        expires_at=NOW + 300,
        kind="display",
        masked_name="张*三",
        id_tail="5678",
        policy_version="2022-06-9th.v1",
        colour="yellow",
    ),
    KEY,
).text
NOT_VALID = set(Result) - {Result.VALID}


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=1500))
def test_random_bytes_as_text(data):
    text = data.decode("latin-1")
    assert verify(text, KEYS, now=NOW).result is Result.MALFORMED or text.startswith(
        ("FY1:", "FYP1:")
    )


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET.decode(), max_size=1200))
def test_random_base45_after_the_prefix(body):
    assert verify("FY1:" + body, KEYS, now=NOW).result in NOT_VALID


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=len(TEXT) - 1))
def test_truncated_codes(length):
    assert verify(TEXT[:length], KEYS, now=NOW).result in NOT_VALID


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=4, max_value=len(TEXT) - 1), st.integers(min_value=1, max_value=127))
def test_flipped_bits(position, mask):
    changed = TEXT[:position] + chr(ord(TEXT[position]) ^ mask) + TEXT[position + 1 :]
    result = verify(changed, KEYS, now=NOW)
    # Base45 has some slack in its last group; a change there may decode to the same bytes.
    assert result.result in NOT_VALID or result.claims["colour"] == "yellow"


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=900))
def test_random_zlib_payloads(payload):
    import zlib

    import base45

    text = "FY1:" + base45.b45encode(zlib.compress(payload)).decode()
    assert verify(text, KEYS, now=NOW).result in NOT_VALID


def test_the_reference_code_is_valid():
    assert verify(TEXT, KEYS, now=NOW + 1).valid
    assert verify(TEXT + os.urandom(1).hex(), KEYS, now=NOW).result in NOT_VALID

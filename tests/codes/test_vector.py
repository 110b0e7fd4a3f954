"""docs/code-format.md's test vector holds: read from the page itself, checked by fangyi.codes
and by the independent verifier."""

import json
import re
from pathlib import Path

import cbor2
from cryptography.hazmat.primitives import serialization

from fangyi.codes import Result, verify
from fangyi.codes.format import jwk_of, sign

from .independent import kid_of, open_code

DOC = (Path(__file__).parents[2] / "docs" / "code-format.md").read_text()


def block(language: str) -> str:
    found = re.findall(rf"```{language}\n(.*?)\n```", DOC, re.DOTALL)
    assert len(found) == 1, language
    return found[0]


def private_key():
    return serialization.load_pem_private_key(block("pem").encode(), password=None)


def test_the_jwk_on_the_page_is_the_public_half_of_the_key():
    assert json.loads(block("json")) == jwk_of(private_key().public_key())


def test_the_code_verifies_as_the_page_says():
    text = block("text")
    checked = verify(text, json.loads('{"keys": [' + block("json") + "]}"), now=1795478500)
    assert checked.result is Result.VALID
    assert checked.kid == "tAx4PgAKQvw"
    assert checked.claims == {
        "iss": "fangyi-demo",
        "sub": "q5oW0c3Yh8m2Lr9T",
        "exp": 1795478700,
        "iat": 1795478400,
        "kind": "display",
        "colour": "green",
        "name": "王*明",
        "id_tail": "123X",
        "policy": "2022-06-9th.v1",
    }
    assert verify(text, [private_key().public_key()], now=1795478700).result is Result.EXPIRED


def test_signing_the_claims_with_the_key_gives_exactly_the_code_on_the_page():
    claims = cbor2.loads(bytes.fromhex(block("hex")))
    assert sign(claims, private_key()).text == block("text")


def test_the_payload_bytes_on_the_page_are_the_signed_ones():
    claims = open_code(block("text"), private_key().public_key())
    assert cbor2.dumps(claims).hex() == block("hex")
    assert claims[-65537][1] == "green"
    assert kid_of(private_key().public_key()).hex() == "b40c783e000a42fc"


def test_changing_any_character_of_the_code_never_validates():
    text = block("text")
    keys = [private_key().public_key()]
    for position in range(4, len(text), 7):
        swapped = "A" if text[position] != "A" else "B"
        changed = text[:position] + swapped + text[position + 1 :]
        assert verify(changed, keys, now=1795478500).result in {
            Result.MALFORMED,
            Result.BAD_SIGNATURE,
            Result.UNKNOWN_KEY,
        }
